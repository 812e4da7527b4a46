using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Remediation;

/// <summary>
/// One move of a remediation: launch a node in the pool (trying <see cref="Zones"/> in order) and then retire
/// <see cref="OldInstanceId"/>, or, when the pool already has its count without it, only retire it.
/// </summary>
/// <param name="OldInstanceId">The failed node; null for a node missing from the pool altogether.</param>
public sealed record Replacement(string Pool, string Role, string? OldInstanceId, UnhealthyReason? Reason, bool Launch, IReadOnlyList<string> Zones)
{
    public string Describe(HealthCheckSpec? check) => OldInstanceId is null
        ? $"pool {Pool} is missing a node"
        : $"node {OldInstanceId} of pool {Pool}: {NodeHealth.Describe(Reason ?? UnhealthyReason.Gone, check)}";
}

/// <summary>One pool as the health check found it, and what to do about it.</summary>
/// <param name="Paused">Why nothing is replaced although nodes failed (too many at once, or the control plane lost quorum).</param>
public sealed record PoolVerdict(
    string Pool, string Role, int Expected, int Healthy, int Starting, int Missing,
    IReadOnlyList<(NodeObservation Node, UnhealthyReason Reason)> Unhealthy, string? Paused, IReadOnlyList<Replacement> Replacements)
{
    public int Failing => Unhealthy.Count + Missing;
}

/// <summary>Every pool's verdict; pools whose health check is off are left out.</summary>
public sealed record RemediationDecision(IReadOnlyList<PoolVerdict> Pools)
{
    public IEnumerable<Replacement> Replacements => Pools.SelectMany(p => p.Replacements);
    public IEnumerable<PoolVerdict> PausedPools => Pools.Where(p => p.Paused is not null);
    public bool AnyFailing => Pools.Any(p => p.Failing > 0);
}

/// <summary>
/// Decides which nodes have failed and how to replace them, as Cluster API's MachineHealthCheck does: a failed
/// node is replaced in its pool and zone (a new one first, the old one retired once the new one is Ready); more
/// failed nodes than maxUnhealthy pauses the pool instead (that looks like an outage, and replacing nodes into
/// it would make things worse); control-plane nodes are replaced one at a time and only while etcd keeps its
/// quorum, since a new member cannot join without it.
/// </summary>
public static class RemediationPlanner
{
    public static RemediationDecision Decide(
        ClusterSpec spec, IReadOnlyList<NodeObservation> nodes, IReadOnlyDictionary<string, IReadOnlyList<string>> poolZones,
        IReadOnlyList<CapacityShortage> shortages, DateTimeOffset now)
    {
        var verdicts = new List<PoolVerdict>();
        foreach (var pool in spec.NodePools ?? [])
        {
            if (pool.Name is not { } name || pool.Count is not { } expected || ClusterSpecValidator.WithDefaults(pool.HealthCheck).Enabled != true)
                continue;
            var zones = poolZones.GetValueOrDefault(name) ?? pool.AvailabilityZones ?? [];
            verdicts.Add(DecidePool(pool, name, expected, nodes.Where(n => n.Pool == name && !n.Retiring).ToList(), zones, shortages, now));
        }
        return new RemediationDecision(verdicts);
    }

    private static PoolVerdict DecidePool(
        NodePoolSpec pool, string name, int expected, List<NodeObservation> members, IReadOnlyList<string> zones,
        IReadOnlyList<CapacityShortage> shortages, DateTimeOffset now)
    {
        var role = pool.Role ?? NodePoolRoles.Worker;
        var healthy = 0;
        var starting = 0;
        var unhealthy = new List<(NodeObservation Node, UnhealthyReason Reason)>();
        foreach (var node in members)
        {
            switch (NodeHealth.Assess(node, pool.HealthCheck, now, out var reason))
            {
                case NodeHealthState.Healthy: healthy++; break;
                case NodeHealthState.Starting: starting++; break;
                default: unhealthy.Add((node, reason)); break;
            }
        }
        var missing = Math.Max(0, expected - members.Count);
        var failing = unhealthy.Count + missing;
        PoolVerdict Verdict(string? paused, IReadOnlyList<Replacement> replacements) =>
            new(name, role, expected, healthy, starting, missing, unhealthy, paused, replacements);
        if (failing == 0)
            return Verdict(null, []);

        var check = ClusterSpecValidator.WithDefaults(pool.HealthCheck);
        if (!HealthCheckPolicy.MayRemediate(check, expected, expected - failing))
            return Verdict($"{failing} of {expected} nodes of pool {name} are unhealthy, more than maxUnhealthy {check.MaxUnhealthy}: "
                + "no node is replaced until enough of them recover (a wider outage, where replacements would make it worse)", []);
        var isControlPlane = role == NodePoolRoles.ControlPlane;
        var quorum = expected / 2 + 1;
        if (isControlPlane && healthy < quorum)
            return Verdict($"{healthy} of {expected} control-plane nodes of pool {name} are healthy, fewer than etcd's quorum of {quorum}: "
                + "a new member cannot join; restore the control plane from a backup", []);

        // New nodes: as many as the pool is short of nodes that are up or still starting; the control plane one at
        // a time, and none while one of its nodes is still starting.
        var launches = Math.Max(0, expected - healthy - starting);
        if (isControlPlane)
            launches = starting > 0 ? 0 : Math.Min(launches, 1);
        var replacements = new List<Replacement>();
        var alive = healthy + starting;
        foreach (var (node, reason) in unhealthy.OrderBy(u => u.Reason).ThenBy(u => u.Node.LaunchedAt).ThenBy(u => u.Node.InstanceId, StringComparer.Ordinal))
        {
            if (launches > 0)
            {
                launches--;
                replacements.Add(new Replacement(name, role, node.InstanceId, reason, Launch: true, ZoneFallback.Order(name, node.Zone, zones, shortages, now)));
            }
            else if (alive >= expected)
            {
                // The pool has its count without this node (a replacement made earlier is up): only retire it.
                replacements.Add(new Replacement(name, role, node.InstanceId, reason, Launch: false, []));
            }
        }
        var placed = ZoneBalance.PlaceNew(zones, members.Where(m => !unhealthy.Any(u => u.Node == m)).Select(m => m.Zone), Math.Min(launches, missing));
        foreach (var zone in placed)
            replacements.Add(new Replacement(name, role, null, null, Launch: true, ZoneFallback.Order(name, zone, zones, shortages, now)));
        return Verdict(null, replacements);
    }
}
