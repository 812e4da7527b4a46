using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Edge;

/// <summary>
/// /local/*: what exists only on the local stack. Tokens stand in for the identity provider;
/// inventory and events let a person (and the tests) see what the product did.
/// </summary>
public sealed partial class LocalRoutes(JwtAuthority tokens, LocalAws localAws, Iam.TargetStacks targetStacks)
{
    private static readonly string[] Roles = ["tenant-admin", "project-admin", "project-editor", "project-viewer"];

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await RouteAsync(context);
        }
        catch (Exception failure) when (failure is not OperationCanceledException && !context.Response.HasStarted)
        {
            // A defect of a local route still answers, naming what broke, as the local AWS does.
            await WriteJsonAsync(context, 500, new JsonObject { ["message"] = $"{failure.GetType().Name}: {failure.Message}" });
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        var route = $"{context.Request.Method} {context.Request.Path}";
        switch (route)
        {
            case "POST /local/token":
                await MintTokenAsync(context);
                break;
            case "GET /local/inventory":
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync(localAws.Inventory().ToJson());
                break;
            case "GET /local/events":
                // Every EventBridge event of the local AWS, as server-sent events, until the client goes.
                context.Response.ContentType = "text/event-stream";
                context.Response.Headers.CacheControl = "no-cache";
                await localAws.Services.OfType<PaletteServerless.Local.Aws.EventBridge.EventBridgeService>().Single()
                    .Stream.WriteServerSentEventsAsync(context.Response.Body, context.RequestAborted);
                break;
            case "GET /local/health":
                await WriteJsonAsync(context, 200, new JsonObject { ["status"] = "ok" });
                break;
            case "GET /local/iam/principals":
                await WriteJsonAsync(context, 200, await IamRoutes.PrincipalsAsync(localAws, context.RequestAborted));
                break;
            case "GET /local/s3":
                await WriteJsonAsync(context, 200, PaletteServerless.Local.Aws.S3.S3View.Of(localAws));
                break;
            case "GET /local/iam/denials":
                await WriteJsonAsync(context, 200, IamRoutes.Denials(localAws));
                break;
            case "DELETE /local/iam/denials":
                localAws.Iam?.ClearDenials();
                context.Response.StatusCode = 204;
                break;
            case var _ when context.Request.Method == "PUT" && TargetStackPath().Match(context.Request.Path.Value ?? "") is { Success: true } target:
                await DeployTargetStackAsync(context, target.Groups["account"].Value);
                break;
            case var _ when context.Request.Path.StartsWithSegments("/local/ec2/instances"):
                await ControlInstanceAsync(context);
                break;
            default:
                await WriteJsonAsync(context, 404, new JsonObject { ["message"] = $"no local route {route}" });
                break;
        }
    }

    /// <summary>POST /local/token {tenant, project, role, subject}: a bearer token as the identity provider would issue.</summary>
    private async Task MintTokenAsync(HttpContext context)
    {
        if (await ReadBodyAsync(context) is not { } field)
            return;
        var tenant = field("tenant") ?? "acme";
        var subject = field("subject") ?? "local-user";
        var role = field("role") ?? "project-admin";
        var project = field("project");
        // The API refuses such a token with a 401 on every call: say so now, where the name was typed.
        if (PaletteServerless.Api.Http.Claims.TenantProblem(tenant) is { } tenantProblem)
        {
            await WriteJsonAsync(context, 400, new JsonObject { ["message"] = $"tenant {tenantProblem}" });
            return;
        }
        if (PaletteServerless.Api.Http.Claims.SubjectProblem(subject) is { } subjectProblem)
        {
            await WriteJsonAsync(context, 400, new JsonObject { ["message"] = $"subject {subjectProblem}" });
            return;
        }
        if (!Roles.Contains(role))
        {
            await WriteJsonAsync(context, 400, new JsonObject { ["message"] = $"role must be one of {string.Join(", ", Roles)}" });
            return;
        }
        if (role != "tenant-admin" && project is null)
        {
            await WriteJsonAsync(context, 400, new JsonObject { ["message"] = $"project is required for role {role}" });
            return;
        }
        var roles = role == "tenant-admin" ? new[] { role } : [$"{role}:{project}"];
        var token = tokens.Mint(subject, tenant, roles);
        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["token"] = token,
            ["tokenType"] = "Bearer",
            ["expiresIn"] = (long)JwtAuthority.TokenLifetime.TotalSeconds,
            ["claims"] = new JsonObject { ["sub"] = subject, ["tenant"] = tenant, ["roles"] = new JsonArray(roles.Select(r => (JsonNode)r!).ToArray()) },
        });
    }

    /// <summary>
    /// PUT /local/accounts/{account}/target-stack {externalId, tenant}: what a tenant's <c>cdk deploy</c> of the
    /// target-account stack does, with the external id the product's registration answered.
    /// </summary>
    private async Task DeployTargetStackAsync(HttpContext context, string account)
    {
        if (await ReadBodyAsync(context) is not { } field)
            return;
        if (field("externalId") is not { } externalId || field("tenant") is not { } tenant)
        {
            await WriteJsonAsync(context, 400, new JsonObject { ["message"] = "externalId (the registration's answer) and tenant are required" });
            return;
        }
        try
        {
            var roleArn = await targetStacks.DeployAsync(account, externalId, tenant, context.RequestAborted);
            await WriteJsonAsync(context, 200, new JsonObject { ["account"] = account, ["roleArn"] = roleArn });
        }
        catch (ArgumentException ex)
        {
            await WriteJsonAsync(context, 400, new JsonObject { ["message"] = ex.Message });
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^/local/accounts/(?<account>[^/]+)/target-stack$")]
    private static partial System.Text.RegularExpressions.Regex TargetStackPath();

    /// <summary>POST /local/ec2/instances/{id}/(interrupt|stop|terminate|status): what AWS does to instances unasked (see Ec2Control).</summary>
    private async Task ControlInstanceAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var answer = PaletteServerless.Local.Aws.Ec2.Ec2Control.Handle(localAws, context.Request.Method, context.Request.Path.Value ?? "", body);
        await WriteJsonAsync(context, answer.StatusCode, answer.Body);
    }

    /// <summary>The body's string fields by name (null when absent or empty); null after answering 400 when the body is not JSON.</summary>
    private static async Task<Func<string, string?>?> ReadBodyAsync(HttpContext context)
    {
        JsonObject? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonNode>(context.Request.Body, LocalJsonContext.Default.JsonNode) as JsonObject;
        }
        catch (JsonException ex)
        {
            await WriteJsonAsync(context, 400, new JsonObject { ["message"] = "the body must be JSON: " + ex.Message });
            return null;
        }
        return name => body?[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonNode))]
internal sealed partial class LocalJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
