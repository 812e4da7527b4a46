using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Update;

/// <summary>
/// Announces Updating (the API stored it with the change; this publishes the event), applies a change of the
/// cluster's tags in place, adds the security-group rules the CNI's values need, and says what to roll: the control-plane pool first, then the worker pools, removed
/// ones included, in parallel or one after another.
/// </summary>
public sealed class StartUpdateStep(StepRuntime runtime)
{
    public StartUpdateStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await step.ClusterAsync(ct);
        if (cluster.Status != ClusterStatus.Updating)
            throw new ClusterStateChangedException($"cluster {cluster.Name} is {cluster.Status}, not Updating: this update run is over");
        await runtime.Status.MoveAsync(step.Scope, cluster.Name, cluster.Uid, ClusterStatus.Updating, cluster.StatusReason ?? "update requested", ct);
        var definition = cluster.Definition;
        var pools = definition.NodePools;
        var resources = await step.ResourcesAsync(ct);
        var removed = PoolRollout.PoolsWithNodes(resources).Where(p => pools.All(s => s.Name != p)).Order(StringComparer.Ordinal).ToList();
        // Tags change in place, on everything the cluster owns, before any node rolls.
        var retagged = await new ClusterRetagging(resources).ApplyAsync(cluster.AppliedTags, ct);
        if (retagged > 0)
            await runtime.Status.AddEventAsync(cluster, "Normal", "Retagged", $"the cluster's tags were applied to {retagged} resource(s)", ct);
        // The rules between the nodes follow a change of the CNI's values (a change to VXLAN needs udp/4789),
        // added before any node rolls: the new nodes' pod network must work when they join. Only such a change
        // touches them: a rule someone revoked is not quietly put back by an unrelated update (the node that
        // needs it fails, naming the blocked protocol, as it would on AWS), and none is revoked (SecurityGroupKind).
        var profile = await step.ProfileAsync(ct);
        var wanted = SecurityGroupKind.TrafficOf(cluster, profile);
        var rules = wanted.SequenceEqual(SecurityGroupKind.TrafficOf(ClusterUpdates.WithAppliedPackValues(cluster), profile))
            ? []
            : await new SecurityGroupKind(resources).ReconcileAsync(wanted, ct);
        if (rules.Count > 0)
            await runtime.Status.AddEventAsync(cluster, "Normal", "SecurityGroupRulesUpdated", $"the rules between the nodes' security groups changed for the pod network: {string.Join(", ", rules)}", ct);
        await step.SetConditionAsync("Updated", false, "Updating", $"rolling the node pools to generation {cluster.Generation}", ct);
        return new StepResult
        {
            Generation = cluster.Generation,
            ControlPlanePools = [.. pools.Where(p => p.IsControlPlane).Select(p => p.Name)],
            WorkerPools = [.. pools.Where(p => p.Role == NodePoolRoles.Worker).Select(p => p.Name), .. removed],
            Parallel = definition.UpdateWorkerPoolsInParallel,
        };
    });
}
