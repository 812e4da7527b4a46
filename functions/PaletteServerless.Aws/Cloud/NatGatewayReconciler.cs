using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud;

/// <summary>One Elastic IP and NAT gateway per zone, then each zone's private route table once its NAT is available.</summary>
public sealed class NatGatewayReconciler(ClusterResources resources)
{
    private IAmazonEC2 Ec2 => resources.Cloud.Ec2;

    public async Task CreateAsync(ClusterPlan plan, CancellationToken ct)
    {
        foreach (var zone in plan.Zones.Select(z => z.AvailabilityZone))
        {
            var eipName = $"{plan.Name}-eip-nat-{zone}";
            var eip = await resources.EnsureAsync(ResourceKinds.ElasticIp, "nat", zone, eipName,
                async () => (await Ec2.DescribeAddressesAsync(new DescribeAddressesRequest
                {
                    Filters = resources.Owned("nat", new Filter("tag:Name", [eipName])),
                }, ct)).Addresses?.FirstOrDefault() is { } a ? (a.AllocationId, null) : null,
                async () => ((await Ec2.AllocateAddressAsync(new AllocateAddressRequest
                {
                    Domain = DomainType.Vpc,
                    TagSpecifications = resources.TagsAtCreation(ResourceType.ElasticIp, eipName, "nat"),
                }, ct)).AllocationId, null),
                ct);
            var natName = $"{plan.Name}-nat-{zone}";
            var subnet = resources.Id(ResourceKinds.Subnet, "public", zone);
            await resources.EnsureAsync(ResourceKinds.NatGateway, "nat", zone, natName,
                async () => (await Ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest
                {
                    Filter = resources.Owned("nat", new Filter("tag:Name", [natName]), new Filter("state", ["pending", "available"])),
                }, ct)).NatGateways?.FirstOrDefault() is { } n ? (n.NatGatewayId, new() { ["allocationId"] = eip.Id }) : null,
                async () => ((await Ec2.CreateNatGatewayAsync(new CreateNatGatewayRequest
                {
                    AllocationId = eip.Id,
                    SubnetId = subnet,
                    ClientToken = $"{plan.Uid}-nat-{zone}",
                    TagSpecifications = resources.TagsAtCreation(ResourceType.Natgateway, natName, "nat"),
                }, ct)).NatGateway.NatGatewayId, new() { ["allocationId"] = eip.Id }),
                ct);
        }
    }

    /// <summary>True once every NAT gateway is available and its zone routes through it; a failed one fails the create.</summary>
    public async Task<bool> CheckAsync(ClusterPlan plan, CancellationToken ct)
    {
        var nats = resources.All(ResourceKinds.NatGateway).ToList();
        if (nats.Count == 0)
            return true;
        // One describe for every NAT gateway of the cluster per poll.
        var described = (await Ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest { NatGatewayIds = nats.Select(n => n.Id).ToList() }, ct)).NatGateways ?? [];
        var failed = described.Where(n => n.State == NatGatewayState.Failed || n.State == NatGatewayState.Deleted).ToList();
        if (failed.Count > 0)
            throw new ProvisioningFailedException("NAT gateway(s) failed: " + string.Join("; ", failed.Select(n => $"{n.NatGatewayId} in {n.SubnetId}: {n.FailureCode} {n.FailureMessage}")));
        if (described.Count < nats.Count || described.Any(n => n.State != NatGatewayState.Available))
            return false;
        var network = new NetworkReconciler(resources);
        var vpcId = resources.Id(ResourceKinds.Vpc);
        foreach (var nat in nats)
        {
            var table = await network.EnsureRouteTableAsync(vpcId, "private", nat.AvailabilityZone, ct);
            await network.EnsureRouteAsync(table.Id, new CreateRouteRequest { RouteTableId = table.Id, DestinationCidrBlock = "0.0.0.0/0", NatGatewayId = nat.Id }, ct);
            await network.EnsureAssociationAsync(table, resources.Id(ResourceKinds.Subnet, "private", nat.AvailabilityZone), ct);
        }
        return true;
    }
}
