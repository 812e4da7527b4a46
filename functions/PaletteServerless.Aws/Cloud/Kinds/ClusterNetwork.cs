using Amazon.EC2.Model;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// The network core as the network step makes it, composed of the kinds in the reference order:
/// VPC, a public and a private subnet per zone, internet gateway (attached), public route table,
/// security groups. Static placement: only the security groups, in the user's VPC, whose network is never touched.
/// </summary>
public sealed class ClusterNetwork(ClusterResources resources)
{
    public async Task EnsureAsync(ClusterPlan plan, CancellationToken ct)
    {
        string vpcId;
        string vpcCidr;
        if (plan.IsDynamic)
        {
            vpcId = await new VpcKind(resources).EnsureAsync(plan, ct);
            vpcCidr = plan.VpcCidr!;
            var subnets = new SubnetKind(resources);
            foreach (var zone in plan.Zones)
            {
                await subnets.EnsureAsync(vpcId, zone.AvailabilityZone, zone.PublicSubnetCidr, "public", ct);
                await subnets.EnsureAsync(vpcId, zone.AvailabilityZone, zone.PrivateSubnetCidr, "private", ct);
            }
            var igw = await new InternetGatewayKind(resources).EnsureAsync(vpcId, ct);
            await new RouteTableKind(resources).EnsurePublicAsync(vpcId, igw, ct);
        }
        else
        {
            vpcId = plan.StaticVpcId!;
            var vpcs = await resources.Cloud.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [vpcId] }, ct);
            vpcCidr = vpcs.Vpcs![0].CidrBlock;
        }
        await new SecurityGroupKind(resources).EnsureAsync(vpcId, vpcCidr, plan.LoadBalancerScheme, ct);
    }
}
