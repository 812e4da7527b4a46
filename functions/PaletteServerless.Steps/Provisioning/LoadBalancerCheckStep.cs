using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// One poll: is the load balancer active? Once it is, the control planes launched so far join it, as
/// Cluster API's AWS provider joins a control-plane machine at creation: their health checks then run
/// while the nodes boot, and the nodes' check finds them healthy instead of registering them and waiting.
/// </summary>
public sealed class LoadBalancerCheckStep(StepRuntime runtime)
{
    public LoadBalancerCheckStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var loadBalancer = new LoadBalancerKind(await step.ResourcesAsync(ct));
        if (!await loadBalancer.CheckAsync(ct))
            return StepResult.NotYet;
        await loadBalancer.RegisterLaunchedControlPlaneAsync(ct);
        await step.SetConditionAsync("LoadBalancerReady", true, "Active", "the API load balancer is active", ct);
        return StepResult.Finished;
    });
}
