namespace PaletteServerless.Aws.Clients;

/// <summary>The tagging call the product makes: the seam that lets unit tests stand in for <see cref="TaggingClient"/>.</summary>
public interface ITaggingClient : IDisposable
{
    /// <summary>Every page of GetResources.</summary>
    Task<IReadOnlyList<ResourceTagMapping>> GetAllResourcesAsync(GetResourcesRequest request, CancellationToken cancellationToken = default);
}
