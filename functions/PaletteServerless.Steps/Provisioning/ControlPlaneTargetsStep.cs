using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// Registers the control-plane instances with the API load balancer (idempotent) and reports whether the
/// control plane serves: every control-plane node reported ready (the first one: its packs applied) and every
/// target passes the load balancer's health check. The health check alone does not make a cluster Running.
/// </summary>
public sealed class ControlPlaneTargetsStep(StepRuntime runtime)
{
    public ControlPlaneTargetsStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var resources = await step.ResourcesAsync(ct);
        var balancer = new LoadBalancerKind(resources);
        await balancer.RegisterControlPlaneAsync(ct);
        var reports = await new NodePoolKind(resources).ControlPlaneReportsAsync(ct);
        if (NodeReadiness.FailureOf(reports) is { } failure)
            throw new ProvisioningFailedException(failure);
        if (!NodeReadiness.AllReady(reports) || !await balancer.TargetsHealthyAsync(ct))
            return StepResult.NotYet;
        await step.SetConditionAsync("ControlPlaneHealthy", true, "Healthy",
            "every control-plane node reported ready and passes the load balancer's health check", ct);
        return StepResult.Finished;
    });
}
