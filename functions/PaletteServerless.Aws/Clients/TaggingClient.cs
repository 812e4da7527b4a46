namespace PaletteServerless.Aws.Clients;

/// <summary>Resource Groups Tagging API over AWS JSON 1.1 (signing name <c>tagging</c>): finds resources by tag.</summary>
public sealed class TaggingClient : ITaggingClient
{
    private const string TargetPrefix = "ResourceGroupsTaggingAPI_20170126.";
    private readonly AwsJsonProtocolClient _json;

    public TaggingClient(AwsClientOptions options)
    {
        _json = new AwsJsonProtocolClient(AwsService.ResourceGroupsTagging, "1.1", options);
    }

    public Uri Endpoint => _json.Endpoint;

    /// <summary>One page of GetResources.</summary>
    public Task<GetResourcesResponse> GetResourcesAsync(GetResourcesRequest request, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(TargetPrefix + "GetResources", request, TaggingJsonContext.Default.GetResourcesRequest, TaggingJsonContext.Default.GetResourcesResponse, cancellationToken);

    /// <summary>Every page of GetResources, following the pagination token until it comes back empty.</summary>
    public async Task<IReadOnlyList<ResourceTagMapping>> GetAllResourcesAsync(GetResourcesRequest request, CancellationToken cancellationToken = default)
    {
        var all = new List<ResourceTagMapping>();
        var page = request with { PaginationToken = null };
        while (true)
        {
            var response = await GetResourcesAsync(page, cancellationToken).ConfigureAwait(false);
            all.AddRange(response.ResourceTagMappingList ?? []);
            if (string.IsNullOrEmpty(response.PaginationToken))
            {
                return all;
            }

            page = page with { PaginationToken = response.PaginationToken };
        }
    }

    public void Dispose() => _json.Dispose();
}
