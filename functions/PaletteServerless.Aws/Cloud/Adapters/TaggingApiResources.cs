using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Aws.Cloud.Adapters;

/// <summary>
/// <see cref="ITaggedResources"/> over our Resource Groups Tagging API client: an owner's tags become one tag filter each
/// (with its one value), its resource types the ResourceTypeFilters, every page of GetResources is read, and a resource's tags become a dictionary (a key listed twice
/// keeps its last value). It is the same tag:GetResources action it always was, since the session policies name it. Errors
/// the API answers with become <see cref="CloudServiceException"/>.
/// </summary>
public sealed class TaggingApiResources(ITaggingClient tagging) : ITaggedResources
{
    public async Task<IReadOnlyList<TaggedResource>> FindAsync(OwnedBy owner, CancellationToken ct)
    {
        IReadOnlyList<ResourceTagMapping> found;
        try
        {
            found = await tagging.GetAllResourcesAsync(new GetResourcesRequest
            {
                TagFilters = [.. owner.Tags.Select(t => new TagFilter(t.Key, [t.Value]))],
                ResourceTypeFilters = owner.ResourceTypes,
            }, ct);
        }
        catch (AwsServiceException ex)
        {
            throw new CloudServiceException(ex.ErrorCode, ex.ErrorMessage, CloudErrors.IsTransient(ex), ex);
        }
        return [.. found.Select(r => new TaggedResource(r.ResourceArn,
            (r.Tags ?? []).GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal)))];
    }
}
