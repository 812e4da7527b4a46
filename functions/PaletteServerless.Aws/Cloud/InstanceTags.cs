using Amazon.EC2.Model;

namespace PaletteServerless.Aws.Cloud;

/// <summary>Reading one tag of an EC2 instance (a node's reported phase is one: NodePhases.TagKey).</summary>
public static class InstanceTags
{
    /// <summary>The value of the tag <paramref name="key"/> on <paramref name="instance"/>; null for no instance or no such tag.</summary>
    public static string? TagValue(this Instance? instance, string key) => instance?.Tags?.FirstOrDefault(t => t.Key == key)?.Value;
}
