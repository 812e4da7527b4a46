using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>The XML of each EC2 resource, member names as in the EC2 service model (botocore ec2/2016-11-15).</summary>
public static class Ec2Xml
{
    public static void Tags(XmlBuilder x, IReadOnlyDictionary<string, string> tags)
    {
        if (tags.Count == 0)
            return;
        x.List("tagSet", tags, (x, tag) => x.Element("key", tag.Key).Element("value", tag.Value));
    }

    public static void Vpc(XmlBuilder x, Vpc vpc, DateTimeOffset now) => x
        .Element("vpcId", vpc.Id)
        .Element("ownerId", vpc.Account)
        .Element("state", vpc.StateAt(now))
        .Element("cidrBlock", vpc.CidrBlock)
        .List("cidrBlockAssociationSet", [vpc], (x, v) => x
            .Element("cidrBlock", v.CidrBlock)
            .Element("associationId", "vpc-cidr-assoc-" + v.Id[4..])
            .Open("cidrBlockState").Element("state", "associated").Close())
        .Element("dhcpOptionsId", vpc.DhcpOptionsId)
        .Call(Tags, vpc.Tags)
        .Element("instanceTenancy", "default")
        .Element("isDefault", false);

    public static void Subnet(XmlBuilder x, Subnet subnet, int availableAddresses, DateTimeOffset now) => x
        .Element("subnetId", subnet.Id)
        .Element("subnetArn", subnet.Arn)
        .Element("state", subnet.StateAt(now))
        .Element("ownerId", subnet.Account)
        .Element("vpcId", subnet.VpcId)
        .Element("cidrBlock", subnet.CidrBlock)
        .Element("availableIpAddressCount", availableAddresses)
        .Element("availabilityZone", subnet.AvailabilityZone)
        .Element("availabilityZoneId", subnet.AvailabilityZoneId)
        .Element("defaultForAz", false)
        .Element("mapPublicIpOnLaunch", subnet.MapPublicIpOnLaunch)
        .Element("assignIpv6AddressOnCreation", false)
        .Call(Tags, subnet.Tags);

    public static void InternetGateway(XmlBuilder x, InternetGateway gateway) => x
        .Element("internetGatewayId", gateway.Id)
        .Element("ownerId", gateway.Account)
        .List("attachmentSet", gateway.AttachedVpcId is null ? [] : new[] { gateway.AttachedVpcId }, (x, vpcId) => x
            .Element("vpcId", vpcId)
            .Element("state", "available"))
        .Call(Tags, gateway.Tags);

    public static void Address(XmlBuilder x, ElasticIp address, string? interfaceOwner) => x
        .Element("publicIp", address.PublicIp)
        .Element("allocationId", address.Id)
        .Element("domain", "vpc")
        .Element("instanceId", address.InstanceId)
        .Element("associationId", address.AssociationId)
        .Element("networkInterfaceId", address.NetworkInterfaceId)
        .Element("networkInterfaceOwnerId", interfaceOwner)
        .Element("privateIpAddress", address.PrivateIpAddress)
        .Element("publicIpv4Pool", "amazon")
        .Element("networkBorderGroup", address.Region)
        .Call(Tags, address.Tags);

    public static void NatGateway(XmlBuilder x, NatGateway nat, DateTimeOffset now)
    {
        var state = nat.StateAt(now);
        x.Element("createTime", nat.CreatedAt)
            .Element("deleteTime", state is "deleted" or "deleting" ? nat.DeleteTime : null)
            .Element("failureCode", state == "failed" ? nat.FailureCode : null)
            .Element("failureMessage", state == "failed" ? nat.FailureMessage : null)
            .List("natGatewayAddressSet", state == "failed" ? [] : new[] { nat }, (x, n) => x
                .Element("allocationId", n.AllocationId)
                .Element("networkInterfaceId", n.NetworkInterfaceId)
                .Element("privateIp", n.PrivateIp)
                .Element("publicIp", n.PublicIp)
                .Element("associationId", n.AllocationId is null ? null : "eipassoc-" + n.Id[4..])
                .Element("isPrimary", true)
                .Element("status", state switch
                {
                    "available" => "succeeded",
                    "deleting" => "disassociating",
                    "deleted" => "disassociating",
                    _ => "associating",
                }))
            .Element("natGatewayId", nat.Id)
            .Element("state", state)
            .Element("subnetId", nat.SubnetId)
            .Element("vpcId", nat.VpcId)
            .Call(Tags, nat.Tags)
            .Element("connectivityType", nat.ConnectivityType);
    }

    public static void RouteTable(XmlBuilder x, RouteTable table, Func<Route, string> routeState) => x
        .Element("routeTableId", table.Id)
        .Element("vpcId", table.VpcId)
        .Element("ownerId", table.Account)
        .List("routeSet", table.Routes, (x, route) => x
            .Element("destinationCidrBlock", route.DestinationCidrBlock)
            .Element("gatewayId", route.GatewayId)
            .Element("natGatewayId", route.NatGatewayId)
            .Element("instanceId", route.InstanceId)
            .Element("networkInterfaceId", route.NetworkInterfaceId)
            .Element("state", routeState(route))
            .Element("origin", route.Origin))
        .List("associationSet", table.Associations, (x, association) => x
            .Element("routeTableAssociationId", association.Id)
            .Element("routeTableId", table.Id)
            .Element("subnetId", association.SubnetId)
            .Element("main", association.Main)
            .Open("associationState").Element("state", "associated").Close())
        .Open("propagatingVgwSet").Close()
        .Call(Tags, table.Tags);

    public static void SecurityGroup(XmlBuilder x, SecurityGroup group) => x
        .Element("ownerId", group.Account)
        .Element("groupId", group.Id)
        .Element("groupName", group.GroupName)
        .Element("groupDescription", group.Description)
        .Element("vpcId", group.VpcId)
        .Element("securityGroupArn", group.Arn)
        .Call(Permissions, ("ipPermissions", group.Ingress, group.Account))
        .Call(Permissions, ("ipPermissionsEgress", group.Egress, group.Account))
        .Call(Tags, group.Tags);

    // EC2 groups rules into permissions by protocol and port range; each permission lists its sources.
    private static void Permissions(XmlBuilder x, (string Name, List<SecurityGroupRule> Rules, string Account) set) =>
        x.List(set.Name, set.Rules.GroupBy(r => (r.Protocol, r.FromPort, r.ToPort)), (x, permission) => x
            .Element("ipProtocol", permission.Key.Protocol)
            .Element("fromPort", permission.Key.FromPort)
            .Element("toPort", permission.Key.ToPort)
            .List("groups", permission.Where(r => r.ReferencedGroupId is not null), (x, rule) => x
                .Element("userId", set.Account)
                .Element("groupId", rule.ReferencedGroupId)
                .Element("description", rule.Description))
            .List("ipRanges", permission.Where(r => r.CidrIpv4 is not null), (x, rule) => x
                .Element("cidrIp", rule.CidrIpv4)
                .Element("description", rule.Description))
            .Open("ipv6Ranges").Close()
            .Open("prefixListIds").Close());

    public static void SecurityGroupRule(XmlBuilder x, (SecurityGroup Group, SecurityGroupRule Rule, bool Egress) entry) => x
        .Element("securityGroupRuleId", entry.Rule.Id)
        .Element("groupId", entry.Group.Id)
        .Element("groupOwnerId", entry.Group.Account)
        .Element("isEgress", entry.Egress)
        .Element("ipProtocol", entry.Rule.Protocol)
        .Element("fromPort", entry.Rule.FromPort ?? -1)
        .Element("toPort", entry.Rule.ToPort ?? -1)
        .Element("cidrIpv4", entry.Rule.CidrIpv4)
        .Call((x, r) =>
        {
            if (r.ReferencedGroupId is not null)
                x.Open("referencedGroupInfo").Element("groupId", r.ReferencedGroupId).Element("userId", entry.Group.Account).Close();
        }, entry.Rule)
        .Element("description", entry.Rule.Description)
        .Element("securityGroupRuleArn", $"arn:aws:ec2:{entry.Group.Region}:{entry.Group.Account}:security-group-rule/{entry.Rule.Id}");

    public static void GroupIdentifiers(XmlBuilder x, (string Name, IEnumerable<SecurityGroup> Groups) set) =>
        x.List(set.Name, set.Groups, (x, g) => x.Element("groupId", g.Id).Element("groupName", g.GroupName));

    public static void InstanceState(XmlBuilder x, (string Element, string State) state) => x
        .Open(state.Element)
        .Element("code", InstanceStateCode(state.State))
        .Element("name", state.State)
        .Close();

    public static int InstanceStateCode(string state) => state switch
    {
        "pending" => 0,
        "running" => 16,
        "shutting-down" => 32,
        "terminated" => 48,
        "stopping" => 64,
        _ => 80,
    };

    public static void Volume(XmlBuilder x, Volume volume, DateTimeOffset now) => x
        .Element("volumeId", volume.Id)
        .Element("size", volume.SizeGiB)
        .Element("availabilityZone", volume.AvailabilityZone)
        .Element("status", volume.StateAt(now))
        .Element("createTime", volume.CreatedAt)
        .List("attachmentSet", volume.AttachedInstanceId is null ? [] : new[] { volume }, (x, v) => x
            .Element("volumeId", v.Id)
            .Element("instanceId", v.AttachedInstanceId)
            .Element("device", v.Device)
            .Element("status", "attached")
            .Element("attachTime", v.CreatedAt)
            .Element("deleteOnTermination", v.DeleteOnTermination))
        .Element("volumeType", volume.VolumeType)
        .Element("encrypted", volume.Encrypted)
        .Element("multiAttachEnabled", false)
        .Call(Tags, volume.Tags);
}
