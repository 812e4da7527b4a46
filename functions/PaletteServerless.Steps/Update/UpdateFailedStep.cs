using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Steps.Provisioning;

namespace PaletteServerless.Steps.Update;

/// <summary>
/// A step failed after its retries: new nodes that never became healthy are terminated (nodes already replaced
/// stay), and the cluster goes back to Running with Updated=False naming the step, the resource and the error.
/// The same change again (or POST .../update) retries.
/// </summary>
public sealed class UpdateFailedStep(StepRuntime runtime)
{
    public UpdateFailedStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var reason = MarkFailedStep.Reason(step.Input.Error);
        var cluster = await step.ClusterAsync(ct);
        var (plan, _) = await step.PlanAsync(ct);
        var resources = await step.ResourcesAsync(ct);
        var rollout = new PoolRollout(resources, new NodePoolKind(resources));
        var removed = new List<string>();
        var definition = cluster.Definition;
        foreach (var pool in PoolRollout.PoolsWithNodes(resources))
        {
            var spec = definition.Pool(pool);
            var zones = RollPoolStep.ZonesOf(spec, plan, pool);
            removed.AddRange(await rollout.RemoveUnhealthyNewAsync(pool, zones, ct));
        }
        var message = $"the update to generation {cluster.Generation} failed: {reason}"
            + (removed.Count > 0 ? $"; new node(s) that never became healthy were terminated: {string.Join(", ", removed)}" : "")
            + "; repeat the change (or POST .../update) to retry";
        // The condition is written with the move, so whoever sees Running sees why.
        await runtime.Status.MoveAsync(step.Scope, cluster.Name, cluster.Uid, ClusterStatus.Running, message, ct,
            c => runtime.Status.WithCondition(c, "Updated", false, "UpdateFailed", message));
        await runtime.Status.AddEventAsync(cluster, "Warning", "UpdateFailed", message, ct);
        return StepResult.Finished;
    });
}
