using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>One poll: is the load balancer active?</summary>
public sealed class LoadBalancerCheckStep(StepRuntime runtime)
{
    public LoadBalancerCheckStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        if (!await new LoadBalancerKind(await step.ResourcesAsync(ct)).CheckAsync(ct))
            return StepResult.NotYet;
        await step.SetConditionAsync("LoadBalancerReady", true, "Active", "the API load balancer is active", ct);
        return StepResult.Finished;
    });
}
