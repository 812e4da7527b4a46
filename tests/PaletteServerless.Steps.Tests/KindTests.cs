using Amazon.EC2;
using Amazon.EC2.Model;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>The decisions each kind's ensure and delete make, against fake AWS clients.</summary>
public sealed class KindTests
{
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task A_delete_that_finds_the_vpc_gone_is_done_and_forgets_it()
    {
        _inventory.Add(ResourceKinds.Vpc, "vpc-1");
        _cloud.Ec2.DeleteVpcAsync(Arg.Any<DeleteVpcRequest>(), Arg.Any<CancellationToken>()).Throws(Ec2Error("InvalidVpcID.NotFound"));
        var pass = new DeletePass();

        var done = await new VpcKind(await ResourcesAsync(_cloud, _inventory)).DeleteAsync(pass, Ct);

        done.Should().BeTrue();
        _inventory.Items.Should().BeEmpty();
        pass.Errors.Should().BeEmpty();
        pass.WaitingFor.Should().BeEmpty();
    }

    [Fact]
    public async Task A_subnet_with_a_dependency_waits_for_the_next_pass_and_names_what_blocks_it()
    {
        _inventory.Add(ResourceKinds.Subnet, "subnet-1", "public", "us-east-1a");
        _cloud.Ec2.DeleteSubnetAsync(Arg.Any<DeleteSubnetRequest>(), Arg.Any<CancellationToken>()).Throws(Ec2Error("DependencyViolation"));
        _cloud.Ec2.DescribeNetworkInterfacesAsync(Arg.Any<DescribeNetworkInterfacesRequest>(), Arg.Any<CancellationToken>()).Returns(new DescribeNetworkInterfacesResponse
        {
            NetworkInterfaces = [new NetworkInterface { NetworkInterfaceId = "eni-1", SubnetId = "subnet-1", Description = "Lambda of someone else" }],
        });
        var pass = new DeletePass();

        var done = await new SubnetKind(await ResourcesAsync(_cloud, _inventory)).DeleteAsync(pass, Ct);

        done.Should().BeFalse();
        _inventory.Items.Should().ContainSingle(i => i.Id == "subnet-1", "a subnet that is still there stays recorded");
        pass.WaitingFor.Should().ContainSingle().Which.Should().Contain("subnet-1").And.Contain("DependencyViolation");
        pass.Blockers.Should().ContainSingle().Which.Should().Be(
            new Blocker(ResourceKinds.NetworkInterface, "eni-1", "network interface eni-1 (Lambda of someone else) in subnet-1"));
        pass.Errors.Should().BeEmpty();
        await _cloud.Ec2.Received(1).DescribeNetworkInterfacesAsync(
            Arg.Is<DescribeNetworkInterfacesRequest>(r => r.Filters[0].Name == "subnet-id" && r.Filters[0].Values[0] == "subnet-1"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Any_other_error_of_a_delete_is_collected_and_the_record_kept()
    {
        _inventory.Add(ResourceKinds.Vpc, "vpc-1");
        _cloud.Ec2.DeleteVpcAsync(Arg.Any<DeleteVpcRequest>(), Arg.Any<CancellationToken>()).Throws(Ec2Error("UnauthorizedOperation"));
        _cloud.Ec2.DescribeNetworkInterfacesAsync(Arg.Any<DescribeNetworkInterfacesRequest>(), Arg.Any<CancellationToken>()).Returns(new DescribeNetworkInterfacesResponse { NetworkInterfaces = [] });
        _cloud.LoadBalancing.DescribeLoadBalancersAsync(cancellationToken: Arg.Any<CancellationToken>()).Returns(new Aws.Clients.Page<Aws.Clients.LoadBalancer>([], null));
        var pass = new DeletePass();

        (await new VpcKind(await ResourcesAsync(_cloud, _inventory)).DeleteAsync(pass, Ct)).Should().BeFalse();

        pass.Errors.Should().ContainSingle().Which.Should().Contain("UnauthorizedOperation");
        _inventory.Items.Should().ContainSingle(i => i.Id == "vpc-1");
    }

    [Fact]
    public async Task Ensure_adopts_the_vpc_its_tags_find_instead_of_creating_a_second()
    {
        _cloud.Ec2.DescribeVpcsAsync(Arg.Any<DescribeVpcsRequest>(), Arg.Any<CancellationToken>())
            .Returns(new DescribeVpcsResponse { Vpcs = [new Vpc { VpcId = "vpc-lost-record" }] });
        var resources = await ResourcesAsync(_cloud, _inventory);

        var id = await new VpcKind(resources).EnsureAsync(ClusterPlan.Build(resources.Cluster), Ct);

        id.Should().Be("vpc-lost-record");
        _inventory.Items.Should().ContainSingle(i => i.Kind == ResourceKinds.Vpc && i.Id == "vpc-lost-record");
        await _cloud.Ec2.DidNotReceiveWithAnyArgs().CreateVpcAsync(default!, default);
        await _cloud.Ec2.Received(1).DescribeVpcsAsync(
            Arg.Is<DescribeVpcsRequest>(r => r.Filters.Any(f => f.Name == "tag:palette.serverless/cluster-uid" && f.Values[0] == Uid)), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Ensure_run_again_creates_nothing_more()
    {
        _cloud.Ec2.DescribeVpcsAsync(Arg.Any<DescribeVpcsRequest>(), Arg.Any<CancellationToken>()).Returns(new DescribeVpcsResponse { Vpcs = [] });
        _cloud.Ec2.CreateVpcAsync(Arg.Any<CreateVpcRequest>(), Arg.Any<CancellationToken>()).Returns(new CreateVpcResponse { Vpc = new Vpc { VpcId = "vpc-new" } });
        var first = await ResourcesAsync(_cloud, _inventory);
        var plan = ClusterPlan.Build(first.Cluster);

        await new VpcKind(first).EnsureAsync(plan, Ct);
        // The same step again, as a retry would run it: a fresh load of the inventory.
        var id = await new VpcKind(await ResourcesAsync(_cloud, _inventory)).EnsureAsync(plan, Ct);

        id.Should().Be("vpc-new");
        _inventory.Items.Should().ContainSingle();
        await _cloud.Ec2.Received(1).CreateVpcAsync(Arg.Is<CreateVpcRequest>(r => r.TagSpecifications[0].Tags.Any(t => t.Key == "Name")), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task The_elastic_ip_is_recorded_before_the_nat_gateway_create_can_fail()
    {
        _inventory.Add(ResourceKinds.Subnet, "subnet-public-a", "public", "us-east-1a");
        _cloud.Ec2.DescribeAddressesAsync(Arg.Any<DescribeAddressesRequest>(), Arg.Any<CancellationToken>()).Returns(new DescribeAddressesResponse { Addresses = [] });
        _cloud.Ec2.AllocateAddressAsync(Arg.Any<AllocateAddressRequest>(), Arg.Any<CancellationToken>()).Returns(new AllocateAddressResponse { AllocationId = "eipalloc-1" });
        _cloud.Ec2.DescribeNatGatewaysAsync(Arg.Any<DescribeNatGatewaysRequest>(), Arg.Any<CancellationToken>()).Returns(new DescribeNatGatewaysResponse { NatGateways = [] });
        _cloud.Ec2.CreateNatGatewayAsync(Arg.Any<CreateNatGatewayRequest>(), Arg.Any<CancellationToken>()).Throws(Ec2Error("NatGatewayLimitExceeded"));
        var resources = await ResourcesAsync(_cloud, _inventory);

        var create = () => new NatGatewayKind(resources).EnsureAsync(ClusterPlan.Build(resources.Cluster), Ct);

        (await create.Should().ThrowAsync<ProvisioningFailedException>()).Which.Message.Should().Contain("NatGatewayLimitExceeded");
        _inventory.Items.Should().ContainSingle(i => i.Kind == ResourceKinds.ElasticIp && i.Id == "eipalloc-1" && i.AvailabilityZone == "us-east-1a");
        _inventory.Items.Should().NotContain(i => i.Kind == ResourceKinds.NatGateway);
    }

    [Fact]
    public async Task A_nat_gateway_still_deleting_keeps_its_address_for_a_later_pass()
    {
        _inventory.Add(ResourceKinds.NatGateway, "nat-1", "nat", "us-east-1a");
        _inventory.Add(ResourceKinds.ElasticIp, "eipalloc-1", "nat", "us-east-1a");
        _cloud.Ec2.DescribeNatGatewaysAsync(Arg.Any<DescribeNatGatewaysRequest>(), Arg.Any<CancellationToken>())
            .Returns(new DescribeNatGatewaysResponse { NatGateways = [new NatGateway { NatGatewayId = "nat-1", State = NatGatewayState.Deleting }] });

        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        result.Done.Should().BeFalse();
        result.Remaining.Should().Be(2);
        result.WaitingFor.Should().Contain("NAT gateway nat-1 deleting");
        await _cloud.Ec2.DidNotReceiveWithAnyArgs().DeleteNatGatewayAsync(default!, default);
        await _cloud.Ec2.DidNotReceiveWithAnyArgs().ReleaseAddressAsync(default!, default);
    }

    [Fact]
    public async Task Teardown_goes_no_further_than_the_instances_while_they_run()
    {
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-cp-0", "us-east-1a");
        _inventory.Add(ResourceKinds.Vpc, "vpc-1");
        _cloud.Ec2.DescribeInstancesAsync(Arg.Any<DescribeInstancesRequest>(), Arg.Any<CancellationToken>()).Returns(Reservation("i-1", InstanceStateName.Running));

        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        result.Done.Should().BeFalse();
        result.WaitingFor.Should().ContainSingle().Which.Should().Be("instances terminating: i-1");
        await _cloud.Ec2.Received(1).TerminateInstancesAsync(Arg.Is<TerminateInstancesRequest>(r => r.InstanceIds.SequenceEqual(new[] { "i-1" })), Arg.Any<CancellationToken>());
        await _cloud.Ec2.DidNotReceiveWithAnyArgs().DeleteVpcAsync(default!, default);
    }

    [Fact]
    public async Task A_pass_that_starts_the_terminate_expects_what_it_waits_for_in_about_a_minute_and_starts_the_nat_gateway_delete_beside_it()
    {
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-cp-0", "us-east-1a");
        _inventory.Add(ResourceKinds.NatGateway, "nat-1", "nat", "us-east-1a");
        _cloud.Ec2.DescribeInstancesAsync(Arg.Any<DescribeInstancesRequest>(), Arg.Any<CancellationToken>()).Returns(Reservation("i-1", InstanceStateName.Running));
        _cloud.Ec2.DescribeNatGatewaysAsync(Arg.Any<DescribeNatGatewaysRequest>(), Arg.Any<CancellationToken>())
            .Returns(new DescribeNatGatewaysResponse { NatGateways = [new NatGateway { NatGatewayId = "nat-1", State = NatGatewayState.Available }] });

        var started = DateTimeOffset.UtcNow;
        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        result.Done.Should().BeFalse();
        // Counted from the terminate call: the longer of the two latencies, from within the pass.
        result.ExpectedDoneAt.Should().BeOnOrAfter(started + TypicalLatency.InstanceTermination).And.BeOnOrBefore(DateTimeOffset.UtcNow + TypicalLatency.InstanceTermination);
        await _cloud.Ec2.Received(1).DeleteNatGatewayAsync(Arg.Is<DeleteNatGatewayRequest>(r => r.NatGatewayId == "nat-1"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_pass_that_only_finds_instances_still_shutting_down_leaves_the_cadence_to_the_workflow()
    {
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-cp-0", "us-east-1a");
        _cloud.Ec2.DescribeInstancesAsync(Arg.Any<DescribeInstancesRequest>(), Arg.Any<CancellationToken>()).Returns(Reservation("i-1", InstanceStateName.ShuttingDown));

        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        result.Done.Should().BeFalse();
        result.ExpectedDoneAt.Should().BeNull();
        await _cloud.Ec2.DidNotReceiveWithAnyArgs().TerminateInstancesAsync(default!, default);
    }

    [Theory]
    [InlineData(true, null, 0)]
    [InlineData(false, null, 10)]
    [InlineData(false, 60.0, 60)]
    [InlineData(false, 59.2, 60)]
    [InlineData(false, 0.3, 1)]
    [InlineData(false, -5.0, 1)]
    public void The_wait_before_the_next_pass_lasts_until_what_the_pass_expects_else_the_poll_cadence(bool done, double? expectedInSeconds, int wait)
    {
        var now = new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
        var result = new TeardownResult(done, done ? 0 : 1, [], [], [], expectedInSeconds is { } s ? now.AddSeconds(s) : null);

        Steps.Deletion.TeardownStep.WaitSecondsFor(result, now).Should().Be(wait);
    }

    [Fact]
    public async Task Teardown_is_done_when_everything_recorded_is_already_gone()
    {
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-cp-0", "us-east-1a");
        _inventory.Add(ResourceKinds.SecurityGroup, "sg-1", "node");
        _inventory.Add(ResourceKinds.InternetGateway, "igw-1");
        _inventory.Add(ResourceKinds.Subnet, "subnet-1", "public", "us-east-1a");
        _inventory.Add(ResourceKinds.Vpc, "vpc-1");
        _cloud.Ec2.DescribeInstancesAsync(Arg.Any<DescribeInstancesRequest>(), Arg.Any<CancellationToken>()).Returns(new DescribeInstancesResponse { Reservations = [] });
        _cloud.Ec2.DescribeSecurityGroupsAsync(Arg.Any<DescribeSecurityGroupsRequest>(), Arg.Any<CancellationToken>()).Returns(new DescribeSecurityGroupsResponse { SecurityGroups = [] });
        _cloud.Ec2.DeleteSecurityGroupAsync(Arg.Any<DeleteSecurityGroupRequest>(), Arg.Any<CancellationToken>()).Throws(Ec2Error("InvalidGroup.NotFound"));
        _cloud.Ec2.DescribeInternetGatewaysAsync(Arg.Any<DescribeInternetGatewaysRequest>(), Arg.Any<CancellationToken>()).Returns(new DescribeInternetGatewaysResponse { InternetGateways = [] });
        _cloud.Ec2.DeleteSubnetAsync(Arg.Any<DeleteSubnetRequest>(), Arg.Any<CancellationToken>()).Throws(Ec2Error("InvalidSubnetID.NotFound"));
        _cloud.Ec2.DeleteVpcAsync(Arg.Any<DeleteVpcRequest>(), Arg.Any<CancellationToken>()).Throws(Ec2Error("InvalidVpcID.NotFound"));

        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        result.Done.Should().BeTrue();
        result.Remaining.Should().Be(0);
        result.Errors.Should().BeEmpty();
        _inventory.Items.Should().BeEmpty();
    }

    [Fact]
    public async Task Teardown_records_what_carries_the_cluster_tag_before_deleting_it()
    {
        _cloud.Tagging.GetAllResourcesAsync(Arg.Any<Aws.Clients.GetResourcesRequest>(), Arg.Any<CancellationToken>()).Returns(Task.FromResult<IReadOnlyList<Aws.Clients.ResourceTagMapping>>(
        [
            new Aws.Clients.ResourceTagMapping("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-crashed", []),
        ]));
        _cloud.Ec2.DeleteVpcAsync(Arg.Any<DeleteVpcRequest>(), Arg.Any<CancellationToken>()).Throws(Ec2Error("DependencyViolation"));
        _cloud.Ec2.DescribeNetworkInterfacesAsync(Arg.Any<DescribeNetworkInterfacesRequest>(), Arg.Any<CancellationToken>()).Returns(new DescribeNetworkInterfacesResponse { NetworkInterfaces = [] });
        _cloud.LoadBalancing.DescribeLoadBalancersAsync(cancellationToken: Arg.Any<CancellationToken>()).Returns(new Aws.Clients.Page<Aws.Clients.LoadBalancer>([], null));

        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        result.Done.Should().BeFalse();
        _inventory.Items.Should().ContainSingle(i => i.Kind == ResourceKinds.Vpc && i.Id == "vpc-crashed" && i.Role == "adopted");
        await _cloud.Ec2.Received(1).DeleteVpcAsync(Arg.Is<DeleteVpcRequest>(r => r.VpcId == "vpc-crashed"), Arg.Any<CancellationToken>());
    }

    internal static DescribeInstancesResponse Reservation(string id, InstanceStateName state, string zone = "us-east-1a", DateTime? launched = null) => new()
    {
        Reservations =
        [
            new Amazon.EC2.Model.Reservation
            {
                Instances = [new Instance { InstanceId = id, State = new InstanceState { Name = state }, Placement = new Placement { AvailabilityZone = zone }, LaunchTime = launched }],
            },
        ],
    };
}
