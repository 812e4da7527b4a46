using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>One Elastic IP and NAT gateway per zone (dynamic placement only).</summary>
public sealed class NatGatewaysStep(StepRuntime runtime)
{
    public NatGatewaysStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var (plan, _) = await step.PlanAsync(ct);
        if (!plan.IsDynamic)
            return StepResult.Finished;
        await new NatGatewayKind(await step.ResourcesAsync(ct)).EnsureAsync(plan, ct);
        await step.SetConditionAsync("NatGatewaysReady", false, "Pending", $"{plan.Zones.Count} NAT gateway(s) pending", ct);
        return StepResult.Finished;
    });
}
