using System.Text.Json.Nodes;

namespace PaletteServerless.Domain.Changes;

/// <summary>
/// RFC 7396 JSON Merge Patch: an object patch merges member by member, a null member deletes, anything
/// else (arrays included) replaces whole. Pure: neither argument is changed.
/// </summary>
public static class JsonMergePatch
{
    /// <summary>The target with the patch applied (a JSON null is C# null).</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
            return patch?.DeepClone();
        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
                result.Remove(name);
            else
                result[name] = Apply(result[name], value);
        }
        return result;
    }
}
