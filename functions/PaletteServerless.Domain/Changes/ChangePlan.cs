using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Changes;

/// <summary>
/// What a change does to one pool's nodes, from the nodes it has now: the ids replaced (terminated, each with a
/// new node in its place), how many nodes are added beyond those, the zone of every node launched
/// (replacements and additions), the ids removed without replacement, and the pool's hourly cost before and after
/// (null when its instance type has no known price).
/// </summary>
public sealed record PoolChangePlan(
    string Pool, string Change, IReadOnlyList<string> ChangedFields,
    IReadOnlyList<string> ReplacedNodeIds, int AddedCount, IReadOnlyList<string> LaunchZones, IReadOnlyList<string> RemovedNodeIds,
    decimal? OldHourlyCostUsd, decimal? NewHourlyCostUsd);

/// <summary>
/// A PATCH dry run's answer: the generation the change would get, the changed cluster fields, each pool's plan,
/// the update order (stages of pool names), and the cluster's estimated hourly cost before and after.
/// </summary>
public sealed record ChangePlan(
    long Generation, IReadOnlyList<string> ChangedFields, IReadOnlyList<PoolChangePlan> Pools, IReadOnlyList<IReadOnlyList<string>> Stages,
    decimal OldEstimatedHourlyCostUsd, decimal NewEstimatedHourlyCostUsd, IReadOnlyList<string> UnpricedInstanceTypes)
{
    /// <summary>A change of the Kubernetes version: from, to, and the order (<see cref="KubernetesUpgrade"/>); null otherwise.</summary>
    public KubernetesUpgradePlan? Upgrade { get; init; }

    /// <summary>
    /// The plan of moving <paramref name="cluster"/> to <paramref name="next"/> (validated, e.g. by
    /// <see cref="ClusterChanges.Validate"/>), given the nodes the cluster has now (any pool; terminating ones are ignored).
    /// Pure: the same inputs always give the same plan, and it is the end state the rolling update converges to.
    /// </summary>
    public static ChangePlan Of(Cluster cluster, ClusterSpec next, IReadOnlyList<PoolNode> nodes)
    {
        var diff = ClusterDiff.Of(cluster.Spec, next);
        var (was, will) = (cluster.Definition, ClusterDefinition.From(next));
        var pools = diff.Pools.Select(change => PlanPool(
            change, will, will.Pool(change.Pool), was.Pool(change.Pool),
            nodes.Where(n => n.Pool == change.Pool && n.State != NodeState.Terminating).ToList())).ToList();
        var before = PlanSummary.Of(cluster, ClusterPlan.Build(cluster));
        var afterCluster = cluster with { Spec = next };
        var after = PlanSummary.Of(afterCluster, ClusterPlan.Build(afterCluster));
        // The network stays as built (its zones are fixed at create): only the nodes' lines change.
        var newCost = Math.Round(before.EstimatedHourlyCostUsd - NodesHour(before) + NodesHour(after), 4);
        return new ChangePlan(
            diff.IsEmpty ? cluster.Generation : Math.Max(cluster.Generation, 1) + 1,
            diff.ChangedFields, pools, ClusterDiff.Stages(will),
            before.EstimatedHourlyCostUsd, newCost,
            [.. before.UnpricedInstanceTypes.Union(after.UnpricedInstanceTypes).Order(StringComparer.Ordinal)]);
    }

    private static PoolChangePlan PlanPool(PoolChange change, ClusterDefinition next, NodePoolDefinition? pool, NodePoolDefinition? oldPool, List<PoolNode> alive)
    {
        var oldCost = PoolHour(oldPool);
        if (pool is null)
            return new PoolChangePlan(change.Pool, change.Kind, change.ChangedFields, [], 0, [], [.. ZoneBalance.ScaleInOrder(alive).Select(n => n.Id)], oldCost, 0);

        // Without zones in the spec (static placement), the pool stays in the zones its nodes are in.
        var zones = pool.AvailabilityZones.Count > 0 ? pool.AvailabilityZones : alive.Select(n => n.Zone).Distinct(StringComparer.Ordinal).ToList();
        var target = RolloutTarget.Of(next, pool, zones);
        var good = alive.Where(n => target.IsCurrent(n) && n.State != NodeState.Unhealthy).ToList();
        var surplus = ZoneBalance.ScaleInOrder(good).Take(Math.Max(0, good.Count - target.Count)).ToList();
        var kept = good.Except(surplus).ToList();
        var launches = target.Count - kept.Count;
        var stale = ZoneBalance.ScaleInOrder(alive.Except(good));
        var removedStale = stale.Take(Math.Max(0, stale.Count - launches)).ToList();
        var replaced = stale.Skip(removedStale.Count).ToList();
        return new PoolChangePlan(
            change.Pool, change.Kind, change.ChangedFields,
            [.. replaced.Select(n => n.Id)], launches - replaced.Count,
            ZoneBalance.PlaceNew(target.Zones, kept.Select(n => n.Zone), launches),
            [.. surplus.Concat(removedStale).Select(n => n.Id)],
            oldCost, PoolHour(pool));
    }

    private static decimal NodesHour(PlanSummary summary) =>
        summary.Resources.Where(r => r.Kind is ResourceKinds.Instance or ResourceKinds.Volume).Sum(r => r.HourlyCostUsd ?? 0);

    /// <summary>A pool's instances and root volumes per hour, as the create's plan prices them.</summary>
    private static decimal? PoolHour(NodePoolDefinition? pool)
    {
        if (pool is null)
            return 0;
        var instance = new InstancePlan(pool.Name, pool.Role, 0, "", pool.InstanceType, pool.CapacityType, pool.MaxSpotPrice, pool.DiskSizeGiB, "", "");
        return Prices.InstanceHour(instance) is { } hour ? Math.Round((hour + Prices.VolumeHour(pool.DiskSizeGiB)) * pool.Count, 4) : null;
    }
}
