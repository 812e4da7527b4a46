using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// One instance as the cloud describes it, with the phase its node last reported (<see cref="NodePhases.TagKey"/>)
/// and, with a failure phase, what failed (<see cref="NodePhases.MessageTagKey"/>).
/// </summary>
public sealed record DescribedInstance(
    string InstanceId, string? AvailabilityZone, string? InstanceType, string CapacityType, string State, string? Phase,
    DateTimeOffset? LaunchTime, string? PrivateIp, string? PhaseMessage = null, string? KubernetesVersion = null);

/// <summary>What one describe of a cluster's instances gave: the instances, or (null) why the cloud could not be read.</summary>
public sealed record InstanceDescription(IReadOnlyList<DescribedInstance>? Instances, string? Error)
{
    public static InstanceDescription Failed(string error) => new(null, error);
}

/// <summary>
/// Describes a cluster's recorded instances in its account and region, through the account's role,
/// in one call. A refused role or an AWS error is an <see cref="InstanceDescription.Error"/>, never an exception.
/// </summary>
public interface IClusterInstances
{
    Task<InstanceDescription> DescribeAsync(Cluster cluster, CloudAccount account, IReadOnlyList<string> instanceIds, CancellationToken ct);
}

/// <summary>
/// One node of a pool. Fields the table alone does not know (type, capacity type, state, phase,
/// launch time, IP, the Kubernetes version the node reports, <see cref="NodePhases.KubernetesVersionTagKey"/>) are null
/// when the cloud could not be read, or when EC2 no longer knows the instance.
/// </summary>
public sealed record ClusterNode(
    string InstanceId, string Name, string? Zone, string? InstanceType, string? CapacityType, string? State, string? Phase,
    DateTimeOffset? LaunchTime, string? PrivateIp, string? PhaseMessage = null, string? KubernetesVersion = null);

/// <summary>A pool's nodes, oldest first.</summary>
public sealed record PoolNodes(string Pool, IReadOnlyList<ClusterNode> Nodes);

/// <summary>
/// Every pool's nodes, and where they were read: <see cref="NodeSources.Cloud"/> (the recorded
/// instances as EC2 describes them now) or <see cref="NodeSources.Inventory"/> (the record alone,
/// with <see cref="Warning"/> saying why EC2 was not read).
/// </summary>
public sealed record NodeListing(string Source, string? Warning, IReadOnlyList<PoolNodes> Pools);

/// <summary>A cluster's node pools as specified, with their nodes.</summary>
public sealed record NodePoolsWithNodes(IReadOnlyList<NodePoolSpec> Pools, NodeListing Nodes);

public static class NodeSources
{
    public const string Cloud = "ec2";
    public const string Inventory = "inventory";
}

/// <summary>Maps the recorded inventory, and what EC2 said of it, to each pool's nodes.</summary>
public static class NodeListings
{
    /// <summary>
    /// The instances the inventory records with a pool, grouped by pool: first the <paramref name="poolNames"/>
    /// in order (a pool with no node yet lists none), then any other pool the record still holds nodes of
    /// (a removed pool whose nodes are draining). <paramref name="description"/> null means the cloud was not
    /// asked (no instance recorded yet); its <see cref="InstanceDescription.Error"/> falls back to the record.
    /// </summary>
    public static NodeListing Of(IReadOnlyList<string> poolNames, IEnumerable<InventoryItem> inventory, InstanceDescription? description)
    {
        var instances = inventory.Where(i => i.Kind == ResourceKinds.Instance && i.Attributes?.GetValueOrDefault(NodeAttributes.Pool) is not null).ToList();
        var live = description?.Instances?.ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
        var names = poolNames.Concat(instances.Select(i => i.Attributes![NodeAttributes.Pool])).Distinct(StringComparer.Ordinal);
        var pools = names.Select(pool => new PoolNodes(pool, instances
                .Where(i => i.Attributes![NodeAttributes.Pool] == pool)
                .Select(item => Node(item, live is null ? null : live.GetValueOrDefault(item.Id)))
                .OrderBy(n => n.LaunchTime ?? DateTimeOffset.MaxValue).ThenBy(n => n.InstanceId, StringComparer.Ordinal)
                .ToList()))
            .ToList();
        return live is null && description?.Error is { } error
            ? new NodeListing(NodeSources.Inventory, error, pools)
            : new NodeListing(live is null ? NodeSources.Inventory : NodeSources.Cloud, null, pools);
    }

    private static ClusterNode Node(InventoryItem item, DescribedInstance? described) => new(
        item.Id, item.Name ?? item.Id, described?.AvailabilityZone ?? item.AvailabilityZone, described?.InstanceType, described?.CapacityType,
        described?.State, described?.Phase, described?.LaunchTime, described?.PrivateIp, described?.PhaseMessage, described?.KubernetesVersion);
}

/// <summary>
/// Lists a cluster's node pools with their nodes: the recorded instances, described by EC2 in one call
/// through the cluster's cloud account. When EC2 cannot be read the answer is the record alone, saying why.
/// </summary>
public sealed class ClusterNodeService(IClusterStore clusters, ICloudAccountStore accounts, IInventoryStore inventory, IClusterInstances instances)
{
    public async Task<NodePoolsWithNodes> ListAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var cluster = await clusters.GetAsync(scope, name, ct);
        if (cluster is null || cluster.Status == ClusterStatus.Deleted)
            throw new NotFoundException($"cluster '{name}' not found");
        var pools = cluster.Spec.NodePools ?? [];
        var items = await inventory.ListAsync(cluster, ct);
        var ids = items.Where(i => i.Kind == ResourceKinds.Instance && i.Attributes?.GetValueOrDefault(NodeAttributes.Pool) is not null).Select(i => i.Id).ToList();
        InstanceDescription? description = null;
        if (ids.Count > 0)
        {
            var accountName = cluster.Definition.CloudAccount;
            description = await accounts.GetAsync(scope, accountName, ct) is { } account
                ? await instances.DescribeAsync(cluster, account, ids, ct)
                : InstanceDescription.Failed($"cloud account '{accountName}' no longer exists: the nodes are shown as recorded");
        }
        return new NodePoolsWithNodes(pools, NodeListings.Of(pools.Select(p => p.Name ?? "").ToList(), items, description));
    }
}
