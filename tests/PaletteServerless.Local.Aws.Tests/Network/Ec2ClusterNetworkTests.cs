using PaletteServerless.Aws.Cloud.Adapters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Local.Aws.Tests.Ec2;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.Network;

/// <summary>The product's network adapter (<see cref="Ec2ClusterNetwork"/>) through the real SDK clients on the local EC2 and ELBv2.</summary>
public sealed class Ec2ClusterNetworkTests : Ec2TestBase
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly Dictionary<string, string> Owner = new() { ["palette.serverless/cluster-uid"] = "c1", ["sigs.k8s.io/cluster-api-provider-aws/role"] = "common" };

    private Ec2ClusterNetwork Network => new(Ec2, Host.Elbv2());

    private static Dictionary<string, string> Tags(string name, Dictionary<string, string>? owner = null) => new(owner ?? Owner) { ["Name"] = name };

    private static async Task<CloudServiceException> Refused(string code, Func<Task> call)
    {
        var error = (await call.Should().ThrowAsync<CloudServiceException>()).Which;
        error.Code.Should().Be(code, error.Message);
        return error;
    }

    [Fact]
    public async Task A_vpc_subnet_gateway_and_route_table_are_made_found_by_their_tags_and_deleted_in_order()
    {
        var network = Network;
        var other = new Dictionary<string, string>(Owner) { ["palette.serverless/cluster-uid"] = "c2" };
        await network.CreateVpcAsync("10.1.0.0/16", Tags("theirs", other), Ct);
        var vpcId = await network.CreateVpcAsync("10.0.0.0/16", Tags("demo-vpc"), Ct);
        (await network.FindVpcAsync(new OwnedBy(Owner), Ct)).Should().Be(vpcId);
        (await network.FindVpcAsync(new OwnedBy(new Dictionary<string, string>(Owner) { ["palette.serverless/cluster-uid"] = "c3" }), Ct)).Should().BeNull();
        (await network.VpcCidrAsync(vpcId, Ct)).Should().Be("10.0.0.0/16");

        var subnetId = await network.CreateSubnetAsync(vpcId, "10.0.1.0/24", "us-east-1a", Tags("demo-subnet"), Ct);
        (await network.FindSubnetAsync(new OwnedBy(Owner), vpcId, "us-east-1a", Ct)).Should().Be(subnetId);
        (await network.FindSubnetAsync(new OwnedBy(Owner), vpcId, "us-east-1b", Ct)).Should().BeNull();

        var gatewayId = await network.CreateInternetGatewayAsync(Tags("demo-igw"), Ct);
        (await network.FindInternetGatewayAsync(new OwnedBy(Owner), Ct)).Should().Be(gatewayId);
        (await network.InternetGatewayAttachmentsAsync(gatewayId, Ct)).Should().BeEmpty();
        await network.AttachInternetGatewayAsync(gatewayId, vpcId, Ct);
        (await network.InternetGatewayAttachmentsAsync(gatewayId, Ct)).Should().Equal(vpcId);

        var tableId = await network.CreateRouteTableAsync(vpcId, "c1-rt-public", Tags("demo-rt-public"), Ct);
        (await network.CreateRouteTableAsync(vpcId, "c1-rt-public", Tags("demo-rt-public"), Ct)).Should().Be(tableId, "the idempotency token returns the first");
        (await network.FindRouteTableAsync(new OwnedBy(Tags("demo-rt-public")), vpcId, Ct)).Should().Be(tableId);
        await network.CreateRouteAsync(tableId, "0.0.0.0/0", new RouteTarget(InternetGatewayId: gatewayId), Ct);
        var associationId = await network.AssociateRouteTableAsync(tableId, subnetId, Ct);
        var table = await network.RouteTableAsync(tableId, Ct);
        table!.Routes.Should().Contain(new NetworkRoute("0.0.0.0/0", gatewayId, false));
        table.Associations.Should().Contain(new RouteAssociation(associationId, subnetId, false));

        var blocked = await Refused("DependencyViolation", () => network.DeleteVpcAsync(vpcId, Ct));
        blocked.Transient.Should().BeFalse();
        await Refused("DependencyViolation", () => network.DeleteInternetGatewayAsync(gatewayId, Ct));

        await network.DisassociateRouteTableAsync(associationId, Ct);
        await network.DeleteRouteTableAsync(tableId, Ct);
        await network.DetachInternetGatewayAsync(gatewayId, vpcId, Ct);
        await network.DeleteInternetGatewayAsync(gatewayId, Ct);
        await network.DeleteSubnetAsync(subnetId, Ct);
        await network.DeleteVpcAsync(vpcId, Ct);

        (await network.RouteTableAsync(tableId, Ct)).Should().BeNull();
        (await network.InternetGatewayAttachmentsAsync(gatewayId, Ct)).Should().BeNull();
        (await network.FindVpcAsync(new OwnedBy(Owner), Ct)).Should().BeNull();
        await Refused("InvalidVpcID.NotFound", () => network.DeleteVpcAsync(vpcId, Ct));
        await Refused("InvalidSubnetID.NotFound", () => network.DeleteSubnetAsync(subnetId, Ct));
    }

    [Fact]
    public async Task Security_group_rules_are_authorized_once_listed_one_per_source_and_revoked()
    {
        var network = Network;
        var vpcId = await network.CreateVpcAsync("10.0.0.0/16", Tags("demo-vpc"), Ct);
        var nodes = await network.CreateSecurityGroupAsync(vpcId, "demo-node-c1", "nodes", Tags("demo-node"), Ct);
        var planes = await network.CreateSecurityGroupAsync(vpcId, "demo-cp-c1", "control planes", Tags("demo-cp", new(Owner) { ["sigs.k8s.io/cluster-api-provider-aws/role"] = "controlplane" }), Ct);
        (await network.FindSecurityGroupAsync(new OwnedBy(Owner), vpcId, Ct)).Should().Be(nodes);
        IngressRule[] rules =
        [
            new("tcp", 10250, 10250, SourceGroupId: planes, Description: "kubelet from controlplane"),
            new("4", null, null, SourceGroupId: nodes, Description: "ip-in-ip from node"),
            new("tcp", 6443, 6443, SourceCidr: "0.0.0.0/0"),
        ];

        await network.AuthorizeIngressAsync(nodes, rules, Ct);
        // Authorized again, as a concurrent run would: EC2's duplicate counts as added.
        await network.AuthorizeIngressAsync(nodes, rules, Ct);

        var group = await network.SecurityGroupAsync(nodes, Ct);
        group!.Ingress.Select(r => r with { Description = null }).Should().BeEquivalentTo(rules.Select(r => r with { Description = null }));
        await Refused("DependencyViolation", () => network.DeleteSecurityGroupAsync(planes, Ct));
        await network.RevokeIngressAsync(nodes, [.. group.Ingress.Where(r => r.SourceGroupId is not null)], Ct);
        (await network.SecurityGroupAsync(nodes, Ct))!.Ingress.Should().ContainSingle(r => r.SourceCidr == "0.0.0.0/0");
        await network.DeleteSecurityGroupAsync(planes, Ct);
        await network.DeleteSecurityGroupAsync(nodes, Ct);
        (await network.SecurityGroupAsync(nodes, Ct)).Should().BeNull();
        await Refused("InvalidGroup.NotFound", () => network.DeleteSecurityGroupAsync(nodes, Ct));
    }

    [Fact]
    public async Task A_nat_gateway_holds_its_subnet_and_address_until_it_is_deleted()
    {
        var network = Network;
        var vpcId = await network.CreateVpcAsync("10.0.0.0/16", Tags("demo-vpc"), Ct);
        var subnetId = await network.CreateSubnetAsync(vpcId, "10.0.1.0/24", "us-east-1a", Tags("demo-subnet"), Ct);
        var gatewayId = await network.CreateInternetGatewayAsync(Tags("demo-igw"), Ct);
        await network.AttachInternetGatewayAsync(gatewayId, vpcId, Ct);
        var nat = new Dictionary<string, string>(Owner) { ["sigs.k8s.io/cluster-api-provider-aws/role"] = "nat" };
        var allocationId = await network.AllocateAddressAsync(Tags("demo-eip-nat-us-east-1a", nat), Ct);
        (await network.FindAddressAsync(new OwnedBy(Tags("demo-eip-nat-us-east-1a", nat)), Ct)).Should().Be(allocationId);

        var natId = await network.CreateNatGatewayAsync(subnetId, allocationId, "c1-nat-us-east-1a", Tags("demo-nat-us-east-1a", nat), Ct);

        (await network.CreateNatGatewayAsync(subnetId, allocationId, "c1-nat-us-east-1a", Tags("demo-nat-us-east-1a", nat), Ct)).Should().Be(natId);
        (await network.FindLiveNatGatewayAsync(new OwnedBy(Tags("demo-nat-us-east-1a", nat)), Ct)).Should().Be(natId);
        (await network.NatGatewaysAsync([natId, "nat-0000000000000000a"], Ct)).Should().ContainSingle()
            .Which.Should().Be(new NatGatewayStatus(natId, subnetId, NatGatewayPhase.Pending, null, null));
        (await network.NetworkInterfacesAsync(NetworkScope.Subnet, subnetId, Ct)).Should().ContainSingle()
            .Which.InterfaceType.Should().Be("nat_gateway");
        (await network.NetworkInterfacesAsync(NetworkScope.Vpc, vpcId, Ct)).Should().ContainSingle();
        (await network.LoadBalancersAsync(vpcId, Ct)).Should().BeEmpty();
        Advance(TimeSpan.FromMinutes(2));
        (await network.NatGatewaysAsync([natId], Ct)).Single().Phase.Should().Be(NatGatewayPhase.Available);
        (await network.AddressAsync(allocationId, Ct))!.HeldByService.Should().BeTrue();

        await network.DeleteNatGatewayAsync(natId, Ct);

        (await network.NatGatewaysAsync([natId], Ct)).Single().Phase.Should().Be(NatGatewayPhase.Deleting);
        (await network.FindLiveNatGatewayAsync(new OwnedBy(Tags("demo-nat-us-east-1a", nat)), Ct)).Should().BeNull();
        await Refused("InvalidIPAddress.InUse", () => network.ReleaseAddressAsync(allocationId, Ct));
        await Refused("DependencyViolation", () => network.DeleteSubnetAsync(subnetId, Ct));
        Advance(TimeSpan.FromMinutes(1));
        (await network.NatGatewaysAsync([natId], Ct)).Single().Phase.Should().Be(NatGatewayPhase.Deleted);
        await network.ReleaseAddressAsync(allocationId, Ct);
        (await network.AddressAsync(allocationId, Ct)).Should().BeNull();
        await network.DeleteSubnetAsync(subnetId, Ct);
    }
}
