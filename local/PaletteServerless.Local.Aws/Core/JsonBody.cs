using System.Text.Json;
using System.Text.Json.Nodes;

namespace PaletteServerless.Local.Aws.Core;

/// <summary>Reading the body of an AWS JSON 1.0/1.1 request, shared by the JSON services.</summary>
public static class JsonBody
{
    /// <summary>The request body as an object; an empty body is an empty object, as the SDKs send no body for no input.</summary>
    public static JsonObject Parse(AwsCall call)
    {
        if (call.Request.Body.Length == 0)
            return [];
        try
        {
            return JsonNode.Parse(call.Request.Body) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            throw new AwsErrorException("SerializationException", "The request body is not a JSON object.");
        }
    }

    /// <summary>A string member, or null when it is absent or not a string.</summary>
    public static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
