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

    public Task<IReadOnlyList<TaggedResource>> FindAsync(OwnedBy owner, CancellationToken ct) =>
        _failure is { } code
            ? Task.FromException<IReadOnlyList<TaggedResource>>(new CloudServiceException(code, $"{code} (test)", false))
            : Task.FromResult<IReadOnlyList<TaggedResource>>([.. _resources.Where(r => owner.Tags.All(t => r.Tags.TryGetValue(t.Key, out var v) && v == t.Value))]);
}
