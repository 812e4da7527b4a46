using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.Remediation;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>How far a replacement got.</summary>
public enum ReplacementProgress
{
    /// <summary>Still starting: ask again after a while.</summary>
    Starting,
    /// <summary>Reported Ready (and, for the control plane, passes the API load balancer's health check).</summary>
    Ready,
    /// <summary>It stopped, went away, or did not report Ready within the startup timeout: it was terminated.</summary>
    Failed,
}

/// <summary>What a replacement's launch came to: the new node, or the zones that had no capacity.</summary>
public sealed record LaunchOutcome(InventoryItem? Node, string? Zone, IReadOnlyList<CapacityShortage> Shortages);

/// <summary>
/// The moves of a node remediation over a cluster's recorded instances: observe every node (one describe for state,
/// zone and the node's own phase tag, one read of the status checks, through <see cref="INodeFleet"/>), launch a
/// replacement in the pool (falling back through the zones it is given on capacity errors), see whether it is
/// Ready, and retire the old node (marked retiring in the inventory before it is terminated, so the instance
/// events that follow are known as the product's own).
/// </summary>
public sealed class NodeRemediation(ClusterResources resources, NodePoolKind nodes)
{
    /// <summary>The inventory attribute of a spot node EC2 announced it will reclaim (ISO 8601 time of the warning).</summary>
    public const string SpotInterruptionAttribute = "spotInterruption";

    /// <summary>The inventory attribute of a replacement: the instance it replaces.</summary>
    public const string ReplacesAttribute = "replaces";

    private INodeFleet Nodes => resources.Cloud.Nodes;

    public async Task<IReadOnlyList<NodeObservation>> ObserveAsync(CancellationToken ct)
    {
        var items = resources.All(ResourceKinds.Instance).Where(i => i.Attributes?.GetValueOrDefault(NodeAttributes.Pool) is not null).ToList();
        if (items.Count == 0)
            return [];
        var ids = items.Select(i => i.Id).ToList();
        // In pages, and the status checks of the running ones, as the cloud takes them: a pool of hundreds of nodes is
        // observed in a few calls.
        var described = (await Nodes.DescribeAsync(ids, ct)).DistinctBy(i => i.Id).ToDictionary(i => i.Id, StringComparer.Ordinal);
        var live = described.Values.Where(i => i.State == InstanceStates.Running).Select(i => i.Id).ToList();
        var impaired = (await Nodes.StatusChecksAsync(live, ct)).Where(c => c.IsImpaired).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);

        var observed = new List<NodeObservation>();
        foreach (var item in items)
        {
            var instance = described.GetValueOrDefault(item.Id);
            var state = instance?.State;
            var retiring = item.Attributes?.GetValueOrDefault(PoolRollout.RetiringAttribute) == "true";
            // A node the product retired and EC2 reports gone is done with: forgotten, as a delete pass would.
            if (retiring && state is null or "terminated")
            {
                await resources.ForgetAsync(item, ct);
                continue;
            }
            observed.Add(new NodeObservation
            {
                InstanceId = item.Id,
                Pool = item.Attributes![NodeAttributes.Pool],
                Zone = instance?.Zone ?? item.AvailabilityZone ?? "",
                LaunchedAt = instance?.LaunchTime ?? item.RecordedAt,
                InstanceState = state,
                Impaired = impaired.Contains(item.Id),
                NodePhase = ReportedPhase(item, instance, state),
                // The warning's mark, or EC2's own record of the reclaim: the warning's event may come after the judgement.
                SpotInterrupted = item.Attributes.ContainsKey(SpotInterruptionAttribute) || instance?.StateReasonCode == InstanceStates.SpotTerminationReason,
                Retiring = retiring,
            });
        }
        return observed;
    }

    /// <summary>
    /// The phase the node reported; a node launched before nodes reported their phases (no
    /// <see cref="NodeReadiness.ReportsPhasesAttribute"/>) counts as Ready while it runs, as it was judged then,
    /// so the startup timeout never replaces nodes that could not have reported.
    /// </summary>
    private static string? ReportedPhase(InventoryItem item, NodeInstance? instance, string? state) =>
        item.Attributes?.GetValueOrDefault(NodeReadiness.ReportsPhasesAttribute) == "true"
            ? instance?.Tag(NodePhases.TagKey)
            : state == "running" ? NodePhases.Ready : null;

    /// <summary>
    /// Launches the replacement, trying the zones in order: a capacity error moves on to the next zone (and is
    /// returned, to be remembered and reported); any other error fails the step. The name and ClientToken come
    /// from the cluster, the replaced node (or, for a node missing from the pool, its <paramref name="slot"/> in the run),
    /// the zone and the run, so a re-run adopts the same instance and replacements launched side by side never do.
    /// </summary>
    public async Task<LaunchOutcome> LaunchAsync(
        Replacement replacement, long run, int slot, Func<Task<NodeLaunch>> launch, Func<string, string> subnetFor, CancellationToken ct)
    {
        var cluster = resources.Cluster;
        var spec = cluster.Spec.NodePools?.FirstOrDefault(p => p.Name == replacement.Pool)
            ?? throw new ProvisioningFailedException($"pool {replacement.Pool} is no longer in the cluster's spec");
        var shortages = new List<CapacityShortage>();
        NodeLaunch? shared = null;
        foreach (var zone in replacement.Zones)
        {
            var suffix = Hash($"{cluster.Uid}|{replacement.Pool}|{replacement.OldInstanceId ?? $"missing-{slot}"}|{zone}|{run}");
            // Index 1: a new control-plane node joins the existing control plane, never initialises one.
            var plan = new InstancePlan(replacement.Pool, spec.Role!, 1, zone, spec.InstanceType!, spec.CapacityType ?? CapacityTypes.OnDemand,
                spec.MaxSpotPrice, spec.DiskSizeGiB ?? ClusterSpecValidator.DefaultDiskSizeGiB,
                $"{cluster.Name}-{replacement.Pool}-{suffix[..8]}", $"{cluster.Uid}-{suffix[..24]}");
            try
            {
                shared ??= await launch();
                var item = await nodes.LaunchAsync(plan, shared, subnetFor(zone), ct);
                if (replacement.OldInstanceId is { } old && item.Attributes?.GetValueOrDefault(ReplacesAttribute) != old)
                {
                    item = item with { Attributes = new Dictionary<string, string>(item.Attributes ?? []) { [ReplacesAttribute] = old } };
                    await resources.RecordAsync(item, ct);
                }
                return new LaunchOutcome(item, zone, shortages);
            }
            catch (ProvisioningFailedException ex) when (ZoneFallback.IsCapacityError(CloudErrors.Code(ex.InnerException ?? ex)))
            {
                shortages.Add(new CapacityShortage(replacement.Pool, zone, $"{CloudErrors.Code(ex.InnerException!)}: {ex.InnerException!.Message}", resources.Clock.GetUtcNow()));
            }
        }
        return new LaunchOutcome(null, null, shortages);
    }

    /// <summary>
    /// Whether the replacement is up: Ready by its own report, and for the control plane registered with the API
    /// load balancer and passing its health check. One that failed is terminated here (nothing half-made stays).
    /// </summary>
    public async Task<(ReplacementProgress Progress, string Detail)> CheckAsync(string instanceId, string role, HealthCheckSpec? check, CancellationToken ct)
    {
        var instance = (await Nodes.DescribeAsync([instanceId], ct)).FirstOrDefault();
        var item = resources.All(ResourceKinds.Instance).FirstOrDefault(i => i.Id == instanceId);
        var observed = new NodeObservation
        {
            InstanceId = instanceId,
            Pool = item?.Attributes?.GetValueOrDefault(NodeAttributes.Pool) ?? "",
            Zone = instance?.Zone ?? "",
            LaunchedAt = instance?.LaunchTime ?? item?.RecordedAt ?? resources.Clock.GetUtcNow(),
            InstanceState = instance?.State,
            NodePhase = instance?.Tag(NodePhases.TagKey),
        };
        // A replacement that reported it cannot become usable never will: fail now with its reason, not at the startup timeout.
        if (NodePhases.IsFailure(observed.NodePhase))
        {
            await RetireAsync(instanceId, role, ct);
            return (ReplacementProgress.Failed,
                new NodeReport(instanceId, item?.Name ?? instanceId, false, observed.NodePhase, instance?.Tag(NodePhases.MessageTagKey)).Failure!);
        }
        switch (NodeHealth.Assess(observed, check, resources.Clock.GetUtcNow(), out var reason))
        {
            case NodeHealthState.Unhealthy:
                await RetireAsync(instanceId, role, ct);
                return (ReplacementProgress.Failed, NodeHealth.Describe(reason, check));
            case NodeHealthState.Starting:
                return (ReplacementProgress.Starting, $"{instanceId} is {observed.InstanceState ?? "unknown"}, node phase {observed.NodePhase ?? "none yet"}");
        }
        if (role != NodePoolRoles.ControlPlane)
            return (ReplacementProgress.Ready, $"{instanceId} is Ready");
        var targetGroup = resources.Id(ResourceKinds.TargetGroup);
        var health = (await resources.Cloud.LoadBalancers.TargetHealthAsync(targetGroup, ct))
            .FirstOrDefault(t => t.InstanceId == instanceId)?.State;
        if (health is null)
            await resources.Cloud.LoadBalancers.RegisterAsync(targetGroup, [instanceId], ct);
        return health == "healthy"
            ? (ReplacementProgress.Ready, $"{instanceId} is Ready and serves the API")
            : (ReplacementProgress.Starting, $"{instanceId} is Ready; its API target is {health ?? "registering"}");
    }

    /// <summary>
    /// Marks the node retiring in the inventory (so the events of its termination are known as ours), takes a
    /// control-plane node out of the API load balancer, and terminates it. Safe to repeat; a node already
    /// forgotten is done.
    /// </summary>
    public async Task RetireAsync(string instanceId, string role, CancellationToken ct)
    {
        var item = resources.All(ResourceKinds.Instance).FirstOrDefault(i => i.Id == instanceId);
        if (item is null)
            return;
        await PoolRollout.MarkRetiringAsync(resources, item, ct);
        if (role == NodePoolRoles.ControlPlane && resources.Find(ResourceKinds.TargetGroup) is { } targetGroup)
        {
            try
            {
                await resources.Cloud.LoadBalancers.DeregisterAsync(targetGroup.Id, [instanceId], ct);
            }
            catch (CloudServiceException ex) when (ex.Code is "InvalidTarget" or "TargetGroupNotFound")
            {
                // Not registered (it never became healthy) or already gone.
            }
        }
        await nodes.TerminateAsync(instanceId, ct);
    }

    /// <summary>Records EC2's spot interruption warning on the node's inventory item; false when the product does not know the node.</summary>
    public async Task<bool> MarkInterruptedAsync(string instanceId, DateTimeOffset at, CancellationToken ct)
    {
        var item = resources.All(ResourceKinds.Instance).FirstOrDefault(i => i.Id == instanceId);
        if (item is null)
            return false;
        if (!(item.Attributes?.ContainsKey(SpotInterruptionAttribute) ?? false))
            await resources.RecordAsync(item with
            {
                Attributes = new Dictionary<string, string>(item.Attributes ?? []) { [SpotInterruptionAttribute] = at.ToString("O", CultureInfo.InvariantCulture) },
            }, ct);
        return true;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
