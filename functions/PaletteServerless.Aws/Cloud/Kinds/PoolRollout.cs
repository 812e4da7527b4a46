using System.Security.Cryptography;
using System.Text;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>Where one pool's rolling update stands after a pass.</summary>
/// <param name="Current">Healthy nodes launched from the pool's current spec.</param>
/// <param name="Stale">Nodes still to be replaced or removed (launched from an older spec, or beyond count).</param>
/// <param name="WaitSeconds">How long until the next pass can see a change: the modelled wait of what the pool waits for.</param>
/// <param name="WaitingFor">What that wait is for, when the next pass needs to know (<see cref="PoolRollout.NodeBoot"/>).</param>
public sealed record PoolProgress(string Pool, bool Converged, int Current, int Count, int Stale, int Launched, int Terminated, int WaitSeconds,
    IReadOnlyList<string>? WaitingFor = null)
{
    public string Describe() => Count == 0
        ? $"{Stale} node(s) left to remove in {Pool}"
        : $"{Current} of {Count} nodes replaced in {Pool}" + (Stale > 0 ? $" ({Stale} old node(s) left)" : "");
}

/// <summary>
/// One pass of the rolling update of one pool, as <see cref="RollingUpdatePlanner"/> says: read the pool's nodes
/// (inventory, one describe, and for the control plane the target health), then launch and retire what the
/// planner asks. A control-plane node joins the API load balancer and must pass its health check before an old
/// one is deregistered; the old one is terminated only once its deregistration delay has drained it. Safe to
/// run again: a launch is recorded before the pass goes on, and its name and ClientToken come from what the pool
/// held when the pass began, so a re-run after a lost answer adopts the same instance.
/// </summary>
public sealed class PoolRollout(ClusterResources resources, NodePoolKind nodes)
{
    /// <summary>The inventory attribute of a node the update decided to remove (draining, then terminated).</summary>
    public const string RetiringAttribute = "retiring";

    /// <summary>When the node began to drain (ISO 8601), to wait out the deregistration delay instead of polling through it.</summary>
    public const string RetiringSinceAttribute = "retiringSince";

    /// <summary>A pass's wait for booting nodes' reports: the pass after it polls each health check instead.</summary>
    public const string NodeBoot = "nodeBoot";

    /// <summary>ELBv2's default deregistration delay (the target group attribute deregistration_delay.timeout_seconds).</summary>
    public const int DeregistrationDelaySeconds = 300;

    private static readonly int InstanceStartSeconds = (int)TypicalLatency.InstanceStart.TotalSeconds;

    private static readonly int NodeBootSeconds = (int)TypicalLatency.NodeBoot.TotalSeconds;

    /// <summary>The target group's health check: interval 5 s, healthy after 2 checks.</summary>
    private const int HealthCheckSeconds = 10;

    private ILoadBalancers LoadBalancers => resources.Cloud.LoadBalancers;

    /// <param name="zones">The pool's zones (the spec's, or for static placement its subnets' zones).</param>
    /// <param name="launch">Prepares what every launch shares, only when the pass launches.</param>
    /// <param name="subnetFor">The subnet of a new node of the pool in a zone.</param>
    /// <param name="waitedForBoot">The previous pass waited out a typical boot (its <see cref="PoolProgress.WaitingFor"/> named <see cref="NodeBoot"/>).</param>
    public async Task<PoolProgress> PassAsync(
        string pool, IReadOnlyList<string> zones, Func<Task<NodeLaunch>> launch, Func<string, string> subnetFor, bool waitedForBoot, CancellationToken ct)
    {
        var batches = new NodeBatches(resources, nodes);
        var cluster = resources.Cluster;
        // A batch of new nodes an earlier pass recorded and did not finish: finished first, so the pass counts its nodes.
        if (batches.HasUnfinished(pool) && cluster.Definition.Pool(pool) is { } pending)
            await batches.FinishAsync(PlanOf(pool, pending, zones.FirstOrDefault() ?? "", "", ""), await launch(), subnetFor, ct);
        var (target, role, nodeList, health) = await ReadAsync(pool, zones, ct);
        // A node that reported it cannot become usable never will: the update fails now, naming it and why,
        // instead of waiting out the startup timeout to say only that it never got ready.
        if (nodeList.Select(n => FailureOf(n)).FirstOrDefault(f => f is not null) is { } failure)
            throw new ProvisioningFailedException(failure);
        var isControlPlane = role == NodePoolRoles.ControlPlane;
        var terminated = new List<string>();
        var deregistered = 0;

        // New control-plane nodes join the load balancer as soon as they run; nothing else serves the API.
        if (isControlPlane)
        {
            var unregistered = nodeList.Where(n => n.State == NodeState.Launching && n.Instance.State == "running" && !health.ContainsKey(n.Node.Id))
                .Select(n => n.Node.Id).ToList();
            if (unregistered.Count > 0)
                await LoadBalancers.RegisterAsync(resources.Id(ResourceKinds.TargetGroup), unregistered, ct);
        }

        // Retiring nodes: terminated once drained (the control plane) or at once (workers).
        terminated.AddRange(nodeList.Where(n => n.Retiring && n.Instance.State is "pending" or "running" or "stopping" or "stopped")
            .Where(n => !(isControlPlane && health.GetValueOrDefault(n.Node.Id) == "draining")).Select(n => n.Node.Id));

        var poolNodes = nodeList.Select(n => n.Node).ToList();
        var step = RollingUpdatePlanner.Next(target, poolNodes);
        var byId = resources.All(ResourceKinds.Instance).ToDictionary(i => i.Id, StringComparer.Ordinal);
        // Marked before anything is terminated: a pass that stops half-way finds them retiring and finishes.
        await Parallel.ForEachAsync(step.TerminateIds, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
            async (id, token) => await MarkRetiringAsync(resources, byId[id], token));
        var draining = new List<string>();
        foreach (var id in step.TerminateIds)
        {
            if (isControlPlane && health.TryGetValue(id, out var state) && state is not ("draining" or "unused"))
            {
                // Draining first: the API keeps its quorum of healthy targets; terminated on a later pass.
                draining.Add(id);
                continue;
            }
            if (!terminated.Contains(id))
                terminated.Add(id);
        }
        if (draining.Count > 0)
        {
            await LoadBalancers.DeregisterAsync(resources.Id(ResourceKinds.TargetGroup), draining, ct);
            deregistered = draining.Count;
        }
        // In batches: one TerminateInstances for up to NodePoolKind.TerminateBatch nodes.
        await nodes.TerminateManyAsync(terminated, ct);

        if (step.LaunchZones.Count > 0)
        {
            var shared = await launch();
            var spec = cluster.Definition.Pool(pool)!;
            var before = string.Join(",", resources.All(ResourceKinds.Instance).Where(i => PoolOf(i) == pool).Select(i => i.Id).Order(StringComparer.Ordinal));
            var plans = step.LaunchZones.Select((zone, i) =>
            {
                var suffix = Hash($"{cluster.Uid}|{pool}|{target.Fingerprint}|{zone}|{i}|{before}");
                return PlanOf(pool, spec, zone, $"{cluster.Name}-{pool}-{suffix[..8]}", $"{cluster.Uid}-{suffix[..24]}");
            }).ToList();
            // Nodes named by their hosts (workers) launch in batches per zone; the others one call each.
            foreach (var plan in plans.Where(p => !p.NamedByHost))
                await nodes.LaunchAsync(plan, shared, subnetFor(plan.AvailabilityZone), ct);
            await batches.LaunchAsync(plans.Where(p => p.NamedByHost).ToList(), shared, subnetFor, ct);
        }

        var converged = step.IsEmpty && terminated.Count == 0 && RollingUpdatePlanner.IsConverged(target, poolNodes);
        var alive = poolNodes.Where(n => n.State != NodeState.Terminating).ToList();
        var (wait, waitingFor) = WaitOf(nodeList, step, deregistered > 0, terminated, waitedForBoot);
        return new PoolProgress(pool, converged,
            alive.Count(n => n.State == NodeState.Healthy && target.IsCurrent(n)), target.Count,
            alive.Count(n => !target.IsCurrent(n)) + Math.Max(0, alive.Count(target.IsCurrent) - target.Count),
            step.LaunchZones.Count, terminated.Count + deregistered,
            wait, waitingFor);
    }

    // Index 1: a new control-plane node joins the existing control plane, never initialises one.
    private static InstancePlan PlanOf(string pool, NodePoolDefinition spec, string zone, string name, string clientToken) =>
        new(pool, spec.Role, 1, zone, spec.InstanceType, spec.CapacityType, spec.MaxSpotPrice, spec.DiskSizeGiB, name, clientToken);

    /// <summary>
    /// The wait before the next pass: a control-plane node this pass began to drain, its deregistration delay;
    /// one already draining, what is left of it; a launch, the instance's start; a terminate (what the next
    /// launch waits for), the instance's termination; a running node not yet reported, a fair part of its
    /// boot; anything else one health check. Short of that, a pass could only see nothing new.
    /// </summary>
    private (int Seconds, IReadOnlyList<string>? For) WaitOf(List<ObservedNode> observed, RolloutStep step, bool drainingStarted,
        IReadOnlyCollection<string> terminatedNow, bool waitedForBoot)
    {
        // A running node that has not reported ready is still booting (cloud-init, kubeadm): looked at again when the first
        // of them should have reported (what is left of a typical boot, never more than one whole boot), and at every
        // health check once that wait is over. A fixed cadence would either see nothing new or leave a ready node waiting
        // for the look (half a cadence on average, at every node of a roll).
        var booting = observed.Where(n => n.State == NodeState.Launching && n.Instance.State == "running").ToList();
        var seconds = WaitSeconds(observed, step, drainingStarted, terminatedNow);
        if (booting.Count == 0)
            return (seconds ?? HealthCheckSeconds, null);
        // Still booting after the boot's wait: every health check from now on, and the next pass knows it too.
        int bootWait;
        if (waitedForBoot)
            bootWait = HealthCheckSeconds;
        else
        {
            var now = resources.Clock.GetUtcNow();
            var firstReport = booting.Min(n => n.Instance.LaunchTime ?? now) + TimeSpan.FromSeconds(InstanceStartSeconds + NodeBootSeconds);
            bootWait = Math.Clamp((int)Math.Ceiling((firstReport - now).TotalSeconds), HealthCheckSeconds, NodeBootSeconds);
        }
        // The sooner of the two. A pass that retired the old nodes of the wave's first ready nodes, while the rest of the wave
        // still boots, looks again at the next health check: waiting out the termination instead would find the rest ready
        // and the first old nodes gone at once, and launch part of the next wave now and the rest a whole launch later,
        // splitting every wave after it in two.
        return seconds is { } other && other < bootWait ? (other, null) : (bootWait, [NodeBoot]);
    }

    private int? WaitSeconds(List<ObservedNode> observed, RolloutStep step, bool drainingStarted, IReadOnlyCollection<string> terminatedNow)
    {
        if (drainingStarted)
            return DeregistrationDelaySeconds;
        var now = resources.Clock.GetUtcNow();
        var draining = observed.Where(n => n.Retiring && n.Instance.State == "running" && !terminatedNow.Contains(n.Node.Id))
            .Select(n => resources.All(ResourceKinds.Instance).FirstOrDefault(i => i.Id == n.Node.Id)?.Attributes?.GetValueOrDefault(RetiringSinceAttribute))
            .Select(since => DateTimeOffset.TryParse(since, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at)
                ? DeregistrationDelaySeconds - (int)(now - at).TotalSeconds
                : HealthCheckSeconds)
            .ToList();
        if (draining.Count > 0)
            return Math.Clamp(draining.Max(), HealthCheckSeconds, DeregistrationDelaySeconds);
        if (step.LaunchZones.Count > 0)
            return InstanceStartSeconds;
        if (terminatedNow.Count > 0)
            return (int)TypicalLatency.InstanceTermination.TotalSeconds;
        if (observed.Any(n => n.Instance.State == "pending"))
            return HealthCheckSeconds * 2;
        return null;
    }

    /// <summary>
    /// After a failed update: terminates the pool's new nodes that never became healthy (nothing half-made is
    /// left); healthy nodes, replaced or not, stay. Returns the ids terminated.
    /// </summary>
    public async Task<IReadOnlyList<string>> RemoveUnhealthyNewAsync(string pool, IReadOnlyList<string> zones, CancellationToken ct)
    {
        var (target, _, nodeList, _) = await ReadAsync(pool, zones, ct);
        var removed = new List<string>();
        foreach (var node in nodeList.Where(n => n.State is NodeState.Launching or NodeState.Unhealthy && target.IsCurrent(n.Node)))
        {
            // Retired, not just terminated: remediation would otherwise take it for a node that went away and replace it.
            if (resources.All(ResourceKinds.Instance).FirstOrDefault(i => i.Id == node.Node.Id) is { } item)
                await MarkRetiringAsync(resources, item, ct);
            await nodes.TerminateAsync(node.Node.Id, ct);
            removed.Add(node.Node.Id);
        }
        return removed;
    }

    /// <summary>
    /// Records that the product is taking a node away (and since when): a rollout or a remediation no longer
    /// counts it as one of its pool's, and once EC2 reports it gone it is forgotten. Recorded once.
    /// </summary>
    public static async Task MarkRetiringAsync(ClusterResources resources, InventoryItem item, CancellationToken ct)
    {
        if (item.Attributes?.GetValueOrDefault(RetiringAttribute) == "true")
            return;
        await resources.RecordAsync(item with
        {
            Attributes = new Dictionary<string, string>(item.Attributes ?? [])
            {
                [RetiringAttribute] = "true",
                [RetiringSinceAttribute] = resources.Clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            },
        }, ct);
    }

    /// <summary>The pools with nodes in the inventory (a removed pool's nodes stay there until they are gone).</summary>
    public static IReadOnlyList<string> PoolsWithNodes(ClusterResources resources) =>
        resources.All(ResourceKinds.Instance).Select(PoolOf).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    private sealed record ObservedNode(PoolNode Node, PoolInstance Instance, bool Retiring)
    {
        public NodeState State => Node.State;
    }

    private async Task<(RolloutTarget Target, string Role, List<ObservedNode> Nodes, Dictionary<string, string> Health)> ReadAsync(
        string pool, IReadOnlyList<string> zones, CancellationToken ct)
    {
        var cluster = resources.Cluster;
        var definition = cluster.Definition;
        var spec = definition.Pool(pool);
        var items = resources.All(ResourceKinds.Instance).Where(i => PoolOf(i) == pool).ToList();
        var role = spec?.Role ?? items.Select(i => i.Attributes?.GetValueOrDefault(NodeAttributes.Role)).FirstOrDefault(r => r is not null) ?? NodePoolRoles.Worker;
        var described = await nodes.ListAsync(pool, ct);

        // What EC2 no longer knows, or reports terminated, is gone: forgotten, so the pool's count is true.
        var describedById = described.ToDictionary(d => d.InstanceId, StringComparer.Ordinal);
        var gone = items.Where(i => describedById.GetValueOrDefault(i.Id) is not { } instance || instance.State == "terminated").ToList();
        await resources.ForgetManyAsync(gone, ct);

        var health = new Dictionary<string, string>(StringComparer.Ordinal);
        if (role == NodePoolRoles.ControlPlane && items.Count > 0)
        {
            foreach (var target in await LoadBalancers.TargetHealthAsync(resources.Id(ResourceKinds.TargetGroup), ct))
                health[target.InstanceId] = target.State;
        }

        var observed = new List<ObservedNode>();
        var itemsById = items.ToDictionary(i => i.Id, StringComparer.Ordinal);
        foreach (var instance in described.Where(d => d.State != "terminated"))
        {
            var item = itemsById[instance.InstanceId];
            var retiring = item.Attributes?.GetValueOrDefault(RetiringAttribute) == "true";
            var state = instance.State switch
            {
                _ when retiring => NodeState.Terminating,
                "shutting-down" => NodeState.Terminating,
                "pending" => NodeState.Launching,
                // A node serves once it reports so itself (NodePhases); a control-plane node also once the API load balancer finds it healthy.
                "running" when health.GetValueOrDefault(instance.InstanceId) == "draining" => NodeState.Terminating,
                "running" when !Reported(instance, item) => NodeState.Launching,
                "running" when role != NodePoolRoles.ControlPlane => NodeState.Healthy,
                "running" => health.GetValueOrDefault(instance.InstanceId) == "healthy" ? NodeState.Healthy : NodeState.Launching,
                _ => NodeState.Unhealthy,
            };
            var fingerprint = ClusterUpdates.NodeFingerprint(cluster, pool, item.Attributes?.GetValueOrDefault(LaunchFingerprint.AttributeName));
            observed.Add(new ObservedNode(
                new PoolNode(instance.InstanceId, pool, instance.AvailabilityZone ?? item.AvailabilityZone ?? "", instance.LaunchTime ?? item.RecordedAt, fingerprint, state),
                instance, retiring));
        }

        // A removed pool's target: no nodes, and every one may go at once.
        var rollout = spec is null
            ? new RolloutTarget(0, "", [], 0, Math.Max(1, observed.Count), OneAtATime: false)
            : RolloutTarget.Of(definition, spec, zones);
        return (rollout, role, observed, health);
    }

    /// <summary>What a node of the pool (not one being retired) reported as its failure, naming it; null when it reported none.</summary>
    private string? FailureOf(ObservedNode node)
    {
        if (node.Retiring || node.Node.State == NodeState.Terminating || !NodePhases.IsFailure(node.Instance.Phase))
            return null;
        var item = resources.All(ResourceKinds.Instance).FirstOrDefault(i => i.Id == node.Node.Id);
        if (item?.Attributes?.GetValueOrDefault(NodeReadiness.ReportsPhasesAttribute) != "true")
            return null;
        return new NodeReport(node.Instance.InstanceId, node.Instance.Name, item.Attributes?.GetValueOrDefault(NodeReadiness.FirstControlPlaneAttribute) == "true",
            node.Instance.Phase, node.Instance.Message).Failure;
    }

    /// <summary>Whether the node reported itself ready (the first control plane: its packs applied); a node launched before nodes reported counts as it did then.</summary>
    private static bool Reported(PoolInstance instance, InventoryItem item) =>
        item.Attributes?.GetValueOrDefault(NodeReadiness.ReportsPhasesAttribute) != "true" ||
        new NodeReport(instance.InstanceId, instance.Name, item.Attributes?.GetValueOrDefault(NodeReadiness.FirstControlPlaneAttribute) == "true", instance.Phase, null).IsReady;

    private static string? PoolOf(InventoryItem item) => item.Attributes?.GetValueOrDefault(NodeAttributes.Pool);

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
