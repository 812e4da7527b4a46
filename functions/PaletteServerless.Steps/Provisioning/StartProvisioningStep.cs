using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>Pending -> Provisioning (announcing Pending first, so every status is an event). A cluster already being deleted stops the workflow.</summary>
public sealed class StartProvisioningStep(StepRuntime runtime)
{
    public StartProvisioningStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await step.ClusterAsync(ct);
        if (cluster.Status == ClusterStatus.Pending)
            await runtime.Status.MoveAsync(step.Scope, cluster.Name, cluster.Uid, ClusterStatus.Pending, cluster.StatusReason ?? "accepted", ct);
        await runtime.Status.MoveAsync(step.Scope, cluster.Name, cluster.Uid, ClusterStatus.Provisioning, "provisioning started", ct);
        return StepResult.Finished;
    });
}
