namespace PaletteServerless.Domain.Ports;

/// <summary>A resource of any service that carries tags: its ARN and every tag it has.</summary>
public sealed record TaggedResource(string Arn, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>The value of a tag; null when the resource does not carry it.</summary>
    public string? Tag(string key) => Tags.GetValueOrDefault(key);
}

/// <summary>
/// Finds what carries tags across the services of the session's account and region (on AWS: the Resource Groups Tagging
/// API), as the teardown adopts what a cluster owns and the orphan sweep finds what a project left. Every page is read. A
/// failure the cloud answers with is a <see cref="CloudServiceException"/> (AWS's error code, and whether trying again can help).
/// </summary>
public interface ITaggedResources
{
    /// <summary>Every resource that carries all of the owner's tags, each with that value.</summary>
    Task<IReadOnlyList<TaggedResource>> FindAsync(OwnedBy owner, CancellationToken ct);
}
