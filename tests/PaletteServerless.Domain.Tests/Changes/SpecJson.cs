using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Tests.Changes;

/// <summary>The spec on the wire as the API reads and writes it (camelCase, nulls left out, unknown fields refused).</summary>
internal static class SpecJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    public static JsonNode ToJson<T>(T value) => JsonSerializer.SerializeToNode(value, Options)!;

    public static T FromJson<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;

    public static T FromJson<T>(JsonNode node) => node.Deserialize<T>(Options)!;

    /// <summary>What PATCH does before the rules: the stored spec as JSON, the merge patch applied, read back.</summary>
    public static ClusterSpec Patch(ClusterSpec spec, string patch) =>
        FromJson<ClusterSpec>(JsonMergePatch.Apply(ToJson(spec), JsonNode.Parse(patch))!);
}
