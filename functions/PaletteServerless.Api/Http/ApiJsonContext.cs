using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Api.Http;

/// <summary>
/// Every JSON shape of the API, source-generated. Request bodies are strict: an unknown field is
/// an error (a typo must not be silently dropped), and so is a repeated one.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(HttpApiRequest))]
[JsonSerializable(typeof(HttpApiResponse))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(ClusterSpec))]
[JsonSerializable(typeof(NodePoolSpec))]
[JsonSerializable(typeof(PaletteServerless.Domain.Changes.ChangePlan))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(CloudAccount))]
[JsonSerializable(typeof(ClusterProfile))]
[JsonSerializable(typeof(ClusterEvent))]
[JsonSerializable(typeof(KubeconfigRecord))]
[JsonSerializable(typeof(ClusterCondition))]
[JsonSerializable(typeof(DeleteRequest))]
[JsonSerializable(typeof(PaletteServerless.Domain.Provisioning.PlanSummary))]
[JsonSerializable(typeof(PaletteServerless.Domain.Provisioning.LeftoverReport))]
[JsonSerializable(typeof(PaletteServerless.Domain.Provisioning.ForceDeleteReport))]
[JsonSerializable(typeof(PaletteServerless.Domain.Patching.OsPatchRun))]
[JsonSerializable(typeof(PaletteServerless.Domain.Clusters.OrphanSweep))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(VirtualClusterRequest))]
[JsonSerializable(typeof(PaletteServerless.Domain.VirtualClusters.VirtualCluster))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>The optional body of DELETE .../clusters/{name}: the name typed again.</summary>
public sealed record DeleteRequest
{
    public string? Confirm { get; init; }
}

/// <summary>The body of POST .../clusters/{name}/virtualclusters.</summary>
public sealed record VirtualClusterRequest
{
    public string? Name { get; init; }
}
