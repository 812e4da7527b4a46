using System.Globalization;
using PaletteServerless.Local.Aws.Core;
using static PaletteServerless.Local.Aws.Ec2.Ec2Filters;

namespace PaletteServerless.Local.Aws.Ec2;

// Security groups and their rules.
public sealed partial class Ec2Service
{
    private static LocalAwsResponse CreateSecurityGroup(Ec2Request r)
    {
        var name = r.P.Required("GroupName");
        var description = r.P.Required("GroupDescription");
        var vpcId = r.P["VpcId"] ?? throw new AwsErrorException("VPCIdNotSpecified", "No default VPC for this user");
        var vpc = r.Require<Vpc>(vpcId, "InvalidVpcID.NotFound", "vpc");
        if (name == "default")
            throw new AwsErrorException("InvalidGroup.Reserved", "The security group 'default' is reserved");
        if (r.World.All<SecurityGroup>().Any(g => g.VpcId == vpc.Id && g.GroupName == name))
            throw new AwsErrorException("InvalidGroup.Duplicate", $"The security group '{name}' already exists for VPC '{vpc.Id}'");
        r.CheckTagSpecificationTypes("security-group");
        var id = Ec2Request.NewId("sg");
        var group = new SecurityGroup
        {
            Id = id, Type = "ec2:security-group", Arn = r.Arn("security-group", id), VpcId = vpc.Id,
            GroupName = name, Description = description, Egress = [AllTrafficEgress()], Tags = r.TagsFor("security-group"),
        };
        group.SetState("available", r.Now);
        r.World.Add(group, r.Now);
        return r.Respond(x => x
            .Element("return", true)
            .Element("groupId", group.Id)
            .Element("securityGroupArn", group.Arn)
            .Call(Ec2Xml.Tags, group.Tags));
    }

    private static LocalAwsResponse DescribeSecurityGroups(Ec2Request r)
    {
        var names = r.P.List("GroupName");
        foreach (var name in names.Where(n => r.World.All<SecurityGroup>().All(g => g.GroupName != n)))
            throw new AwsErrorException("InvalidGroup.NotFound", $"The security group '{name}' does not exist in default VPC 'none'");
        var groups = r.Select("GroupId", "InvalidGroup.NotFound", "security group", new Ec2FilterSet<SecurityGroup>
        {
            ["group-id"] = g => [g.Id],
            ["group-name"] = g => [g.GroupName],
            ["vpc-id"] = g => [g.VpcId],
            ["description"] = g => [g.Description],
            ["ip-permission.group-id"] = g => g.Ingress.Select(rule => rule.ReferencedGroupId),
            ["ip-permission.cidr"] = g => g.Ingress.Select(rule => rule.CidrIpv4),
            ["ip-permission.from-port"] = g => g.Ingress.Select(rule => rule.FromPort?.ToString(CultureInfo.InvariantCulture)),
            ["ip-permission.to-port"] = g => g.Ingress.Select(rule => rule.ToPort?.ToString(CultureInfo.InvariantCulture)),
            ["ip-permission.protocol"] = g => g.Ingress.Select(rule => rule.Protocol),
            ["egress.ip-permission.protocol"] = g => g.Egress.Select(rule => rule.Protocol),
            ["egress.ip-permission.cidr"] = g => g.Egress.Select(rule => rule.CidrIpv4),
        }).Where(g => names.Count == 0 || names.Contains(g.GroupName)).ToList();
        var (page, next) = Page(groups, r.P);
        return r.Respond(x => x.List("securityGroupInfo", page, Ec2Xml.SecurityGroup).Element("nextToken", next));
    }

    /// <summary>The group a request names by <c>GroupId</c> or <c>GroupName</c>, or null.</summary>
    private static SecurityGroup? FindGroup(Ec2Request r) =>
        r.P["GroupId"] is { } id
            ? r.Find<SecurityGroup>(id)
            : r.World.All<SecurityGroup>().FirstOrDefault(g => g.GroupName == r.P["GroupName"]);

    private static SecurityGroup RequireGroup(Ec2Request r)
    {
        if (r.P["GroupId"] is { } id)
            return FindGroup(r) ?? throw new AwsErrorException("InvalidGroup.NotFound", $"The security group '{id}' does not exist");
        var name = r.P.Required("GroupName");
        return FindGroup(r)
            ?? throw new AwsErrorException("InvalidGroup.NotFound", $"The security group '{name}' does not exist in default VPC 'none'");
    }

    private static LocalAwsResponse DeleteSecurityGroup(Ec2Request r)
    {
        var group = RequireGroup(r);
        if (group.IsDefault)
            throw new AwsErrorException("CannotDelete", $"the specified group: \"{group.Id}\" name: \"default\" cannot be deleted by a user");
        var referencedByGroup = r.World.All<SecurityGroup>().Any(g => g.Id != group.Id
            && g.Ingress.Concat(g.Egress).Any(rule => rule.ReferencedGroupId == group.Id));
        var usedByInterface = r.World.All<NetworkInterface>().Any(n => n.IsLiveAt(r.Now) && n.SecurityGroupIds.Contains(group.Id));
        if (referencedByGroup || usedByInterface)
            throw new AwsErrorException("DependencyViolation", $"resource {group.Id} has a dependent object");
        r.World.Remove(group.Id);
        return r.Respond(x => x.Element("return", true).Element("groupId", group.Id));
    }

    /// <summary>The rules a request names: <c>IpPermissions.N</c>, or the older top-level form (CidrIp, IpProtocol, ports).</summary>
    private static List<SecurityGroupRule> RequestedRules(Ec2Request r, SecurityGroup group)
    {
        var rules = new List<SecurityGroupRule>();
        foreach (var permission in r.P.Structures("IpPermissions"))
        {
            var protocol = NormalizeProtocol(permission["IpProtocol"]);
            var (from, to) = HasPorts(protocol) ? (permission.Int("FromPort"), permission.Int("ToPort")) : ((int?)null, (int?)null);
            foreach (var range in permission.Structures("IpRanges"))
            {
                var cidr = range.Required("CidrIp");
                Ec2Request.ParseCidr(cidr, "InvalidParameterValue");
                rules.Add(new SecurityGroupRule { Protocol = protocol, FromPort = from, ToPort = to, CidrIpv4 = cidr, Description = range["Description"] });
            }
            foreach (var pair in permission.Structures("Groups"))
            {
                var referenced = pair["GroupId"] is { } groupId
                    ? r.Find<SecurityGroup>(groupId) ?? throw new AwsErrorException("InvalidGroup.NotFound", $"The security group '{groupId}' does not exist")
                    : r.World.All<SecurityGroup>().FirstOrDefault(g => g.GroupName == pair["GroupName"] && g.VpcId == group.VpcId)
                        ?? throw new AwsErrorException("InvalidGroup.NotFound", $"The security group '{pair["GroupName"]}' does not exist");
                rules.Add(new SecurityGroupRule { Protocol = protocol, FromPort = from, ToPort = to, ReferencedGroupId = referenced.Id, Description = pair["Description"] });
            }
        }
        if (r.P["CidrIp"] is { } topCidr)
        {
            var protocol = NormalizeProtocol(r.P["IpProtocol"]);
            rules.Add(new SecurityGroupRule
            {
                Protocol = protocol,
                FromPort = HasPorts(protocol) ? r.P.Int("FromPort") : null,
                ToPort = HasPorts(protocol) ? r.P.Int("ToPort") : null,
                CidrIpv4 = topCidr,
            });
        }
        return rules;
    }

    /// <summary>
    /// A rule's protocol as EC2 stores and describes it. EC2 takes the names tcp, udp, icmp and
    /// icmpv6, -1 (or all) for every protocol, or an IANA protocol number 0-255; it answers the
    /// numbers of the named protocols (6, 17, 1, 58) by their names, so a rule given as 6 is the
    /// same permission as one given as tcp, and every other number as itself (IP-in-IP: 4).
    /// </summary>
    internal static string NormalizeProtocol(string? protocol) => protocol?.ToLowerInvariant() switch
    {
        null or "" => throw new AwsErrorException("MissingParameter", "The request must contain the parameter ipProtocol"),
        "-1" or "all" => "-1",
        "6" or "tcp" => "tcp",
        "17" or "udp" => "udp",
        "1" or "icmp" => "icmp",
        "58" or "icmpv6" => "icmpv6",
        // Canonical decimal only: a number spelled otherwise (04, +4) is refused rather than guessed at.
        var number when number.Length <= 3 && number.All(char.IsAsciiDigit) && (number == "0" || number[0] != '0')
            && int.Parse(number, CultureInfo.InvariantCulture) <= 255 => number,
        var other => throw new AwsErrorException("InvalidParameterValue", $"Invalid value '{other}' for IP protocol. Unknown protocol."),
    };

    /// <summary>
    /// Whether a rule of <paramref name="protocol"/> has a port range (ICMP's type and code): for
    /// every other protocol EC2 allows all traffic whatever ports were given, and reports none.
    /// </summary>
    internal static bool HasPorts(string protocol) => protocol is "tcp" or "udp" or "icmp" or "icmpv6";

    private static LocalAwsResponse AuthorizeRules(Ec2Request r, bool egress)
    {
        var group = RequireGroup(r);
        var rules = egress ? group.Egress : group.Ingress;
        var added = RequestedRules(r, group);
        if (added.Count == 0)
            throw new AwsErrorException("MissingParameter", "No IP permissions were given.");
        foreach (var rule in added)
        {
            if (rules.Any(existing => existing.SamePermission(rule)))
            {
                var peer = rule.CidrIpv4 ?? rule.ReferencedGroupId;
                throw new AwsErrorException("InvalidPermission.Duplicate",
                    $"the specified rule \"peer: {peer}, {rule.Protocol.ToUpperInvariant()}, from port: {rule.FromPort}, to port: {rule.ToPort}, ALLOW\" already exists");
            }
            rule.Id = Ec2Request.NewId("sgr");
        }
        rules.AddRange(added);
        return r.Respond(x => x
            .Element("return", true)
            .List("securityGroupRuleSet", added.Select(rule => (group, rule, egress)), Ec2Xml.SecurityGroupRule));
    }

    private static LocalAwsResponse RevokeRules(Ec2Request r, bool egress)
    {
        var group = RequireGroup(r);
        var rules = egress ? group.Egress : group.Ingress;
        var ruleIds = r.P.List("SecurityGroupRuleId");
        var removed = ruleIds.Count > 0
            ? ruleIds.Select(id => rules.FirstOrDefault(rule => rule.Id == id)
                ?? throw new AwsErrorException("InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{id}' does not exist")).ToList()
            : RequestedRules(r, group).Select(wanted => rules.FirstOrDefault(rule => rule.SamePermission(wanted))
                ?? throw new AwsErrorException("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")).ToList();
        rules.RemoveAll(removed.Contains);
        return r.RespondTrue();
    }
}
