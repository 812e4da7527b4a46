using System.Text.Json.Nodes;

namespace PaletteServerless.Api.Http;

/// <summary>What an endpoint answers: a status, an optional JSON body, extra headers.</summary>
public sealed record ApiResult(int Status, JsonNode? Body = null, Dictionary<string, string>? Headers = null)
{
    public static ApiResult Ok(JsonNode body) => new(200, body);
    public static ApiResult Created(JsonNode body, string location) => new(201, body, new() { ["Location"] = location });
    public static ApiResult Accepted(JsonNode body, string location) => new(202, body, new() { ["Location"] = location });
    public static ApiResult NoContent() => new(204);
}
