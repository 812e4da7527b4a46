using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>Provisioning -> Running.</summary>
public sealed class MarkRunningStep(StepRuntime runtime)
{
    public MarkRunningStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        // The cloud now matches the spec it was built from: that generation is observed, its launch fingerprints applied.
        await runtime.Status.MoveAsync(step.Scope, step.Input.Cluster, step.Input.Uid, ClusterStatus.Running, "all nodes run and the control plane is healthy", ct,
            cluster => cluster with
            {
                ObservedGeneration = cluster.Generation,
                AppliedFingerprints = ClusterUpdates.Fingerprints(cluster.Definition),
                AppliedTags = new Dictionary<string, string>(cluster.Definition.Tags, StringComparer.Ordinal),
            });
        return StepResult.Finished;
    });
}
