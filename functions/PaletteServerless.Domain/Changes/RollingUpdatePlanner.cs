using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Changes;

/// <summary>
/// What one pool should become: <see cref="Count"/> healthy nodes launched with <see cref="Fingerprint"/>,
/// spread over <see cref="Zones"/> (empty: the caller has no zone list and any zone will do).
/// </summary>
public sealed record RolloutTarget(int Count, string Fingerprint, IReadOnlyList<string> Zones, int MaxSurge, int MaxUnavailable, bool OneAtATime)
{
    /// <summary>
    /// The target of a validated pool. Percents resolve against count as Cluster API does (maxSurge rounds up,
    /// maxUnavailable down); if both come to 0, maxUnavailable becomes 1, as a Kubernetes Deployment does, so the
    /// update can always move. The control-plane pool rolls one node at a time, a new one before an old one goes.
    /// </summary>
    public static RolloutTarget Of(ClusterDefinition cluster, NodePoolDefinition pool, IReadOnlyList<string>? zones = null)
    {
        var fingerprint = LaunchFingerprint.Of(cluster, pool);
        var poolZones = zones ?? pool.AvailabilityZones;
        if (pool.IsControlPlane)
            return new RolloutTarget(pool.Count, fingerprint, poolZones, MaxSurge: 1, MaxUnavailable: 0, OneAtATime: true);
        var (surge, unavailable) = Resolve(pool.UpdateStrategy.MaxSurge, pool.UpdateStrategy.MaxUnavailable, pool.Count);
        return new RolloutTarget(pool.Count, fingerprint, poolZones, surge, unavailable, OneAtATime: false);
    }

    /// <summary>The target of a pool of a validated wire spec.</summary>
    public static RolloutTarget Of(ClusterSpec spec, NodePoolSpec pool, IReadOnlyList<string>? zones = null) =>
        Of(ClusterDefinition.From(spec), NodePoolDefinition.From(pool, $"nodePools[{pool.Name}]"), zones);

    public static (int MaxSurge, int MaxUnavailable) Resolve(IntOrPercent maxSurge, IntOrPercent maxUnavailable, int count)
    {
        var surge = maxSurge.Resolve(count, roundUp: true);
        var unavailable = maxUnavailable.Resolve(count, roundUp: false);
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    /// <summary>A node of the target's kind: the right fingerprint, in one of the target's zones.</summary>
    public bool IsCurrent(PoolNode node) =>
        node.Fingerprint == Fingerprint && (Zones.Count == 0 || Zones.Contains(node.Zone, StringComparer.Ordinal));
}

/// <summary>The next actions on a pool: launch one node per listed zone, terminate the listed instance ids.</summary>
public sealed record RolloutStep(IReadOnlyList<string> LaunchZones, IReadOnlyList<string> TerminateIds)
{
    public static readonly RolloutStep Nothing = new([], []);

    public bool IsEmpty => LaunchZones.Count == 0 && TerminateIds.Count == 0;
}

/// <summary>
/// The rolling update of one pool, as a pure function of its target and its nodes; the caller applies the
/// step, waits for nodes to change state, and asks again. Guarantees of every step:
/// <list type="bullet">
/// <item>it launches only while the nodes that exist (terminating ones included) stay within count + maxSurge;</item>
/// <item>it terminates a healthy node only while count - maxUnavailable healthy ones remain (it never lowers a
/// healthy count that failures already took below that);</item>
/// <item>one at a time: nothing while a node is launching or terminating, and at most one action;</item>
/// <item>asked again and again as nodes settle, it ends with count healthy current nodes and nothing else.</item>
/// </list>
/// </summary>
public static class RollingUpdatePlanner
{
    public static RolloutStep Next(RolloutTarget target, IReadOnlyList<PoolNode> nodes)
    {
        if (target.OneAtATime && nodes.Any(n => n.State is NodeState.Launching or NodeState.Terminating))
            return RolloutStep.Nothing;
        var alive = nodes.Where(n => n.State != NodeState.Terminating).ToList();
        var healthy = alive.Count(n => n.State == NodeState.Healthy);
        var floor = target.Count - target.MaxUnavailable;
        var terminate = new List<PoolNode>();

        // Nodes that serve nothing go first: terminating them never lowers availability.
        terminate.AddRange(alive.Where(n => n.State == NodeState.Unhealthy));
        terminate.AddRange(alive.Where(n => n.State == NodeState.Launching && !target.IsCurrent(n)));

        bool MayTerminate(PoolNode node)
        {
            if (node.State != NodeState.Healthy)
                return true;
            if (healthy - 1 < floor)
                return false;
            healthy--;
            return true;
        }

        // Stale healthy nodes, balanced: as many as maxUnavailable (and the surge already running) allows.
        foreach (var node in ZoneBalance.ScaleInOrder(alive.Where(n => n.State == NodeState.Healthy && !target.IsCurrent(n))))
        {
            if (MayTerminate(node))
                terminate.Add(node);
        }

        // Current nodes beyond count (scale-in): from the fullest zone, oldest first.
        var current = alive.Where(n => n.State != NodeState.Unhealthy && target.IsCurrent(n)).ToList();
        var excess = current.Count - target.Count;
        foreach (var node in ZoneBalance.ScaleInOrder(current))
        {
            if (excess <= 0)
                break;
            if (MayTerminate(node))
            {
                terminate.Add(node);
                current.Remove(node);
                excess--;
            }
        }

        // Launch what is missing, as far as the surge allows: a node asked to terminate still exists.
        var missing = target.Count - current.Count;
        var room = target.Count + target.MaxSurge - nodes.Count;
        var launches = Math.Max(0, Math.Min(missing, room));
        if (target.OneAtATime)
        {
            if (terminate.Count > 0)
                return new RolloutStep([], [terminate[0].Id]);
            launches = Math.Min(launches, 1);
        }
        return new RolloutStep(
            ZoneBalance.PlaceNew(target.Zones, current.Select(n => n.Zone), launches),
            terminate.Select(n => n.Id).ToList());
    }

    /// <summary>Done: exactly count nodes, all current and healthy, none launching or terminating.</summary>
    public static bool IsConverged(RolloutTarget target, IReadOnlyList<PoolNode> nodes) =>
        nodes.Count == target.Count && nodes.All(n => n.State == NodeState.Healthy && target.IsCurrent(n));
}
