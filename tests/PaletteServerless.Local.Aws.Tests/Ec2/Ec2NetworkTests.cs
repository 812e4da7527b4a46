using Amazon.EC2;
using Amazon.EC2.Model;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

public sealed class Ec2NetworkTests : Ec2TestBase
{
    [Fact]
    public async Task Vpc_is_created_with_tags_and_found_by_id_and_by_tag_filters()
    {
        var created = await Ec2.CreateVpcAsync(new CreateVpcRequest
        {
            CidrBlock = "10.0.0.0/16",
            TagSpecifications = Tagged(ResourceType.Vpc, "c1-vpc", ("kubernetes.io/cluster/c1", "owned")),
        });
        await CreateVpcAsync("10.1.0.0/16");

        created.Vpc.VpcId.Should().StartWith("vpc-");
        created.Vpc.State.Should().Be(VpcState.Available);
        created.Vpc.Tags.Should().Contain(t => t.Key == "Name" && t.Value == "c1-vpc");
        (await Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [created.Vpc.VpcId] }))
            .Vpcs.Should().ContainSingle().Which.CidrBlock.Should().Be("10.0.0.0/16");
        (await Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = [new Filter("tag:Name", ["c1-*"])] }))
            .Vpcs.Select(v => v.VpcId).Should().Equal(created.Vpc.VpcId);
        (await Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = [new Filter("tag-key", ["kubernetes.io/cluster/c1"])] }))
            .Vpcs.Select(v => v.VpcId).Should().Equal(created.Vpc.VpcId);
        (await Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = [new Filter("state", ["available"])] }))
            .Vpcs.Should().HaveCount(2);
    }

    [Fact]
    public async Task Unknown_ids_and_bad_filters_get_ec2_errors()
    {
        var error = await FailsWith("InvalidVpcID.NotFound", () => Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = ["vpc-0123456789abcdef0"] }));
        error.Message.Should().Be("The vpc ID 'vpc-0123456789abcdef0' does not exist");
        await FailsWith("InvalidSubnetID.NotFound", () => Ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = "subnet-0123456789abcdef0" }));
        await FailsWith("InvalidInternetGatewayID.NotFound", () => Ec2.DeleteInternetGatewayAsync(new DeleteInternetGatewayRequest { InternetGatewayId = "igw-0123456789abcdef0" }));
        await FailsWith("InvalidRouteTableID.NotFound", () => Ec2.DeleteRouteTableAsync(new DeleteRouteTableRequest { RouteTableId = "rtb-0123456789abcdef0" }));
        // EC2 checks filter names even when there is nothing to filter.
        await FailsWith("InvalidParameterValue", () => Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = [new Filter("no-such-filter", ["x"])] }));
    }

    [Fact]
    public async Task Dry_run_answers_412_and_creates_nothing()
    {
        var error = await FailsWith("DryRunOperation", () => Ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.0.0.0/16", DryRun = true }));

        error.StatusCode.Should().Be(System.Net.HttpStatusCode.PreconditionFailed);
        (await Ec2.DescribeVpcsAsync(new DescribeVpcsRequest())).Vpcs.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task Sixth_vpc_exceeds_the_quota_of_five()
    {
        for (var i = 0; i < 5; i++)
            await CreateVpcAsync($"10.{i}.0.0/16");

        var error = await FailsWith("VpcLimitExceeded", () => CreateVpcAsync("10.9.0.0/16"));
        error.Message.Should().Be("The maximum number of VPCs has been reached.");
    }

    [Fact]
    public async Task Subnets_must_fit_the_vpc_without_overlap_in_a_zone_of_the_region()
    {
        var vpcId = await CreateVpcAsync();
        var subnet = (await Ec2.CreateSubnetAsync(new CreateSubnetRequest
        {
            VpcId = vpcId, CidrBlock = "10.0.1.0/24", AvailabilityZone = "us-east-1b",
            TagSpecifications = Tagged(ResourceType.Subnet, "c1-subnet-private-us-east-1b"),
        })).Subnet;

        subnet.AvailabilityZone.Should().Be("us-east-1b");
        subnet.AvailabilityZoneId.Should().Be("use1-az2");
        subnet.AvailableIpAddressCount.Should().Be(251);
        subnet.Tags.Should().ContainSingle(t => t.Value == "c1-subnet-private-us-east-1b");
        await FailsWith("InvalidSubnet.Conflict", () => CreateSubnetAsync(vpcId, "10.0.1.128/25"));
        await FailsWith("InvalidSubnet.Range", () => CreateSubnetAsync(vpcId, "10.1.0.0/24"));
        await FailsWith("InvalidParameterValue", () => CreateSubnetAsync(vpcId, "10.0.2.0/24", "us-west-2a"));
        await FailsWith("InvalidVpcID.NotFound", () => CreateSubnetAsync("vpc-0123456789abcdef0"));
        (await Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("vpc-id", [vpcId])] }))
            .Subnets.Select(s => s.SubnetId).Should().Equal(subnet.SubnetId);
    }

    [Fact]
    public async Task Deleting_a_vpc_with_subnets_a_gateway_or_groups_is_a_dependency_violation()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);
        var gatewayId = await AttachNewGatewayAsync(vpcId);
        var groupId = (await Ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "nodes", Description = "nodes", VpcId = vpcId })).GroupId;

        var error = await FailsWith("DependencyViolation", () => Ec2.DeleteVpcAsync(new DeleteVpcRequest { VpcId = vpcId }));
        error.Message.Should().Be($"The vpc '{vpcId}' has dependencies and cannot be deleted.");

        await Ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = subnetId });
        await FailsWith("DependencyViolation", () => Ec2.DeleteVpcAsync(new DeleteVpcRequest { VpcId = vpcId }));
        await FailsWith("DependencyViolation", () => Ec2.DeleteInternetGatewayAsync(new DeleteInternetGatewayRequest { InternetGatewayId = gatewayId }));
        await Ec2.DetachInternetGatewayAsync(new DetachInternetGatewayRequest { InternetGatewayId = gatewayId, VpcId = vpcId });
        await Ec2.DeleteInternetGatewayAsync(new DeleteInternetGatewayRequest { InternetGatewayId = gatewayId });
        await FailsWith("DependencyViolation", () => Ec2.DeleteVpcAsync(new DeleteVpcRequest { VpcId = vpcId }));
        await Ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = groupId });
        await Ec2.DeleteVpcAsync(new DeleteVpcRequest { VpcId = vpcId });

        // The main route table and the default security group went with the VPC.
        (await Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest())).RouteTables.Should().BeNullOrEmpty();
        (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest())).SecurityGroups.Should().BeNullOrEmpty();
        await FailsWith("InvalidVpcID.NotFound", () => Ec2.DeleteVpcAsync(new DeleteVpcRequest { VpcId = vpcId }));
    }

    [Fact]
    public async Task A_vpc_comes_with_a_main_route_table_and_a_default_group_that_cannot_be_deleted()
    {
        var vpcId = await CreateVpcAsync();

        var main = (await Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = [new Filter("vpc-id", [vpcId]), new Filter("association.main", ["true"])] }))
            .RouteTables.Should().ContainSingle().Subject;
        main.Routes.Should().ContainSingle(r => r.DestinationCidrBlock == "10.0.0.0/16" && r.GatewayId == "local");
        await FailsWith("DependencyViolation", () => Ec2.DeleteRouteTableAsync(new DeleteRouteTableRequest { RouteTableId = main.RouteTableId }));
        var defaultGroup = (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["default"])] }))
            .SecurityGroups.Should().ContainSingle().Subject;
        await FailsWith("CannotDelete", () => Ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = defaultGroup.GroupId }));
    }

    [Fact]
    public async Task Internet_gateways_attach_once_detach_only_from_their_vpc_and_stop_at_five()
    {
        var vpcId = await CreateVpcAsync();
        var otherVpcId = await CreateVpcAsync("10.1.0.0/16");
        var gatewayId = await AttachNewGatewayAsync(vpcId);

        var described = (await Ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { Filters = [new Filter("attachment.vpc-id", [vpcId])] }))
            .InternetGateways.Should().ContainSingle().Subject;
        described.Attachments.Should().ContainSingle(a => a.VpcId == vpcId && a.State == "available");
        await FailsWith("Resource.AlreadyAssociated", () => Ec2.AttachInternetGatewayAsync(new AttachInternetGatewayRequest { InternetGatewayId = gatewayId, VpcId = otherVpcId }));
        await FailsWith("Gateway.NotAttached", () => Ec2.DetachInternetGatewayAsync(new DetachInternetGatewayRequest { InternetGatewayId = gatewayId, VpcId = otherVpcId }));
        for (var i = 1; i < 5; i++)
            await Ec2.CreateInternetGatewayAsync(new CreateInternetGatewayRequest());
        await FailsWith("InternetGatewayLimitExceeded", () => Ec2.CreateInternetGatewayAsync(new CreateInternetGatewayRequest()));
    }

    [Fact]
    public async Task Route_tables_take_routes_to_attached_gateways_and_keep_subnet_associations_until_removed()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);
        var gatewayId = await AttachNewGatewayAsync(vpcId);
        var otherGateway = (await Ec2.CreateInternetGatewayAsync(new CreateInternetGatewayRequest())).InternetGateway.InternetGatewayId;
        var table = (await Ec2.CreateRouteTableAsync(new CreateRouteTableRequest { VpcId = vpcId, TagSpecifications = Tagged(ResourceType.RouteTable, "c1-rt-public") })).RouteTable;

        await Ec2.CreateRouteAsync(new CreateRouteRequest { RouteTableId = table.RouteTableId, DestinationCidrBlock = "0.0.0.0/0", GatewayId = gatewayId });
        await FailsWith("RouteAlreadyExists", () => Ec2.CreateRouteAsync(new CreateRouteRequest { RouteTableId = table.RouteTableId, DestinationCidrBlock = "0.0.0.0/0", GatewayId = gatewayId }));
        await FailsWith("InvalidParameterValue", () => Ec2.CreateRouteAsync(new CreateRouteRequest { RouteTableId = table.RouteTableId, DestinationCidrBlock = "10.9.0.0/16", GatewayId = otherGateway }));
        var association = await Ec2.AssociateRouteTableAsync(new AssociateRouteTableRequest { RouteTableId = table.RouteTableId, SubnetId = subnetId });
        await FailsWith("Resource.AlreadyAssociated", () => Ec2.AssociateRouteTableAsync(new AssociateRouteTableRequest { RouteTableId = table.RouteTableId, SubnetId = subnetId }));

        var described = (await Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = [new Filter("association.subnet-id", [subnetId])] }))
            .RouteTables.Should().ContainSingle().Subject;
        described.Routes.Should().Contain(r => r.DestinationCidrBlock == "0.0.0.0/0" && r.GatewayId == gatewayId && r.State == RouteState.Active);
        described.Associations.Should().ContainSingle(a => a.RouteTableAssociationId == association.AssociationId && a.Main == false);

        var error = await FailsWith("DependencyViolation", () => Ec2.DeleteRouteTableAsync(new DeleteRouteTableRequest { RouteTableId = table.RouteTableId }));
        error.Message.Should().Be($"The routeTable '{table.RouteTableId}' has dependencies and cannot be deleted.");
        await Ec2.DisassociateRouteTableAsync(new DisassociateRouteTableRequest { AssociationId = association.AssociationId });
        await FailsWith("InvalidAssociationID.NotFound", () => Ec2.DisassociateRouteTableAsync(new DisassociateRouteTableRequest { AssociationId = association.AssociationId }));
        await Ec2.DeleteRouteAsync(new DeleteRouteRequest { RouteTableId = table.RouteTableId, DestinationCidrBlock = "0.0.0.0/0" });
        await FailsWith("InvalidRoute.NotFound", () => Ec2.DeleteRouteAsync(new DeleteRouteRequest { RouteTableId = table.RouteTableId, DestinationCidrBlock = "0.0.0.0/0" }));
        await Ec2.DeleteRouteTableAsync(new DeleteRouteTableRequest { RouteTableId = table.RouteTableId });
    }

    [Fact]
    public async Task Route_table_client_token_returns_the_same_table_and_refuses_other_parameters()
    {
        var vpcId = await CreateVpcAsync();
        var otherVpcId = await CreateVpcAsync("10.1.0.0/16");

        var first = await Ec2.CreateRouteTableAsync(new CreateRouteTableRequest { VpcId = vpcId, ClientToken = "rt-token-1" });
        var again = await Ec2.CreateRouteTableAsync(new CreateRouteTableRequest { VpcId = vpcId, ClientToken = "rt-token-1" });

        again.RouteTable.RouteTableId.Should().Be(first.RouteTable.RouteTableId);
        again.ClientToken.Should().Be("rt-token-1");
        await FailsWith("IdempotentParameterMismatch", () => Ec2.CreateRouteTableAsync(new CreateRouteTableRequest { VpcId = otherVpcId, ClientToken = "rt-token-1" }));
        (await Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = [new Filter("vpc-id", [vpcId])] })).RouteTables.Should().HaveCount(2);
    }

    [Fact]
    public async Task Public_subnets_give_instances_public_addresses_that_keep_the_gateway_attached()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);
        var gatewayId = await AttachNewGatewayAsync(vpcId);
        await Ec2.ModifySubnetAttributeAsync(new ModifySubnetAttributeRequest { SubnetId = subnetId, MapPublicIpOnLaunch = true });

        var instance = (await RunAsync(subnetId)).Single();

        instance.PublicIpAddress.Should().NotBeNullOrEmpty();
        (await Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = [subnetId] })).Subnets.Single().MapPublicIpOnLaunch.Should().BeTrue();
        await FailsWith("DependencyViolation", () => Ec2.DetachInternetGatewayAsync(new DetachInternetGatewayRequest { InternetGatewayId = gatewayId, VpcId = vpcId }));
        await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instance.InstanceId] });
        Advance(TimeSpan.FromMinutes(1));
        await Ec2.DetachInternetGatewayAsync(new DetachInternetGatewayRequest { InternetGatewayId = gatewayId, VpcId = vpcId });
    }

    [Fact]
    public async Task Describe_pages_with_max_results_and_next_token()
    {
        var vpcId = await CreateVpcAsync();
        for (var i = 0; i < 12; i++)
            await CreateSubnetAsync(vpcId, $"10.0.{i}.0/24");

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { MaxResults = 5, NextToken = token });
            seen.AddRange(page.Subnets.Select(s => s.SubnetId));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        pages.Should().Be(3);
        seen.Should().HaveCount(12).And.OnlyHaveUniqueItems();
    }
}
