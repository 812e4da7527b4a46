using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Deletion;

/// <summary>
/// The force delete workflow's one step: stop the delete workflow, sweep by ownership tag, mark
/// Deleted and report every leftover. Safe to run again: a cluster already marked only republishes its report.
/// </summary>
public sealed class ForceDeleteStep(StepRuntime runtime)
{
    public ForceDeleteStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await step.ClusterAsync(ct);
        if (cluster.Status != ClusterStatus.Deleting && cluster.Status != ClusterStatus.Deleted)
            throw new ClusterStateChangedException($"cluster {cluster.Name} is {cluster.Status}: force delete is only for a cluster in Deleting");
        var forceDeleter = new ForceDeleter(runtime.StepFunctions, runtime.Sessions, step.Accounts, step.Inventory, runtime.Status, runtime.Clock);
        // The virtual clusters' records go with the cluster (their parameters with its path, or in the report).
        if (runtime.VirtualClusters is { } virtualClusters)
            await virtualClusters.RemoveAllAsync(cluster, ct);
        var report = await forceDeleter.RunAsync(cluster, step.Input.RequestedBy ?? "an admin", ct);
        Aws.Observability.JsonLog.Metric($"cluster {cluster.Name}: force deleted with {report.Leftovers.Count} leftover(s)",
            new Dictionary<string, double> { [Manifest.ProductMetrics.LeftoverResources] = report.Leftovers.Count },
            Aws.Observability.JsonLog.Of(cluster, step.Input.Execution), clock: runtime.Clock);
        return new StepResult { Done = true, Remaining = report.Leftovers.Count };
    });
}
