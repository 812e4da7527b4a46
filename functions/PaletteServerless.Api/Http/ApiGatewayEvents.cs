using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PaletteServerless.Api.Http;

/// <summary>
/// API Gateway HTTP API payload format 2.0, request side. Our own small type because the
/// Amazon.Lambda.APIGatewayEvents package is not served here; only the fields we read or log.
/// The event types skip the fields they do not name (domainPrefix, authentication, stageVariables,
/// other authorizer kinds...): the strict unknown-field rule is for client bodies, not for the
/// envelope API Gateway writes, which must never be refused.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record HttpApiRequest
{
    public string? Version { get; init; }
    public string? RouteKey { get; init; }
    public string? RawPath { get; init; }
    public string? RawQueryString { get; init; }
    public List<string>? Cookies { get; init; }
    public Dictionary<string, string>? Headers { get; init; }
    public Dictionary<string, string>? QueryStringParameters { get; init; }
    public Dictionary<string, string>? PathParameters { get; init; }
    public HttpApiRequestContext? RequestContext { get; init; }
    public string? Body { get; init; }
    public bool IsBase64Encoded { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record HttpApiRequestContext
{
    public string? AccountId { get; init; }
    public string? ApiId { get; init; }
    public string? DomainName { get; init; }
    public HttpApiHttpDescription? Http { get; init; }
    public string? RequestId { get; init; }
    public string? RouteKey { get; init; }
    public string? Stage { get; init; }
    public string? Time { get; init; }
    public long TimeEpoch { get; init; }
    public HttpApiAuthorizer? Authorizer { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record HttpApiHttpDescription
{
    public string? Method { get; init; }
    public string? Path { get; init; }
    public string? Protocol { get; init; }
    public string? SourceIp { get; init; }
    public string? UserAgent { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record HttpApiAuthorizer
{
    public HttpApiJwt? Jwt { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record HttpApiJwt
{
    /// <summary>API Gateway passes every claim as a string; array claims arrive as "[a b]".</summary>
    public Dictionary<string, JsonNode?>? Claims { get; init; }
    public List<string>? Scopes { get; init; }
}

/// <summary>Payload format 2.0, response side.</summary>
public sealed record HttpApiResponse
{
    public int StatusCode { get; init; }
    public Dictionary<string, string>? Headers { get; init; }
    public List<string>? Cookies { get; init; }
    public string? Body { get; init; }
    public bool IsBase64Encoded { get; init; }
}
