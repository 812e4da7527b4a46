using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>Provisioning -> Running.</summary>
public sealed class MarkRunningStep(StepRuntime runtime)
{
    public MarkRunningStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        await runtime.Status.MoveAsync(step.Scope, step.Input.Cluster, step.Input.Uid, ClusterStatus.Running, "all nodes run and the control plane is healthy", ct);
        return StepResult.Finished;
    });
}
