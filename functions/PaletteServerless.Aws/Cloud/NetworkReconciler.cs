using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud;

/// <summary>Security group roles and the rules Cluster API gives them (aws-facts section 4).</summary>
public static class SecurityGroupRoles
{
    public const string LoadBalancer = "apiserver-lb";
    public const string ControlPlane = "controlplane";
    public const string Node = "node";
    public static readonly string[] All = [LoadBalancer, ControlPlane, Node];
}

/// <summary>
/// The network core, in the reference order: VPC, a public and a private subnet per zone,
/// internet gateway (attached), public route table, security groups. Static placement: only the
/// security groups, in the user's VPC, whose network is never touched.
/// </summary>
public sealed class NetworkReconciler(ClusterResources resources)
{
    private IAmazonEC2 Ec2 => resources.Cloud.Ec2;

    public async Task ReconcileAsync(ClusterPlan plan, CancellationToken ct)
    {
        string vpcId;
        string vpcCidr;
        if (plan.IsDynamic)
        {
            vpcId = await EnsureVpcAsync(plan, ct);
            vpcCidr = plan.VpcCidr!;
            foreach (var zone in plan.Zones)
            {
                await EnsureSubnetAsync(vpcId, zone.AvailabilityZone, zone.PublicSubnetCidr, "public", ct);
                await EnsureSubnetAsync(vpcId, zone.AvailabilityZone, zone.PrivateSubnetCidr, "private", ct);
            }
            var igw = await EnsureInternetGatewayAsync(vpcId, ct);
            await EnsurePublicRoutingAsync(vpcId, igw, ct);
        }
        else
        {
            vpcId = plan.StaticVpcId!;
            var vpcs = await Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [vpcId] }, ct);
            vpcCidr = vpcs.Vpcs![0].CidrBlock;
        }
        await EnsureSecurityGroupsAsync(vpcId, vpcCidr, plan.LoadBalancerScheme, ct);
    }

    private async Task<string> EnsureVpcAsync(ClusterPlan plan, CancellationToken ct)
    {
        var name = $"{plan.Name}-vpc";
        var item = await resources.EnsureAsync(ResourceKinds.Vpc, "common", null, name,
            async () => (await Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = resources.Owned("common") }, ct)).Vpcs?.FirstOrDefault() is { } v
                ? (v.VpcId, null) : null,
            async () => ((await Ec2.CreateVpcAsync(new CreateVpcRequest
            {
                CidrBlock = plan.VpcCidr,
                TagSpecifications = resources.TagsAtCreation(ResourceType.Vpc, name, "common"),
            }, ct)).Vpc.VpcId, null),
            ct);
        return item.Id;
    }

    private async Task EnsureSubnetAsync(string vpcId, string zone, string cidr, string role, CancellationToken ct)
    {
        var name = $"{resources.Cluster.Name}-subnet-{role}-{zone}";
        var extra = new Dictionary<string, string> { [role == "public" ? ResourceTags.ElbRole : ResourceTags.InternalElbRole] = "1" };
        await resources.EnsureAsync(ResourceKinds.Subnet, role, zone, name,
            async () => (await Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest
            {
                Filters = resources.Owned(role, new Filter("availability-zone", [zone]), new Filter("vpc-id", [vpcId])),
            }, ct)).Subnets?.FirstOrDefault() is { } s ? (s.SubnetId, null) : null,
            async () => ((await Ec2.CreateSubnetAsync(new CreateSubnetRequest
            {
                VpcId = vpcId,
                CidrBlock = cidr,
                AvailabilityZone = zone,
                TagSpecifications = resources.TagsAtCreation(ResourceType.Subnet, name, role, extra),
            }, ct)).Subnet.SubnetId, null),
            ct);
    }

    private async Task<string> EnsureInternetGatewayAsync(string vpcId, CancellationToken ct)
    {
        var name = $"{resources.Cluster.Name}-igw";
        var item = await resources.EnsureAsync(ResourceKinds.InternetGateway, "common", null, name,
            async () => (await Ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { Filters = resources.Owned("common") }, ct))
                .InternetGateways?.FirstOrDefault() is { } g ? (g.InternetGatewayId, null) : null,
            async () => ((await Ec2.CreateInternetGatewayAsync(new CreateInternetGatewayRequest
            {
                TagSpecifications = resources.TagsAtCreation(ResourceType.InternetGateway, name, "common"),
            }, ct)).InternetGateway.InternetGatewayId, null),
            ct);
        var current = await Ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { InternetGatewayIds = [item.Id] }, ct);
        if (current.InternetGateways?.FirstOrDefault()?.Attachments?.Any(a => a.VpcId == vpcId) != true)
            await CloudErrors.CreateAsync("attach internet gateway", () => Ec2.AttachInternetGatewayAsync(new AttachInternetGatewayRequest { InternetGatewayId = item.Id, VpcId = vpcId }, ct));
        return item.Id;
    }

    private async Task EnsurePublicRoutingAsync(string vpcId, string internetGatewayId, CancellationToken ct)
    {
        var table = await EnsureRouteTableAsync(vpcId, "public", null, ct);
        await EnsureRouteAsync(table.Id, new CreateRouteRequest { RouteTableId = table.Id, DestinationCidrBlock = "0.0.0.0/0", GatewayId = internetGatewayId }, ct);
        foreach (var subnet in resources.All(ResourceKinds.Subnet, "public").ToList())
            await EnsureAssociationAsync(table, subnet.Id, ct);
    }

    /// <summary>A route table of a role ("public", or "private" per zone); ClientToken makes the create idempotent.</summary>
    public async Task<InventoryItem> EnsureRouteTableAsync(string vpcId, string role, string? zone, CancellationToken ct)
    {
        var name = zone is null ? $"{resources.Cluster.Name}-rt-{role}" : $"{resources.Cluster.Name}-rt-{role}-{zone}";
        var filters = zone is null
            ? resources.Owned(role, new Filter("vpc-id", [vpcId]))
            : resources.Owned(role, new Filter("vpc-id", [vpcId]), new Filter("tag:Name", [name]));
        return await resources.EnsureAsync(ResourceKinds.RouteTable, role, zone, name,
            async () => (await Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = filters }, ct)).RouteTables?.FirstOrDefault() is { } t
                ? (t.RouteTableId, null) : null,
            async () => ((await Ec2.CreateRouteTableAsync(new CreateRouteTableRequest
            {
                VpcId = vpcId,
                ClientToken = $"{resources.Cluster.Uid}-rt-{role}-{zone}",
                TagSpecifications = resources.TagsAtCreation(ResourceType.RouteTable, name, role),
            }, ct)).RouteTable.RouteTableId, null),
            ct);
    }

    public async Task EnsureRouteAsync(string routeTableId, CreateRouteRequest route, CancellationToken ct)
    {
        var table = (await Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { RouteTableIds = [routeTableId] }, ct)).RouteTables![0];
        var existing = table.Routes?.FirstOrDefault(r => r.DestinationCidrBlock == route.DestinationCidrBlock);
        if (existing is not null && (existing.GatewayId ?? existing.NatGatewayId) == (route.GatewayId ?? route.NatGatewayId) && existing.State != RouteState.Blackhole)
            return;
        if (existing is not null)
        {
            // A route to a NAT gateway that no longer exists (CAPA #5961): point it at the live one.
            await Ec2.ReplaceRouteAsync(new ReplaceRouteRequest
            {
                RouteTableId = routeTableId, DestinationCidrBlock = route.DestinationCidrBlock,
                GatewayId = route.GatewayId, NatGatewayId = route.NatGatewayId,
            }, ct);
            return;
        }
        await CloudErrors.CreateAsync("create route", () => Ec2.CreateRouteAsync(route, ct));
    }

    /// <summary>Associates a subnet with a route table once; the association id is kept for the delete.</summary>
    public async Task EnsureAssociationAsync(InventoryItem table, string subnetId, CancellationToken ct)
    {
        var key = "association:" + subnetId;
        if (table.Attributes?.ContainsKey(key) == true)
            return;
        var current = (await Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { RouteTableIds = [table.Id] }, ct)).RouteTables![0];
        var associationId = current.Associations?.FirstOrDefault(a => a.SubnetId == subnetId)?.RouteTableAssociationId
            ?? (await CloudErrors.CreateAsync("associate route table", () =>
                Ec2.AssociateRouteTableAsync(new AssociateRouteTableRequest { RouteTableId = table.Id, SubnetId = subnetId }, ct))).AssociationId;
        var attributes = new Dictionary<string, string>(table.Attributes ?? []) { [key] = associationId };
        await resources.RecordAsync(table with { Attributes = attributes }, ct);
    }

    private async Task EnsureSecurityGroupsAsync(string vpcId, string vpcCidr, string scheme, CancellationToken ct)
    {
        var ids = new Dictionary<string, string>();
        foreach (var role in SecurityGroupRoles.All)
        {
            var name = $"{resources.Cluster.Name}-{role}";
            var item = await resources.EnsureAsync(ResourceKinds.SecurityGroup, role, null, name,
                async () => (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
                {
                    Filters = resources.Owned(role, new Filter("vpc-id", [vpcId])),
                }, ct)).SecurityGroups?.FirstOrDefault() is { } g ? (g.GroupId, null) : null,
                async () => ((await Ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
                {
                    GroupName = $"{name}-{resources.Cluster.Uid[..8]}",
                    Description = $"PaletteServerless {role} of cluster {resources.Cluster.Name}",
                    VpcId = vpcId,
                    TagSpecifications = resources.TagsAtCreation(ResourceType.SecurityGroup, name, role),
                }, ct)).GroupId, null),
                ct);
            ids[role] = item.Id;
        }
        var lb = ids[SecurityGroupRoles.LoadBalancer];
        var cp = ids[SecurityGroupRoles.ControlPlane];
        var node = ids[SecurityGroupRoles.Node];
        var apiClients = scheme == "internal" ? vpcCidr : "0.0.0.0/0";
        await AuthorizeAsync(lb, [Cidr(6443, 6443, apiClients)], ct);
        await AuthorizeAsync(cp, [Groups(6443, 6443, lb, cp, node), Groups(2379, 2380, cp)], ct);
        await AuthorizeAsync(node, [Groups(30000, 32767, cp, node), Groups(10250, 10250, cp, node)], ct);
    }

    private async Task AuthorizeAsync(string groupId, List<IpPermission> wanted, CancellationToken ct)
    {
        var group = (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] }, ct)).SecurityGroups![0];
        var missing = wanted.Where(w => !(group.IpPermissions ?? []).Any(p => Covers(p, w))).ToList();
        if (missing.Count == 0)
            return;
        try
        {
            await Ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = missing }, ct);
        }
        catch (AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidPermission.Duplicate")
        {
            // A concurrent run added it first.
        }
    }

    private static bool Covers(IpPermission existing, IpPermission wanted) =>
        existing.IpProtocol == wanted.IpProtocol && existing.FromPort == wanted.FromPort && existing.ToPort == wanted.ToPort
        && (wanted.Ipv4Ranges ?? []).All(r => (existing.Ipv4Ranges ?? []).Any(e => e.CidrIp == r.CidrIp))
        && (wanted.UserIdGroupPairs ?? []).All(g => (existing.UserIdGroupPairs ?? []).Any(e => e.GroupId == g.GroupId));

    private static IpPermission Cidr(int from, int to, string cidr) => new()
    {
        IpProtocol = "tcp", FromPort = from, ToPort = to, Ipv4Ranges = [new IpRange { CidrIp = cidr }],
    };

    private static IpPermission Groups(int from, int to, params string[] groupIds) => new()
    {
        IpProtocol = "tcp", FromPort = from, ToPort = to, UserIdGroupPairs = groupIds.Select(id => new UserIdGroupPair { GroupId = id }).ToList(),
    };
}
