using Amazon.EC2.Model;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// Rule protocols as EC2 takes them: tcp, udp, icmp, icmpv6, -1/all, or an IP protocol number
/// 0-255 (Calico's IP-in-IP is 4); the numbers of the named protocols are the named protocols.
/// </summary>
public sealed class Ec2SecurityGroupProtocolTests : Ec2TestBase
{
    private async Task<(string Group, string Peer)> TwoGroupsAsync()
    {
        var vpcId = await CreateVpcAsync();
        async Task<string> Create(string name) =>
            (await Ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = name, Description = name, VpcId = vpcId })).GroupId;
        return (await Create("c1-node"), await Create("c1-controlplane"));
    }

    private Task<AuthorizeSecurityGroupIngressResponse> AuthorizeAsync(string groupId, string protocol, int? from, int? to, string peer) =>
        Ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = [new IpPermission { IpProtocol = protocol, FromPort = from, ToPort = to, UserIdGroupPairs = [new UserIdGroupPair { GroupId = peer }] }],
        });

    private async Task<List<IpPermission>> IngressAsync(string groupId) =>
        (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] })).SecurityGroups.Single().IpPermissions ?? [];

    [Fact]
    public async Task Ip_in_ip_by_number_is_authorized_without_ports_and_described_as_ec2_does()
    {
        var (group, peer) = await TwoGroupsAsync();

        // Ports given with protocol 4 are ignored by EC2: the rule admits all IP-in-IP traffic.
        var authorized = await AuthorizeAsync(group, "4", 179, 179, peer);

        authorized.SecurityGroupRules.Single().IpProtocol.Should().Be("4");
        var permission = (await IngressAsync(group)).Single();
        permission.IpProtocol.Should().Be("4");
        permission.FromPort.Should().BeNull("EC2 reports no ports for protocols other than tcp, udp, icmp and icmpv6");
        permission.ToPort.Should().BeNull();
        permission.UserIdGroupPairs.Single().GroupId.Should().Be(peer);
        (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("ip-permission.protocol", ["4"])] }))
            .SecurityGroups.Select(g => g.GroupId).Should().Equal(group);

        // The same permission again, with or without the ignored ports, is a duplicate.
        await FailsWith("InvalidPermission.Duplicate", () => AuthorizeAsync(group, "4", null, null, peer));
        await Ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest
        {
            GroupId = group,
            IpPermissions = [new IpPermission { IpProtocol = "4", UserIdGroupPairs = [new UserIdGroupPair { GroupId = peer }] }],
        });
        (await IngressAsync(group)).Should().BeEmpty();
    }

    [Fact]
    public async Task Egress_rules_take_protocol_numbers_too()
    {
        var (group, _) = await TwoGroupsAsync();

        await Ec2.AuthorizeSecurityGroupEgressAsync(new AuthorizeSecurityGroupEgressRequest
        {
            GroupId = group,
            IpPermissions = [new IpPermission { IpProtocol = "4", FromPort = 0, ToPort = 0, Ipv4Ranges = [new IpRange { CidrIp = "10.0.0.0/16" }] }],
        });

        var egress = (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [group] })).SecurityGroups.Single().IpPermissionsEgress;
        var ipInIp = egress.Single(p => p.IpProtocol == "4");
        (ipInIp.FromPort, ipInIp.ToPort).Should().Be(((int?)null, (int?)null));
        ipInIp.Ipv4Ranges.Single().CidrIp.Should().Be("10.0.0.0/16");
        await Ec2.RevokeSecurityGroupEgressAsync(new RevokeSecurityGroupEgressRequest
        {
            GroupId = group,
            IpPermissions = [new IpPermission { IpProtocol = "4", Ipv4Ranges = [new IpRange { CidrIp = "10.0.0.0/16" }] }],
        });
        (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [group] })).SecurityGroups.Single().IpPermissionsEgress
            .Should().ContainSingle(p => p.IpProtocol == "-1", "only the default all-traffic egress rule is left");
    }

    [Theory]
    [InlineData("6", "tcp")]
    [InlineData("17", "udp")]
    [InlineData("TCP", "tcp")]
    public async Task Numbers_of_named_protocols_are_the_named_protocols(string given, string described)
    {
        var (group, peer) = await TwoGroupsAsync();

        await AuthorizeAsync(group, given, 179, 179, peer);

        var permission = (await IngressAsync(group)).Single();
        permission.IpProtocol.Should().Be(described);
        permission.FromPort.Should().Be(179);
        permission.ToPort.Should().Be(179);
        await FailsWith("InvalidPermission.Duplicate", () => AuthorizeAsync(group, described, 179, 179, peer));
        await Ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest
        {
            GroupId = group,
            IpPermissions = [new IpPermission { IpProtocol = given, FromPort = 179, ToPort = 179, UserIdGroupPairs = [new UserIdGroupPair { GroupId = peer }] }],
        });
        (await IngressAsync(group)).Should().BeEmpty();
    }

    [Fact]
    public async Task All_traffic_and_other_numbers_keep_no_ports_and_unknown_protocols_are_refused()
    {
        var (group, peer) = await TwoGroupsAsync();

        await AuthorizeAsync(group, "all", null, null, peer);
        await AuthorizeAsync(group, "0", null, null, peer);
        await AuthorizeAsync(group, "255", 1, 2, peer);

        (await IngressAsync(group)).Select(p => (p.IpProtocol, p.FromPort, p.ToPort)).Should()
            .BeEquivalentTo([("-1", (int?)null, (int?)null), ("0", null, null), ("255", null, null)]);
        foreach (var bad in new[] { "256", "-2", "04", "gre", "4.0" })
        {
            var error = await FailsWith("InvalidParameterValue", () => AuthorizeAsync(group, bad, null, null, peer));
            error.Message.Should().Contain("Unknown protocol");
        }
    }
}
