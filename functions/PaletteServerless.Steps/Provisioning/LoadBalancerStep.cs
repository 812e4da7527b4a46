using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>Creates the API server's load balancer, target group and listener (its DNS name is what the nodes join).</summary>
public sealed class LoadBalancerStep(StepRuntime runtime)
{
    public LoadBalancerStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var (plan, network) = await step.PlanAsync(ct);
        var resources = await step.ResourcesAsync(ct);
        var cluster = resources.Cluster;
        var placement = cluster.Definition.Cloud.Placement;
        var controlPlaneZones = plan.Instances.Where(i => i.Role == NodePoolRoles.ControlPlane).Select(i => i.AvailabilityZone).Distinct().ToList();
        IReadOnlyList<string> subnets = (plan.IsDynamic, plan.LoadBalancerScheme) switch
        {
            (true, LoadBalancerSchemes.Internal) => resources.All(ResourceKinds.Subnet, "private").Select(s => s.Id).ToList(),
            (true, _) => resources.All(ResourceKinds.Subnet, "public").Select(s => s.Id).ToList(),
            (false, LoadBalancerSchemes.Internal) => placement.ControlPlaneSubnetIds,
            // One public subnet per zone: a load balancer takes at most one subnet per zone.
            (false, _) => network!.PublicSubnets.GroupBy(s => s.AvailabilityZone)
                .OrderByDescending(g => controlPlaneZones.Contains(g.Key)).Select(g => g.First().SubnetId).ToList(),
        };
        var dnsName = await new LoadBalancerKind(resources).EnsureAsync(plan, subnets, ct);
        await step.SetConditionAsync("LoadBalancerReady", false, "Provisioning", $"{plan.LoadBalancerScheme} load balancer {dnsName} is provisioning", ct);
        return StepResult.Finished;
    });
}
