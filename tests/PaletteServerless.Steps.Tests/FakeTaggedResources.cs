using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Steps.Tests;

/// <summary>
/// Tagged resources in memory, as <see cref="ITaggedResources"/> promises them and the tagging API answers: a find returns
/// every resource that carries each of the owner's tags with that value. It starts empty; a test adds resources with
/// <see cref="Add"/> and makes finds fail with an AWS code (<see cref="Fail"/>).
/// </summary>
public sealed class FakeTaggedResources : ITaggedResources
{
    private readonly List<TaggedResource> _resources = [];
    private string? _failure;

    public void Add(string arn, IReadOnlyDictionary<string, string> tags) => _resources.Add(new TaggedResource(arn, tags));

    public void Fail(string code) => _failure = code;

    /// <summary>Every find asked of the fake, in order.</summary>
    public List<OwnedBy> Finds { get; } = [];

    public Task<IReadOnlyList<TaggedResource>> FindAsync(OwnedBy owner, CancellationToken ct)
    {
        Finds.Add(owner);
        return _failure is { } code
            ? Task.FromException<IReadOnlyList<TaggedResource>>(new CloudServiceException(code, $"{code} (test)", false))
            : Task.FromResult<IReadOnlyList<TaggedResource>>([.. _resources.Where(r => owner.Tags.All(t => r.Tags.TryGetValue(t.Key, out var v) && v == t.Value)
                && (owner.ResourceTypes is null || owner.ResourceTypes.Any(type => TypeMatches(type, TypeOf(r.Arn)))))]);
    }

    /// <summary>The tagging API's type of an ARN: its service and resource type ("ec2:instance"; a bucket's "s3").</summary>
    public static string TypeOf(string arn)
    {
        var parts = arn.Split(':', 6);
        var resource = parts[5].Split('/')[0];
        return parts[2] == "s3" ? "s3" : $"{parts[2]}:{resource}";
    }

    // "ec2" matches every EC2 type, "ec2:vpc" only VPCs.
    private static bool TypeMatches(string filter, string type) =>
        filter.Contains(':', StringComparison.Ordinal) ? filter == type : type == filter || type.StartsWith(filter + ":", StringComparison.Ordinal);
}
