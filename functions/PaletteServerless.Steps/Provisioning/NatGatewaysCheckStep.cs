using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>One poll: are the NAT gateways available? Then each zone's private route table routes through its own.</summary>
public sealed class NatGatewaysCheckStep(StepRuntime runtime)
{
    public NatGatewaysCheckStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var (plan, _) = await step.PlanAsync(ct);
        if (!await new NatGatewayKind(await step.ResourcesAsync(ct)).CheckAsync(ct))
            return StepResult.NotYet;
        if (plan.IsDynamic)
            await step.SetConditionAsync("NatGatewaysReady", true, "Available", "every zone has an available NAT gateway", ct);
        await step.SetConditionAsync("RouteTablesReady", true, "Created", plan.IsDynamic ? "public routes to the internet gateway, private routes to each zone's NAT gateway" : "static placement: the VPC's own routes", ct);
        return StepResult.Finished;
    });
}
