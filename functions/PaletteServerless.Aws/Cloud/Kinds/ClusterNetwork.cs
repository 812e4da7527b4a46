using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// The network core as the network step makes it, composed of the kinds in the reference order:
/// VPC, a public and a private subnet per zone, internet gateway (attached), public route table,
/// security groups. Static placement: only the security groups, in the user's VPC, whose network is never touched.
/// Once the VPC exists, what does not depend on each other is made side by side (subnets, the
/// gateway, the public table, the groups): the network is on every create's critical path.
/// </summary>
public sealed class ClusterNetwork(ClusterResources resources)
{
    /// <param name="traffic">What the nodes must admit from each other (<see cref="SecurityGroupKind.TrafficOf"/>).</param>
    public async Task EnsureAsync(ClusterPlan plan, IReadOnlyList<NodeTraffic> traffic, CancellationToken ct)
    {
        if (!plan.IsDynamic)
        {
            var cidr = await resources.Cloud.Network.VpcCidrAsync(plan.StaticVpcId!, ct);
            await new SecurityGroupKind(resources).EnsureAsync(plan.StaticVpcId!, cidr, plan.LoadBalancerScheme, traffic, ct);
            return;
        }
        var vpc = new VpcKind(resources).EnsureAsync(plan, ct);
        var igw = new InternetGatewayKind(resources).EnsureAsync(vpc, ct);
        string vpcId;
        try
        {
            vpcId = await vpc;
        }
        catch
        {
            // The gateway's create may be under way: let it finish and be recorded before the step fails.
            await Task.WhenAny(igw);
            throw;
        }
        var subnets = new SubnetKind(resources);
        var routes = new RouteTableKind(resources);
        var madeSubnets = Task.WhenAll(plan.Zones.SelectMany(zone => new[]
        {
            subnets.EnsureAsync(vpcId, zone.AvailabilityZone, zone.PublicSubnetCidr, "public", ct),
            subnets.EnsureAsync(vpcId, zone.AvailabilityZone, zone.PrivateSubnetCidr, "private", ct),
        }));
        var publicTable = routes.EnsureTableAsync(vpcId, "public", null, ct);
        async Task PublicRoutesAsync()
        {
            await Task.WhenAll(madeSubnets, igw, publicTable);
            await routes.EnsurePublicAsync(await publicTable, await igw, ct);
        }
        await Task.WhenAll(PublicRoutesAsync(), new SecurityGroupKind(resources).EnsureAsync(vpcId, plan.VpcCidr!, plan.LoadBalancerScheme, traffic, ct));
    }
}
