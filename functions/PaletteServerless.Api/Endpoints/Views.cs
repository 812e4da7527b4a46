using System.Text.Json;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Http;
using PaletteServerless.Domain;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Api.Endpoints;

/// <summary>How records look on the wire. A cluster is its spec plus its life cycle, flat, so GET returns what POST took and more.</summary>
internal static class Views
{
    public static JsonObject Cluster(Cluster cluster, DateTimeOffset now)
    {
        var view = JsonSerializer.SerializeToNode(cluster.Spec, ApiJsonContext.Default.ClusterSpec)!.AsObject();
        view["uid"] = cluster.Uid;
        view["status"] = cluster.Status;
        view["statusReason"] = cluster.StatusReason;
        view["conditions"] = new JsonArray(cluster.Conditions.Select(c => JsonSerializer.SerializeToNode(c, ApiJsonContext.Default.ClusterCondition)).ToArray());
        view["createdAt"] = cluster.CreatedAt;
        view["updatedAt"] = cluster.UpdatedAt;
        view["version"] = cluster.Version;
        view["generation"] = cluster.Generation;
        view["observedGeneration"] = cluster.ObservedGeneration;
        view["forceDeleteAvailableAt"] = cluster.ForceDeleteAvailableAt;
        if (cluster.Status == ClusterStatus.Deleting && cluster.ForceDeleteAvailableAt is { } at)
            view["forceDeleteSecondsLeft"] = (long)Math.Ceiling(Math.Max(0, (at - now).TotalSeconds));
        if (cluster.DeletedAt is { } deletedAt)
            view["deletedAt"] = deletedAt;
        if (cluster.LastOsPatch is { } patch)
            view["lastOsPatch"] = JsonSerializer.SerializeToNode(patch, ApiJsonContext.Default.OsPatchRun);
        if (cluster.ForceDeleteReport is { } report)
            view["forceDeleteReport"] = JsonSerializer.SerializeToNode(report, ApiJsonContext.Default.ForceDeleteReport);
        return view;
    }

    public static JsonObject List<T>(Page<T> page, Func<T, JsonNode?> render) => new()
    {
        ["items"] = new JsonArray(page.Items.Select(render).ToArray()),
        ["nextCursor"] = page.NextCursor,
    };

    /// <summary>A complete list (not paged): what a cloud account has in a region.</summary>
    public static JsonObject Items<T>(IReadOnlyList<T> items, Func<T, JsonNode> render) => new()
    {
        ["items"] = new JsonArray([.. items.Select(render)]),
    };

    // The shapes the console's dropdowns read: every field always present, null when AWS has no value.
    public static JsonNode KeyPair(CloudKeyPair k) => new JsonObject
    {
        ["name"] = k.Name,
        ["keyPairId"] = k.KeyPairId,
        ["keyType"] = k.KeyType,
        ["fingerprint"] = k.Fingerprint,
    };

    public static JsonNode Zone(CloudZone z) => new JsonObject
    {
        ["name"] = z.Name,
        ["zoneId"] = z.ZoneId,
        ["state"] = z.State,
    };

    public static JsonNode InstanceType(CloudInstanceType t) => new JsonObject
    {
        ["instanceType"] = t.InstanceType,
        ["vcpus"] = t.Vcpus,
        ["memoryMiB"] = t.MemoryMiB,
        ["architecture"] = t.Architecture,
        ["onDemandHourlyUsd"] = t.OnDemandHourlyUsd,
    };

    public static JsonNode Vpc(CloudVpc v) => new JsonObject
    {
        ["vpcId"] = v.VpcId,
        ["cidrBlock"] = v.CidrBlock,
        ["isDefault"] = v.IsDefault,
        ["name"] = v.Name,
        ["tags"] = Tags(v.Tags),
    };

    public static JsonNode Subnet(CloudSubnet s) => new JsonObject
    {
        ["subnetId"] = s.SubnetId,
        ["availabilityZone"] = s.AvailabilityZone,
        ["cidrBlock"] = s.CidrBlock,
        ["mapPublicIpOnLaunch"] = s.MapPublicIpOnLaunch,
        ["availableIpAddressCount"] = s.AvailableIpAddressCount,
        ["name"] = s.Name,
        ["tags"] = Tags(s.Tags),
    };

    /// <summary>Each pool's nodes, every field always present (null when unknown), and where they were read.</summary>
    public static JsonObject Nodes(NodeListing listing) => new()
    {
        ["source"] = listing.Source,
        ["warning"] = listing.Warning,
        ["pools"] = new JsonArray([.. listing.Pools.Select(p => (JsonNode)new JsonObject
        {
            ["name"] = p.Pool,
            ["nodes"] = new JsonArray([.. p.Nodes.Select(Node)]),
        })]),
    };

    private static JsonNode Node(ClusterNode n) => new JsonObject
    {
        ["instanceId"] = n.InstanceId,
        ["name"] = n.Name,
        ["zone"] = n.Zone,
        ["instanceType"] = n.InstanceType,
        ["capacityType"] = n.CapacityType,
        ["state"] = n.State,
        ["phase"] = n.Phase,
        ["phaseMessage"] = n.PhaseMessage,
        ["kubernetesVersion"] = n.KubernetesVersion,
        ["launchTime"] = n.LaunchTime,
        ["privateIp"] = n.PrivateIp,
    };

    private static JsonObject Tags(IReadOnlyDictionary<string, string> tags) =>
        new(tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value)));
}
