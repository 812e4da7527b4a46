using System.Text.Json.Nodes;

namespace PaletteServerless.Api.Endpoints;

/// <summary>The OpenAPI 3 description of the API, embedded in the assembly (openapi.json beside this file).</summary>
public static class OpenApiDocument
{
    private static readonly Lazy<string> Text = new(() =>
    {
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream("PaletteServerless.Api.openapi.json")
            ?? throw new InvalidOperationException("openapi.json is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static JsonNode Load() => JsonNode.Parse(Text.Value)!;
}
