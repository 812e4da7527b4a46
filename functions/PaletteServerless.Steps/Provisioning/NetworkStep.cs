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
        // One write for every condition the network core satisfies: this step is on the create's critical path.
        List<(string, string, string)> conditions = plan.IsDynamic
            ?
            [
                ("VpcReady", "Created", $"VPC {plan.VpcCidr}"),
                ("SubnetsReady", "Created", $"{plan.Zones.Count * 2} subnets in {string.Join(", ", plan.Zones.Select(z => z.AvailabilityZone))}"),
                ("InternetGatewayReady", "Attached", "internet gateway attached"),
            ]
            :
            [
                ("VpcReady", "StaticPlacement", $"using the given VPC {plan.StaticVpcId}"),
                ("SubnetsReady", "StaticPlacement", "using the given subnets"),
            ];
        conditions.Add(("SecurityGroupsReady", "Created", "control plane, node and load balancer groups with their rules"));
        await runtime.Status.SetConditionsAsync(step.Scope, step.Input.Cluster, step.Input.Uid, conditions, ct);
        return StepResult.Finished;
    });
}
