using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>Registers the control-plane instances with the API load balancer (idempotent) and reports whether they are healthy.</summary>
public sealed class ControlPlaneTargetsStep(StepRuntime runtime)
{
    public ControlPlaneTargetsStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var balancer = new LoadBalancerKind(await step.ResourcesAsync(ct));
        await balancer.RegisterControlPlaneAsync(ct);
        if (!await balancer.TargetsHealthyAsync(ct))
            return StepResult.NotYet;
        await step.SetConditionAsync("ControlPlaneHealthy", true, "Healthy", "every control-plane target passes the load balancer's health check", ct);
        return StepResult.Finished;
    });
}
