using Amazon.EC2.Model;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

public sealed class Ec2SecurityGroupTests : Ec2TestBase
{
    [Fact]
    public async Task Rules_are_authorized_described_refused_twice_and_revoked()
    {
        var vpcId = await CreateVpcAsync();
        var controlPlane = await CreateGroupAsync(vpcId, "c1-controlplane");
        var nodes = await CreateGroupAsync(vpcId, "c1-node");

        var authorized = await Ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = controlPlane,
            IpPermissions =
            [
                new IpPermission { IpProtocol = "tcp", FromPort = 6443, ToPort = 6443, Ipv4Ranges = [new IpRange { CidrIp = "0.0.0.0/0", Description = "API" }] },
                new IpPermission { IpProtocol = "tcp", FromPort = 2379, ToPort = 2380, UserIdGroupPairs = [new UserIdGroupPair { GroupId = controlPlane }] },
            ],
        });

        authorized.Return.Should().BeTrue();
        authorized.SecurityGroupRules.Should().HaveCount(2).And.OnlyContain(r => r.SecurityGroupRuleId.StartsWith("sgr-"));
        var group = (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [controlPlane] })).SecurityGroups.Single();
        group.GroupName.Should().Be("c1-controlplane");
        group.VpcId.Should().Be(vpcId);
        group.IpPermissions.Should().Contain(p => p.FromPort == 6443 && p.Ipv4Ranges.Single().CidrIp == "0.0.0.0/0");
        group.IpPermissions.Should().Contain(p => p.FromPort == 2379 && p.ToPort == 2380 && p.UserIdGroupPairs.Single().GroupId == controlPlane);
        group.IpPermissionsEgress.Should().ContainSingle(p => p.IpProtocol == "-1");
        await FailsWith("InvalidPermission.Duplicate", () => Ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = controlPlane,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = 6443, ToPort = 6443, Ipv4Ranges = [new IpRange { CidrIp = "0.0.0.0/0" }] }],
        }));
        await Ec2.AuthorizeSecurityGroupEgressAsync(new AuthorizeSecurityGroupEgressRequest
        {
            GroupId = nodes,
            IpPermissions = [new IpPermission { IpProtocol = "udp", FromPort = 53, ToPort = 53, Ipv4Ranges = [new IpRange { CidrIp = "10.0.0.0/16" }] }],
        });
        await Ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest
        {
            GroupId = controlPlane,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = 6443, ToPort = 6443, Ipv4Ranges = [new IpRange { CidrIp = "0.0.0.0/0" }] }],
        });
        await Ec2.RevokeSecurityGroupEgressAsync(new RevokeSecurityGroupEgressRequest
        {
            GroupId = nodes,
            IpPermissions = [new IpPermission { IpProtocol = "udp", FromPort = 53, ToPort = 53, Ipv4Ranges = [new IpRange { CidrIp = "10.0.0.0/16" }] }],
        });
        await FailsWith("InvalidPermission.NotFound", () => Ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest
        {
            GroupId = controlPlane,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = 6443, ToPort = 6443, Ipv4Ranges = [new IpRange { CidrIp = "0.0.0.0/0" }] }],
        }));
        (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [controlPlane] })).SecurityGroups.Single()
            .IpPermissions.Should().ContainSingle(p => p.FromPort == 2379);
    }

    [Fact]
    public async Task A_group_referenced_by_another_group_or_an_interface_cannot_be_deleted()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);
        var nodes = await CreateGroupAsync(vpcId, "nodes");
        var controlPlane = await CreateGroupAsync(vpcId, "controlplane");
        await Ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = controlPlane,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = 10250, ToPort = 10250, UserIdGroupPairs = [new UserIdGroupPair { GroupId = nodes }] }],
        });

        var error = await FailsWith("DependencyViolation", () => Ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = nodes }));
        error.Message.Should().Be($"resource {nodes} has a dependent object");
        await Ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest
        {
            GroupId = controlPlane,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = 10250, ToPort = 10250, UserIdGroupPairs = [new UserIdGroupPair { GroupId = nodes }] }],
        });
        var instance = (await RunAsync(subnetId, configure: r => r.SecurityGroupIds = [nodes])).Single();
        await FailsWith("DependencyViolation", () => Ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = nodes }));
        await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instance.InstanceId] });
        Advance(TimeSpan.FromMinutes(1));
        await Ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = nodes });
        await FailsWith("InvalidGroup.NotFound", () => Ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = nodes }));
    }

    [Fact]
    public async Task Group_names_are_unique_per_vpc_and_default_is_reserved()
    {
        var vpcId = await CreateVpcAsync();
        var otherVpcId = await CreateVpcAsync("10.1.0.0/16");
        await CreateGroupAsync(vpcId, "nodes");

        await FailsWith("InvalidGroup.Duplicate", () => CreateGroupAsync(vpcId, "nodes"));
        await CreateGroupAsync(otherVpcId, "nodes");
        await FailsWith("InvalidGroup.Reserved", () => CreateGroupAsync(vpcId, "default"));
        await FailsWith("InvalidVpcID.NotFound", () => CreateGroupAsync("vpc-0123456789abcdef0", "x"));
        (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["nodes"]), new Filter("vpc-id", [otherVpcId])] }))
            .SecurityGroups.Should().ContainSingle();
    }

    private async Task<string> CreateGroupAsync(string vpcId, string name) =>
        (await Ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
        {
            GroupName = name, Description = name, VpcId = vpcId, TagSpecifications = Tagged(Amazon.EC2.ResourceType.SecurityGroup, name),
        })).GroupId;
}
