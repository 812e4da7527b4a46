using System.Text;
using System.Text.Json.Nodes;

namespace PaletteServerless.Api.Tests.Support;

/// <summary>How the roles claim arrives: API Gateway flattens arrays to "[a b]"; a local host may send JSON.</summary>
public enum RolesForm
{
    GatewayString,
    JsonArrayText,
    Array,
}

/// <summary>The claims a validated JWT carries.</summary>
public sealed record Identity(string Tenant, string[] Roles, string Subject = "alice", RolesForm Form = RolesForm.GatewayString)
{
    public JsonObject ToClaims() => new()
    {
        ["sub"] = Subject,
        ["tenant"] = Tenant,
        ["iss"] = "https://issuer.test",
        ["roles"] = Form switch
        {
            RolesForm.GatewayString => "[" + string.Join(' ', Roles) + "]",
            RolesForm.JsonArrayText => new JsonArray(Roles.Select(r => (JsonNode)r).ToArray()).ToJsonString(),
            _ => new JsonArray(Roles.Select(r => (JsonNode)r).ToArray()),
        },
    };
}

/// <summary>Builds an API Gateway HTTP API payload 2.0 event, as API Gateway sends it to the Lambda.</summary>
public sealed record ApiCall(string Method, string Path)
{
    public Dictionary<string, string> Query { get; init; } = [];
    public Dictionary<string, string> Headers { get; init; } = new() { ["user-agent"] = "tests" };
    public string? Body { get; init; }
    public bool Base64 { get; init; }
    /// <summary>The claims object as API Gateway passes it; null for a request without identity.</summary>
    public JsonObject? Claims { get; init; }

    public static ApiCall Get(string path) => new("GET", path);
    public static ApiCall Post(string path) => new("POST", path);
    public static ApiCall Delete(string path) => new("DELETE", path);
    public static ApiCall Patch(string path) => new("PATCH", path);
    public static ApiCall Put(string path) => new("PUT", path);

    public ApiCall By(Identity identity) => this with { Claims = identity.ToClaims() };

    public ApiCall WithQuery(string name, string value) => this with { Query = new(Query) { [name] = value } };

    public ApiCall WithHeader(string name, string value) => this with { Headers = new(Headers) { [name.ToLowerInvariant()] = value } };

    public ApiCall WithJson(JsonNode body) => WithText(body.ToJsonString(), "application/json");

    public ApiCall WithJson(string json) => WithText(json, "application/json");

    public ApiCall WithText(string body, string contentType) => this with { Body = body, Headers = new(Headers) { ["content-type"] = contentType } };

    public ApiCall AsBase64() => this with { Body = Body is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(Body)), Base64 = true };

    public JsonObject ToEvent()
    {
        var rawQuery = string.Join('&', Query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}"));
        var requestContext = new JsonObject
        {
            ["accountId"] = "123456789012",
            ["apiId"] = "api1234",
            ["domainName"] = "api1234.execute-api.us-east-1.amazonaws.com",
            ["domainPrefix"] = "api1234",
            ["http"] = new JsonObject
            {
                ["method"] = Method,
                ["path"] = Path,
                ["protocol"] = "HTTP/1.1",
                ["sourceIp"] = "127.0.0.1",
                ["userAgent"] = "tests",
            },
            ["requestId"] = Guid.NewGuid().ToString("N"),
            ["routeKey"] = "$default",
            ["stage"] = "$default",
            ["time"] = "24/Nov/2026:01:00:00 +0000",
            ["timeEpoch"] = 1795482000000,
        };
        if (Claims is not null)
            requestContext["authorizer"] = new JsonObject { ["jwt"] = new JsonObject { ["claims"] = Claims.DeepClone(), ["scopes"] = null } };
        var apiEvent = new JsonObject
        {
            ["version"] = "2.0",
            ["routeKey"] = "$default",
            ["rawPath"] = Path,
            ["rawQueryString"] = rawQuery,
            ["headers"] = new JsonObject(Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value))),
            ["requestContext"] = requestContext,
            ["isBase64Encoded"] = Base64,
        };
        if (Query.Count > 0)
            apiEvent["queryStringParameters"] = new JsonObject(Query.Select(q => KeyValuePair.Create(q.Key, (JsonNode?)q.Value)));
        if (Body is not null)
            apiEvent["body"] = Body;
        return apiEvent;
    }
}

/// <summary>The payload 2.0 response, its body parsed.</summary>
public sealed record ApiResponse(int Status, IReadOnlyDictionary<string, string> Headers, string? Text)
{
    public JsonNode? Body { get; } = string.IsNullOrEmpty(Text) ? null : JsonNode.Parse(Text);

    public string? ContentType => Headers.GetValueOrDefault("Content-Type");

    /// <summary>The field of each errors[] entry of a problem.</summary>
    public IReadOnlyList<string> ErrorFields =>
        Body?["errors"]?.AsArray().Select(e => e!["field"]!.GetValue<string>()).ToList() ?? [];

    public IReadOnlyList<string> ItemNames =>
        Body!["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ToList();

    public string? NextCursor => Body?["nextCursor"]?.GetValue<string>();

    public override string ToString() => $"{Status} {Text}";
}
