using Amazon.EC2;
using Amazon.EC2.Model;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

public sealed class Ec2AddressAndNatTests : Ec2TestBase
{
    [Fact]
    public async Task Sixth_elastic_ip_exceeds_the_quota_of_five()
    {
        for (var i = 0; i < 5; i++)
            await AllocateAsync();

        var error = await FailsWith("AddressLimitExceeded", AllocateAsync);
        error.Message.Should().Be("The maximum number of addresses has been reached.");
        (await Ec2.DescribeAddressesAsync(new DescribeAddressesRequest())).Addresses.Should().HaveCount(5);
    }

    [Fact]
    public async Task Nat_gateway_turns_available_after_the_modelled_delay_with_its_interface_in_the_subnet()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);
        await AttachNewGatewayAsync(vpcId);
        var allocationId = await AllocateAsync();

        var nat = await CreateNatAsync(subnetId, allocationId);

        nat.State.Should().Be(NatGatewayState.Pending);
        var eni = (await InterfacesInSubnetAsync(subnetId)).Should().ContainSingle().Subject;
        eni.InterfaceType.Value.Should().Be("nat_gateway");
        eni.RequesterManaged.Should().BeTrue();
        eni.Description.Should().Be($"Interface for NAT Gateway {nat.NatGatewayId}");
        Advance(TimeSpan.FromSeconds(119));
        (await DescribeNatAsync(nat.NatGatewayId)).State.Should().Be(NatGatewayState.Pending);
        Advance(TimeSpan.FromSeconds(1));
        var available = await DescribeNatAsync(nat.NatGatewayId);
        available.State.Should().Be(NatGatewayState.Available);
        available.NatGatewayAddresses.Should().ContainSingle(a => a.AllocationId == allocationId && a.NetworkInterfaceId == eni.NetworkInterfaceId);
        var address = (await Ec2.DescribeAddressesAsync(new DescribeAddressesRequest { AllocationIds = [allocationId] })).Addresses.Single();
        address.NetworkInterfaceId.Should().Be(eni.NetworkInterfaceId);
        (await Ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest { Filter = [new Filter("state", ["available"]), new Filter("vpc-id", [vpcId])] }))
            .NatGateways.Should().ContainSingle();
    }

    [Fact]
    public async Task Deleting_a_nat_gateway_keeps_its_interface_and_address_until_it_is_deleted()
    {
        var (vpcId, subnetId, allocationId, nat) = await AvailableNatAsync();

        (await Ec2.DeleteNatGatewayAsync(new DeleteNatGatewayRequest { NatGatewayId = nat.NatGatewayId })).NatGatewayId.Should().Be(nat.NatGatewayId);

        (await DescribeNatAsync(nat.NatGatewayId)).State.Should().Be(NatGatewayState.Deleting);
        (await InterfacesInSubnetAsync(subnetId)).Should().ContainSingle();
        await FailsWith("InvalidIPAddress.InUse", () => Ec2.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = allocationId }));
        await FailsWith("DependencyViolation", () => Ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = subnetId }));
        Advance(TimeSpan.FromMinutes(1));
        var deleted = await DescribeNatAsync(nat.NatGatewayId);
        deleted.State.Should().Be(NatGatewayState.Deleted);
        deleted.DeleteTime.Should().NotBeNull();
        (await InterfacesInSubnetAsync(subnetId)).Should().BeEmpty();
        // Deleting a NAT gateway does not release its address; it is only unmapped.
        Host.Aws.Inventory().Resources.Single(r => r.Id == allocationId).State.Should().Be("allocated");
        (await Ec2.DescribeAddressesAsync(new DescribeAddressesRequest { AllocationIds = [allocationId] })).Addresses.Single().AssociationId.Should().BeNull();
        await Ec2.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = allocationId });
        await Ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = subnetId });
        await FailsWith("NatGatewayNotFound", () => Ec2.DeleteNatGatewayAsync(new DeleteNatGatewayRequest { NatGatewayId = nat.NatGatewayId }));
        _ = vpcId;
    }

    [Fact]
    public async Task Detaching_the_gateway_while_a_nat_gateway_maps_a_public_address_is_a_dependency_violation()
    {
        var (vpcId, _, _, nat) = await AvailableNatAsync();
        var gatewayId = (await Ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest())).InternetGateways.Single().InternetGatewayId;

        var error = await FailsWith("DependencyViolation", () => Ec2.DetachInternetGatewayAsync(new DetachInternetGatewayRequest { InternetGatewayId = gatewayId, VpcId = vpcId }));

        error.Message.Should().Be($"Network {vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.");
        await Ec2.DeleteNatGatewayAsync(new DeleteNatGatewayRequest { NatGatewayId = nat.NatGatewayId });
        Advance(TimeSpan.FromMinutes(1));
        await Ec2.DetachInternetGatewayAsync(new DetachInternetGatewayRequest { InternetGatewayId = gatewayId, VpcId = vpcId });
    }

    [Fact]
    public async Task Nat_gateway_fails_when_the_vpc_has_no_internet_gateway_or_the_address_is_taken()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);
        var allocationId = await AllocateAsync();

        var withoutGateway = await CreateNatAsync(subnetId, allocationId);
        Advance(TimeSpan.FromSeconds(30));

        var failed = await DescribeNatAsync(withoutGateway.NatGatewayId);
        failed.State.Should().Be(NatGatewayState.Failed);
        failed.FailureCode.Should().Be("Gateway.NotAttached");
        failed.FailureMessage.Should().Be($"Network {vpcId} has no Internet gateway attached");
        (await InterfacesInSubnetAsync(subnetId)).Should().BeEmpty();

        await AttachNewGatewayAsync(vpcId);
        var first = await CreateNatAsync(subnetId, allocationId);
        var second = await CreateNatAsync(subnetId, allocationId);
        Advance(TimeSpan.FromMinutes(2));
        (await DescribeNatAsync(first.NatGatewayId)).State.Should().Be(NatGatewayState.Available);
        (await DescribeNatAsync(second.NatGatewayId)).FailureCode.Should().Be("Resource.AlreadyAssociated");
    }

    [Fact]
    public async Task Nat_gateway_client_token_returns_the_same_gateway_and_refuses_other_parameters()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);
        var otherSubnetId = await CreateSubnetAsync(vpcId, "10.0.2.0/24");
        await AttachNewGatewayAsync(vpcId);
        var allocationId = await AllocateAsync();

        var first = await CreateNatAsync(subnetId, allocationId, clientToken: "nat-token");
        var again = await CreateNatAsync(subnetId, allocationId, clientToken: "nat-token");

        again.NatGatewayId.Should().Be(first.NatGatewayId);
        await FailsWith("IdempotentParameterMismatch", () => CreateNatAsync(otherSubnetId, allocationId, clientToken: "nat-token"));
        (await Ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest())).NatGateways.Should().ContainSingle();
    }

    [Fact]
    public async Task Sixth_nat_gateway_in_one_zone_exceeds_the_quota_of_five()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);
        var otherZoneSubnetId = await CreateSubnetAsync(vpcId, "10.0.2.0/24", "us-east-1b");
        await AttachNewGatewayAsync(vpcId);
        var allocationId = await AllocateAsync();
        // Gateways that fail still count while they exist; the quota counts gateways, not addresses.
        for (var i = 0; i < 5; i++)
            await CreateNatAsync(subnetId, allocationId);

        var error = await FailsWith("NatGatewayLimitExceeded", () => CreateNatAsync(subnetId, allocationId));
        error.Message.Should().Contain("limit of 5 NAT gateways");
        await CreateNatAsync(otherZoneSubnetId, allocationId);
    }

    [Fact]
    public async Task Addresses_associate_with_running_instances_and_must_be_disassociated_before_release()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);
        var allocationId = await AllocateAsync();
        var instance = (await RunAsync(subnetId)).Single();
        Advance(TimeSpan.FromSeconds(45));

        await FailsWith("Gateway.NotAttached", () => Ec2.AssociateAddressAsync(new AssociateAddressRequest { AllocationId = allocationId, InstanceId = instance.InstanceId }));
        await AttachNewGatewayAsync(vpcId);
        var association = await Ec2.AssociateAddressAsync(new AssociateAddressRequest { AllocationId = allocationId, InstanceId = instance.InstanceId });

        var address = (await Ec2.DescribeAddressesAsync(new DescribeAddressesRequest { Filters = [new Filter("instance-id", [instance.InstanceId])] })).Addresses.Single();
        address.AssociationId.Should().Be(association.AssociationId);
        (await DescribeInstanceAsync(instance.InstanceId)).PublicIpAddress.Should().Be(address.PublicIp);
        await FailsWith("Resource.AlreadyAssociated", () => Ec2.AssociateAddressAsync(new AssociateAddressRequest { AllocationId = allocationId, InstanceId = instance.InstanceId }));
        var inUse = await FailsWith("InvalidIPAddress.InUse", () => Ec2.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = allocationId }));
        inUse.Message.Should().Contain(allocationId);
        await Ec2.DisassociateAddressAsync(new DisassociateAddressRequest { AssociationId = association.AssociationId });
        await FailsWith("InvalidAssociationID.NotFound", () => Ec2.DisassociateAddressAsync(new DisassociateAddressRequest { AssociationId = association.AssociationId }));
        await Ec2.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = allocationId });
        await FailsWith("InvalidAllocationID.NotFound", () => Ec2.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = allocationId }));
    }

    [Fact]
    public async Task Nat_gateway_with_an_unknown_allocation_is_refused()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);

        await FailsWith("InvalidAllocationID.NotFound", () => CreateNatAsync(subnetId, "eipalloc-0123456789abcdef0"));
        await FailsWith("InvalidSubnetID.NotFound", () => CreateNatAsync("subnet-0123456789abcdef0", "eipalloc-0123456789abcdef0"));
        await FailsWith("NatGatewayNotFound", () => Ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest { NatGatewayIds = ["nat-0123456789abcdef0"] }));
    }

    [Fact]
    public async Task Nat_gateway_fails_in_a_subnet_without_free_addresses()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId, "10.0.1.0/28");
        await AttachNewGatewayAsync(vpcId);
        var allocationId = await AllocateAsync();
        // A /28 has 16 addresses; AWS keeps five of them.
        await RunAsync(subnetId, type: "t3.micro", count: 11);
        (await Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = [subnetId] })).Subnets.Single().AvailableIpAddressCount.Should().Be(0);

        var nat = await CreateNatAsync(subnetId, allocationId);
        Advance(TimeSpan.FromSeconds(30));

        (await DescribeNatAsync(nat.NatGatewayId)).FailureCode.Should().Be("InsufficientFreeAddressesInSubnet");
        await FailsWith("InsufficientFreeAddressesInSubnet", () => RunAsync(subnetId, type: "t3.micro"));
    }

    private async Task<(string VpcId, string SubnetId, string AllocationId, NatGateway Nat)> AvailableNatAsync()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);
        await AttachNewGatewayAsync(vpcId);
        var allocationId = await AllocateAsync();
        var nat = await CreateNatAsync(subnetId, allocationId);
        Advance(TimeSpan.FromMinutes(2));
        return (vpcId, subnetId, allocationId, nat);
    }
}
