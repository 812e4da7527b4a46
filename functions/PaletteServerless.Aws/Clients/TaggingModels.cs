using System.Text.Json.Serialization;

namespace PaletteServerless.Aws.Clients;

/// <summary>A tag filter: the key alone matches any value; with values, any one of them.</summary>
public sealed record TagFilter(string Key, IReadOnlyList<string>? Values = null);

public sealed record GetResourcesRequest
{
    public IReadOnlyList<TagFilter>? TagFilters { get; init; }

    /// <summary>Service or service:type, e.g. <c>ec2</c>, <c>ec2:vpc</c>, <c>elasticloadbalancing:loadbalancer</c>.</summary>
    public IReadOnlyList<string>? ResourceTypeFilters { get; init; }

    public string? PaginationToken { get; init; }

    /// <summary>1 to 100; AWS's default is 50.</summary>
    public int? ResourcesPerPage { get; init; }
}

public sealed record ResourceTag(string Key, string Value);

public sealed record ResourceTagMapping(
    [property: JsonPropertyName("ResourceARN")] string ResourceArn,
    IReadOnlyList<ResourceTag>? Tags);

/// <summary>An empty (not null) <see cref="PaginationToken"/> means the last page.</summary>
public sealed record GetResourcesResponse(IReadOnlyList<ResourceTagMapping>? ResourceTagMappingList, string? PaginationToken);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GetResourcesRequest))]
[JsonSerializable(typeof(GetResourcesResponse))]
public sealed partial class TaggingJsonContext : JsonSerializerContext;
