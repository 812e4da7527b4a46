using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Local.Aws.Ec2;
using PaletteServerless.Local.Aws.Tests.Ec2;
using static PaletteServerless.Local.Aws.Tests.Iam.AuthorizationCalls;

namespace PaletteServerless.Local.Aws.Tests.Iam;

/// <summary>
/// The local EC2's authorization map: for each kind of request, the exact checks the Service
/// Authorization Reference says IAM makes. The world is built through the real EC2 SDK.
/// </summary>
public sealed class Ec2AuthorizationTests : Ec2TestBase
{
    private const string Image = "ami-0c7217cdde317cfec";
    private const string InRegion = "ec2:Region=us-east-1";

    private static string Arn(string type, string id) => $"arn:aws:ec2:us-east-1:000000000000:{type}/{id}";

    private IReadOnlyList<string>? Checks(string operation, params (string, string)[] parameters) =>
        Query(new Ec2Service(), Host.Aws, operation, parameters);

    private async Task TagAsync(string resourceId, params (string Key, string Value)[] tags) =>
        await Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [resourceId], Tags = [.. tags.Select(t => new Tag(t.Key, t.Value))] });

    [Fact]
    public void Every_operation_the_local_EC2_answers_is_mapped_and_any_other_is_not()
    {
        var ec2 = new Ec2Service();

        ec2.Operations.Where(operation => Query(ec2, Host.Aws, operation) is null).Should().BeEmpty();
        Checks("ReplaceRoute", ("RouteTableId", "rtb-1")).Should().BeNull("an operation the local EC2 does not answer is refused, not guessed");
    }

    [Fact]
    public void A_describe_is_one_check_on_every_resource()
    {
        Checks("DescribeInstances", ("InstanceId.1", "i-0123")).Should().Equal($"ec2:DescribeInstances * | {InRegion}");
        Checks("DescribeSecurityGroups").Should().Equal($"ec2:DescribeSecurityGroups * | {InRegion}");
    }

    [Fact]
    public async Task A_tagged_spot_launch_with_a_profile_is_checked_on_every_resource_it_names_or_makes()
    {
        var vpc = await CreateVpcAsync();
        var subnet = await CreateSubnetAsync(vpc);
        var group = (await Ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "nodes", Description = "nodes", VpcId = vpc })).GroupId;
        await TagAsync(group, ("tier", "web"));
        await Ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "ops" });

        var checks = Checks("RunInstances",
        [
            ("ImageId", Image), ("InstanceType", "m5.large"), ("MinCount", "1"), ("MaxCount", "1"), ("SubnetId", subnet),
            ("SecurityGroupId.1", group), ("KeyName", "ops"), ("IamInstanceProfile.Name", "PaletteServerlessWorker"),
            ("InstanceMarketOptions.MarketType", "spot"),
            .. TagSpecification(1, "instance", ("Name", "web-1"), ("team", "a")),
            .. TagSpecification(2, "volume", ("team", "a")),
        ]);

        var zone = "ec2:AvailabilityZone=us-east-1a";
        var vpcKey = "ec2:Vpc=" + Arn("vpc", vpc);
        checks.Should().Equal(
            $"ec2:RunInstances {Arn("instance", "*")} | aws:RequestTag/Name=web-1; aws:RequestTag/team=a; aws:TagKeys=Name,team; {zone}; ec2:InstanceMarketType=spot; "
                + $"ec2:InstanceProfile=arn:aws:iam::000000000000:instance-profile/PaletteServerlessWorker; ec2:InstanceType=m5.large; {InRegion}",
            $"ec2:RunInstances {Arn("volume", "*")} | aws:RequestTag/team=a; aws:TagKeys=team; {zone}; {InRegion}",
            $"ec2:RunInstances {Arn("network-interface", "*")} | {zone}; {InRegion}; ec2:Subnet={Arn("subnet", subnet)}; {vpcKey}",
            $"ec2:RunInstances {Arn("subnet", subnet)} | {zone}; {InRegion}; ec2:SubnetID={subnet}; {vpcKey}",
            $"ec2:RunInstances {Arn("security-group", group)} | aws:ResourceTag/tier=web; {InRegion}; ec2:ResourceTag/tier=web; ec2:SecurityGroupID={group}; {vpcKey}",
            $"ec2:RunInstances arn:aws:ec2:us-east-1::image/{Image} | ec2:ImageID={Image}; ec2:Public=true; {InRegion}; ec2:RootDeviceType=ebs",
            $"ec2:RunInstances {Arn("key-pair", "ops")} | ec2:KeyPairName=ops; ec2:KeyPairType=rsa; {InRegion}",
            $"ec2:RunInstances {Arn("spot-instances-request", "*")} | {InRegion}",
            $"ec2:CreateTags {Arn("instance", "*")} | aws:RequestTag/Name=web-1; aws:RequestTag/team=a; aws:TagKeys=Name,team; ec2:CreateAction=RunInstances; {InRegion}",
            $"ec2:CreateTags {Arn("volume", "*")} | aws:RequestTag/team=a; aws:TagKeys=team; ec2:CreateAction=RunInstances; {InRegion}",
            "iam:PassRole arn:aws:iam::000000000000:role/PaletteServerlessWorker | iam:PassedToService=ec2.amazonaws.com");
    }

    [Fact]
    public async Task An_untagged_launch_naming_no_group_is_checked_on_the_VPCs_default_group_and_tags_nothing()
    {
        var vpc = await CreateVpcAsync();
        var subnet = await CreateSubnetAsync(vpc);
        var defaultGroup = (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
        {
            Filters = [new Filter("vpc-id", [vpc]), new Filter("group-name", ["default"])],
        })).SecurityGroups.Single().GroupId;

        var checks = Checks("RunInstances", ("ImageId", Image), ("MinCount", "1"), ("MaxCount", "1"), ("SubnetId", subnet), ("KeyName", "missing"))!;

        checks.Select(c => c.Split(' ')[1]).Should().Equal(
            Arn("instance", "*"), Arn("volume", "*"), Arn("network-interface", "*"), Arn("subnet", subnet),
            Arn("security-group", defaultGroup), $"arn:aws:ec2:us-east-1::image/{Image}");
        checks[0].Should().Contain("ec2:InstanceMarketType=on-demand").And.Contain("ec2:InstanceType=t3.micro").And.NotContain("aws:TagKeys");
    }

    [Fact]
    public void A_tagged_create_is_checked_on_the_new_resource_and_on_tagging_it()
    {
        var checks = Checks("CreateVpc", [("CidrBlock", "10.0.0.0/16"), .. TagSpecification(1, "vpc", ("Name", "prod"), ("env", "prod"))]);

        checks.Should().Equal(
            $"ec2:CreateVpc {Arn("vpc", "*")} | aws:RequestTag/Name=prod; aws:RequestTag/env=prod; aws:TagKeys=Name,env; {InRegion}",
            $"ec2:CreateTags {Arn("vpc", "*")} | aws:RequestTag/Name=prod; aws:RequestTag/env=prod; aws:TagKeys=Name,env; ec2:CreateAction=CreateVpc; {InRegion}");
    }

    [Fact]
    public async Task A_create_inside_a_VPC_is_checked_on_the_VPC_with_its_tags()
    {
        var vpc = await CreateVpcAsync();
        await TagAsync(vpc, ("env", "dev"));

        var subnet = Checks("CreateSubnet", [("VpcId", vpc), ("CidrBlock", "10.0.1.0/24"), .. TagSpecification(1, "subnet", ("Name", "a"))]);
        var group = Checks("CreateSecurityGroup", ("VpcId", vpc), ("GroupName", "nodes"), ("GroupDescription", "nodes"));

        var vpcCheck = $"{Arn("vpc", vpc)} | aws:ResourceTag/env=dev; {InRegion}; ec2:ResourceTag/env=dev; ec2:VpcID={vpc}";
        subnet.Should().Equal(
            $"ec2:CreateSubnet {Arn("subnet", "*")} | aws:RequestTag/Name=a; aws:TagKeys=Name; {InRegion}",
            $"ec2:CreateSubnet {vpcCheck}",
            $"ec2:CreateTags {Arn("subnet", "*")} | aws:RequestTag/Name=a; aws:TagKeys=Name; ec2:CreateAction=CreateSubnet; {InRegion}");
        group.Should().Equal($"ec2:CreateSecurityGroup {Arn("security-group", "*")} | {InRegion}", $"ec2:CreateSecurityGroup {vpcCheck}");
    }

    [Fact]
    public async Task A_NAT_gateway_is_checked_as_new_and_on_its_subnet_and_address()
    {
        var vpc = await CreateVpcAsync();
        var subnet = await CreateSubnetAsync(vpc);
        var allocation = await AllocateAsync();
        var publicIp = (await Ec2.DescribeAddressesAsync(new DescribeAddressesRequest { AllocationIds = [allocation] })).Addresses.Single().PublicIp;

        var checks = Checks("CreateNatGateway", ("SubnetId", subnet), ("AllocationId", allocation));

        checks.Should().Equal(
            $"ec2:CreateNatGateway {Arn("natgateway", "*")} | {InRegion}",
            $"ec2:CreateNatGateway {Arn("subnet", subnet)} | ec2:AvailabilityZone=us-east-1a; {InRegion}; ec2:SubnetID={subnet}; ec2:Vpc={Arn("vpc", vpc)}",
            $"ec2:CreateNatGateway {Arn("elastic-ip", allocation)} | ec2:AllocationId={allocation}; ec2:Domain=vpc; ec2:PublicIpAddress={publicIp}; {InRegion}");
    }

    [Fact]
    public async Task CreateTags_is_checked_on_each_existing_resource_with_the_new_tags_and_the_ones_it_has()
    {
        var vpc = await CreateVpcAsync();
        await TagAsync(vpc, ("env", "dev"));
        var gateway = (await Ec2.CreateInternetGatewayAsync(new CreateInternetGatewayRequest())).InternetGateway.InternetGatewayId;

        var checks = Checks("CreateTags",
            ("ResourceId.1", vpc), ("ResourceId.2", "vpc-0000000000missing"), ("ResourceId.3", gateway),
            ("Tag.1.Key", "owner"), ("Tag.1.Value", "me"), ("Tag.2.Key", "env"), ("Tag.2.Value", "prod"));

        checks.Should().Equal(
            $"ec2:CreateTags {Arn("vpc", vpc)} | aws:RequestTag/env=prod; aws:RequestTag/owner=me; aws:ResourceTag/env=dev; aws:TagKeys=owner,env; {InRegion}; ec2:ResourceTag/env=dev",
            $"ec2:CreateTags {Arn("internet-gateway", gateway)} | aws:RequestTag/env=prod; aws:RequestTag/owner=me; aws:TagKeys=owner,env; {InRegion}");
    }

    [Fact]
    public async Task DeleteTags_is_checked_with_the_keys_it_removes()
    {
        var vpc = await CreateVpcAsync();
        await TagAsync(vpc, ("env", "dev"), ("owner", "me"));

        Checks("DeleteTags", ("ResourceId.1", vpc), ("Tag.1.Key", "owner")).Should().Equal(
            $"ec2:DeleteTags {Arn("vpc", vpc)} | aws:ResourceTag/env=dev; aws:ResourceTag/owner=me; aws:TagKeys=owner; {InRegion}; ec2:ResourceTag/env=dev; ec2:ResourceTag/owner=me");
    }

    [Fact]
    public async Task Terminating_is_checked_on_each_instance_with_its_tags_and_a_missing_one_is_left_to_NotFound()
    {
        var subnet = await CreateSubnetAsync(await CreateVpcAsync());
        var instance = (await RunAsync(subnet, "t3.small", configure: r => r.TagSpecifications = Tagged(ResourceType.Instance, "node-1"))).Single().InstanceId;

        Checks("TerminateInstances", ("InstanceId.1", instance), ("InstanceId.2", "i-0000000000missing")).Should().Equal(
            $"ec2:TerminateInstances {Arn("instance", instance)} | aws:ResourceTag/Name=node-1; ec2:AvailabilityZone=us-east-1a; ec2:InstanceID={instance}; "
                + $"ec2:InstanceMarketType=on-demand; ec2:InstanceType=t3.small; {InRegion}; ec2:ResourceTag/Name=node-1");
    }

    [Fact]
    public async Task A_delete_is_checked_on_the_resource_and_a_missing_one_maps_to_no_check()
    {
        var vpc = await CreateVpcAsync();
        var group = (await Ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
        {
            GroupName = "lb", Description = "lb", VpcId = vpc, TagSpecifications = Tagged(ResourceType.SecurityGroup, "lb"),
        })).GroupId;

        Checks("DeleteSecurityGroup", ("GroupName", "lb")).Should().Equal(
            $"ec2:DeleteSecurityGroup {Arn("security-group", group)} | aws:ResourceTag/Name=lb; {InRegion}; ec2:ResourceTag/Name=lb; ec2:SecurityGroupID={group}; ec2:Vpc={Arn("vpc", vpc)}");
        Checks("DeleteVpc", ("VpcId", "vpc-0000000000missing")).Should().BeEmpty();
        Checks("AuthorizeSecurityGroupIngress", ("GroupId", "sg-0000000000missing")).Should().BeEmpty();
    }

    [Fact]
    public async Task Attaching_a_gateway_is_checked_on_the_gateway_and_the_VPC()
    {
        var vpc = await CreateVpcAsync();
        var gateway = (await Ec2.CreateInternetGatewayAsync(new CreateInternetGatewayRequest())).InternetGateway.InternetGatewayId;

        Checks("AttachInternetGateway", ("InternetGatewayId", gateway), ("VpcId", vpc)).Should().Equal(
            $"ec2:AttachInternetGateway {Arn("internet-gateway", gateway)} | ec2:InternetGatewayID={gateway}; {InRegion}",
            $"ec2:AttachInternetGateway {Arn("vpc", vpc)} | {InRegion}; ec2:VpcID={vpc}");
    }

    [Fact]
    public async Task A_key_pair_is_named_by_its_name_in_its_ARN()
    {
        await Ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "ops", TagSpecifications = Tagged(ResourceType.KeyPair, "ops") });

        Checks("CreateKeyPair", ("KeyName", "admin")).Should().Equal($"ec2:CreateKeyPair {Arn("key-pair", "admin")} | ec2:KeyPairType=rsa; {InRegion}");
        Checks("DeleteKeyPair", ("KeyName", "ops")).Should().Equal(
            $"ec2:DeleteKeyPair {Arn("key-pair", "ops")} | aws:ResourceTag/Name=ops; ec2:KeyPairName=ops; ec2:KeyPairType=rsa; {InRegion}; ec2:ResourceTag/Name=ops");
    }
}
