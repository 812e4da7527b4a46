using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PaletteServerless.Local.StepFunctions.Resources;
using PaletteServerless.Manifest;

namespace PaletteServerless.Local.Edge;

/// <summary>
/// Does locally what API Gateway's HTTP API does in AWS: checks the bearer JWT (routes other than
/// the OpenAPI document need one), turns the HTTP request into a payload 2.0 event, invokes the API
/// function through its handler string, and turns the 2.0 response back into HTTP.
/// </summary>
public sealed class ApiGatewayEdge(JwtAuthority authority, LambdaRegistry functions, string apiFunctionName, string accountId)
{
    /// <summary>The manifest's public routes; their templates carry no {parameters}, so the key is the request's.</summary>
    private static readonly HashSet<string> PublicRoutes = ApiRouteCatalog.All.Where(r => r.Public).Select(r => r.Key).ToHashSet(StringComparer.Ordinal);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        Dictionary<string, string>? claims = null;
        if (!PublicRoutes.Contains($"{request.Method} {request.Path}"))
        {
            claims = await AuthorizeAsync(request.Headers.Authorization.ToString());
            if (claims is null)
            {
                // API Gateway's own answer when the authorizer refuses; the function is not invoked.
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"message\":\"Unauthorized\"}");
                return;
            }
        }
        var apiEvent = await ToEventAsync(context, claims);
        string responseText;
        try
        {
            responseText = await functions.InvokeAsync(apiFunctionName, apiEvent.ToJsonString(), context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // What API Gateway says when the integration fails.
            Console.Error.WriteLine($"API function failed: {ex}");
            context.Response.StatusCode = 500;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"message\":\"Internal Server Error\"}");
            return;
        }
        await WriteResponseAsync(context.Response, JsonNode.Parse(responseText)!.AsObject());
    }

    private async Task<Dictionary<string, string>?> AuthorizeAsync(string authorization)
    {
        const string bearer = "Bearer ";
        if (!authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
            return null;
        var claims = await authority.ValidateAsync(authorization[bearer.Length..].Trim());
        return claims is null ? null : FlattenLikeApiGateway(claims);
    }

    /// <summary>API Gateway passes each claim as a string and an array claim as "[a b]".</summary>
    private static Dictionary<string, string> FlattenLikeApiGateway(IReadOnlyList<Claim> claims) =>
        claims.GroupBy(c => c.Type).ToDictionary(
            g => g.Key,
            g => g.Key == "roles" || g.Count() > 1 ? "[" + string.Join(' ', g.Select(c => c.Value)) + "]" : g.First().Value);

    private async Task<JsonObject> ToEventAsync(HttpContext context, Dictionary<string, string>? claims)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var bytes = buffer.ToArray();
        var isText = bytes.Length == 0 || IsTextual(request.ContentType);
        var now = DateTimeOffset.UtcNow;
        var headers = new JsonObject();
        foreach (var (name, values) in request.Headers)
            headers[name.ToLowerInvariant()] = string.Join(',', values.ToArray());
        var query = new JsonObject();
        foreach (var (name, values) in request.Query)
            query[name] = string.Join(',', values.ToArray());
        var requestContext = new JsonObject
        {
            ["accountId"] = accountId,
            ["apiId"] = "local",
            ["domainName"] = request.Host.Value,
            ["domainPrefix"] = "local",
            ["http"] = new JsonObject
            {
                ["method"] = request.Method,
                ["path"] = request.Path.Value,
                ["protocol"] = request.Protocol,
                ["sourceIp"] = context.Connection.RemoteIpAddress?.ToString(),
                ["userAgent"] = request.Headers.UserAgent.ToString(),
            },
            ["requestId"] = Guid.NewGuid().ToString(),
            ["routeKey"] = "$default",
            ["stage"] = "$default",
            ["time"] = now.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture),
            ["timeEpoch"] = now.ToUnixTimeMilliseconds(),
        };
        if (claims is not null)
        {
            var claimsNode = new JsonObject();
            foreach (var (name, value) in claims)
                claimsNode[name] = value;
            requestContext["authorizer"] = new JsonObject { ["jwt"] = new JsonObject { ["claims"] = claimsNode, ["scopes"] = null } };
        }
        var apiEvent = new JsonObject
        {
            ["version"] = "2.0",
            ["routeKey"] = "$default",
            ["rawPath"] = request.Path.Value,
            ["rawQueryString"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : "",
            ["headers"] = headers,
            ["requestContext"] = requestContext,
            ["isBase64Encoded"] = !isText,
        };
        if (request.Cookies.Count > 0)
            apiEvent["cookies"] = new JsonArray(request.Cookies.Select(c => (JsonNode)JsonValue.Create($"{c.Key}={c.Value}")).ToArray());
        if (query.Count > 0)
            apiEvent["queryStringParameters"] = query;
        if (bytes.Length > 0)
            apiEvent["body"] = isText ? Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes);
        return apiEvent;
    }

    private static bool IsTextual(string? contentType) =>
        contentType is null
        || contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("json", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("xml", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private static async Task WriteResponseAsync(HttpResponse response, JsonObject result)
    {
        response.StatusCode = result["statusCode"]?.GetValue<int>() ?? 200;
        if (result["headers"] is JsonObject headers)
        {
            foreach (var (name, value) in headers)
                response.Headers[name] = value?.GetValue<string>();
        }
        if (result["cookies"] is JsonArray cookies)
        {
            foreach (var cookie in cookies)
                response.Headers.Append("Set-Cookie", cookie!.GetValue<string>());
        }
        if (result["body"]?.GetValue<string>() is { } body)
        {
            var bytes = result["isBase64Encoded"]?.GetValue<bool>() == true ? Convert.FromBase64String(body) : Encoding.UTF8.GetBytes(body);
            await response.Body.WriteAsync(bytes);
        }
    }
}
