using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Deletion;

/// <summary>
/// Deleting -> Deleted: everything the cluster owned is gone (its virtual clusters' parameters went with everything under
/// its path); its virtual cluster records are removed first, so a retry finds none; the cluster's record stays 72 hours
/// for includeDeleted=true.
/// </summary>
public sealed class MarkDeletedStep(StepRuntime runtime)
{
    public MarkDeletedStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        if (runtime.VirtualClusters is { } virtualClusters)
            await virtualClusters.RemoveAllAsync(await step.ClusterAsync(ct), ct);
        await runtime.Status.MoveAsync(step.Scope, step.Input.Cluster, step.Input.Uid, ClusterStatus.Deleted, "every resource of the cluster was removed", ct);
        return StepResult.Finished;
    });
}
