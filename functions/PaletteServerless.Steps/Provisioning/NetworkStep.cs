using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>The network core: VPC, subnets, internet gateway, public routes, security groups (static placement: security groups only).</summary>
public sealed class NetworkStep(StepRuntime runtime)
{
    public NetworkStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var (plan, _) = await step.PlanAsync(ct);
        var resources = await step.ResourcesAsync(ct);
        await new ClusterNetwork(resources).EnsureAsync(plan, ct);
        if (plan.IsDynamic)
        {
            await step.SetConditionAsync("VpcReady", true, "Created", $"VPC {plan.VpcCidr}", ct);
            await step.SetConditionAsync("SubnetsReady", true, "Created", $"{plan.Zones.Count * 2} subnets in {string.Join(", ", plan.Zones.Select(z => z.AvailabilityZone))}", ct);
            await step.SetConditionAsync("InternetGatewayReady", true, "Attached", "internet gateway attached", ct);
        }
        else
        {
            await step.SetConditionAsync("VpcReady", true, "StaticPlacement", $"using the given VPC {plan.StaticVpcId}", ct);
            await step.SetConditionAsync("SubnetsReady", true, "StaticPlacement", "using the given subnets", ct);
        }
        await step.SetConditionAsync("SecurityGroupsReady", true, "Created", "control plane, node and load balancer groups with their rules", ct);
        return StepResult.Finished;
    });
}
