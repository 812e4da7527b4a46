using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// Registers the control-plane instances with the API load balancer (idempotent) and reports whether the
/// control plane serves: every control-plane node reported ready (the first one: its packs applied) and every
/// target passes the load balancer's health check; the health check alone does not make a cluster Running.
/// Once it serves, Provisioning -> Running in the same step (<see cref="ClusterServing"/>). The create
/// comes here only when the node pools' check could not move the cluster itself.
/// </summary>
public sealed class ControlPlaneTargetsStep(StepRuntime runtime)
{
    public ControlPlaneTargetsStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var resources = await step.ResourcesAsync(ct);
        var targetsHealthy = await new LoadBalancerKind(resources).RegisterControlPlaneAsync(ct);
        var reports = await new NodePoolKind(resources).ControlPlaneReportsAsync(ct);
        if (NodeReadiness.FailureOf(reports) is { } failure)
            throw new ProvisioningFailedException(failure);
        if (!NodeReadiness.AllReady(reports) || !targetsHealthy)
            return StepResult.NotYet;
        await ClusterServing.MarkRunningAsync(step, runtime, ct);
        return StepResult.Finished;
    });
}
