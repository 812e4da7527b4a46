using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Aws.Cloud.Adapters;

/// <summary>
/// <see cref="IClusterNetworkCloud"/> over the AWS SDK's EC2 client (and ELBv2 for the load balancers that keep a VPC).
/// What EC2's API asks is decided here: tags go on at creation (TagSpecifications), an owner's tags become
/// <c>tag:</c> filters, a live NAT gateway is one pending or available, a state read of one id filters by it (so a
/// gone resource reads as null instead of failing), an authorize that EC2 refuses as a duplicate is retried rule by
/// rule. Each operation is the same EC2 action it always was, since the session policies name them. Errors the
/// services answer with become <see cref="CloudServiceException"/>.
/// </summary>
public sealed class Ec2ClusterNetwork(IAmazonEC2 ec2, IElbv2Client? loadBalancing) : IClusterNetworkCloud
{
    public Task<string> CreateVpcAsync(string cidr, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = cidr, TagSpecifications = Tagged(ResourceType.Vpc, tags) }, ct)).Vpc.VpcId);

    public Task<string?> FindVpcAsync(OwnedBy owner, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = Filters(owner) }, ct)).Vpcs?.FirstOrDefault()?.VpcId);

    public Task<string> VpcCidrAsync(string vpcId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [vpcId] }, ct)).Vpcs?.FirstOrDefault()?.CidrBlock
            ?? throw new CloudServiceException("InvalidVpcID.NotFound", $"The vpc ID '{vpcId}' does not exist", false));

    public Task DeleteVpcAsync(string vpcId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.DeleteVpcAsync(new DeleteVpcRequest { VpcId = vpcId }, ct));

    public Task<string> CreateSubnetAsync(string vpcId, string cidr, string zone, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.CreateSubnetAsync(new CreateSubnetRequest
        {
            VpcId = vpcId, CidrBlock = cidr, AvailabilityZone = zone, TagSpecifications = Tagged(ResourceType.Subnet, tags),
        }, ct)).Subnet.SubnetId);

    public Task<string?> FindSubnetAsync(OwnedBy owner, string vpcId, string zone, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest
        {
            Filters = Filters(owner, new Filter("availability-zone", [zone]), new Filter("vpc-id", [vpcId])),
        }, ct)).Subnets?.FirstOrDefault()?.SubnetId);

    public Task DeleteSubnetAsync(string subnetId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = subnetId }, ct));

    public Task<string> CreateInternetGatewayAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.CreateInternetGatewayAsync(new CreateInternetGatewayRequest
        {
            TagSpecifications = Tagged(ResourceType.InternetGateway, tags),
        }, ct)).InternetGateway.InternetGatewayId);

    public Task<string?> FindInternetGatewayAsync(OwnedBy owner, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { Filters = Filters(owner) }, ct))
            .InternetGateways?.FirstOrDefault()?.InternetGatewayId);

    public Task<IReadOnlyList<string>?> InternetGatewayAttachmentsAsync(string gatewayId, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<string>?>(async () => (await ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest
        {
            Filters = [new Filter("internet-gateway-id", [gatewayId])],
        }, ct)).InternetGateways?.FirstOrDefault() is { } gateway ? [.. (gateway.Attachments ?? []).Select(a => a.VpcId)] : null);

    public Task AttachInternetGatewayAsync(string gatewayId, string vpcId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.AttachInternetGatewayAsync(new AttachInternetGatewayRequest { InternetGatewayId = gatewayId, VpcId = vpcId }, ct));

    public Task DetachInternetGatewayAsync(string gatewayId, string vpcId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.DetachInternetGatewayAsync(new DetachInternetGatewayRequest { InternetGatewayId = gatewayId, VpcId = vpcId }, ct));

    public Task DeleteInternetGatewayAsync(string gatewayId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.DeleteInternetGatewayAsync(new DeleteInternetGatewayRequest { InternetGatewayId = gatewayId }, ct));

    public Task<string> CreateRouteTableAsync(string vpcId, string idempotencyToken, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.CreateRouteTableAsync(new CreateRouteTableRequest
        {
            VpcId = vpcId, ClientToken = idempotencyToken, TagSpecifications = Tagged(ResourceType.RouteTable, tags),
        }, ct)).RouteTable.RouteTableId);

    public Task<string?> FindRouteTableAsync(OwnedBy owner, string vpcId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = Filters(owner, new Filter("vpc-id", [vpcId])) }, ct))
            .RouteTables?.FirstOrDefault()?.RouteTableId);

    public Task<RouteTableState?> RouteTableAsync(string routeTableId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = [new Filter("route-table-id", [routeTableId])] }, ct))
            .RouteTables?.FirstOrDefault() is { } table
                ? new RouteTableState(table.RouteTableId,
                    [.. (table.Routes ?? []).Select(r => new NetworkRoute(r.DestinationCidrBlock, r.GatewayId ?? r.NatGatewayId, r.State == RouteState.Blackhole))],
                    [.. (table.Associations ?? []).Select(a => new RouteAssociation(a.RouteTableAssociationId, a.SubnetId, a.Main == true))])
                : null);

    public Task CreateRouteAsync(string routeTableId, string destination, RouteTarget target, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.CreateRouteAsync(new CreateRouteRequest
        {
            RouteTableId = routeTableId, DestinationCidrBlock = destination, GatewayId = target.InternetGatewayId, NatGatewayId = target.NatGatewayId,
        }, ct));

    public Task ReplaceRouteAsync(string routeTableId, string destination, RouteTarget target, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.ReplaceRouteAsync(new ReplaceRouteRequest
        {
            RouteTableId = routeTableId, DestinationCidrBlock = destination, GatewayId = target.InternetGatewayId, NatGatewayId = target.NatGatewayId,
        }, ct));

    public Task<string> AssociateRouteTableAsync(string routeTableId, string subnetId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.AssociateRouteTableAsync(new AssociateRouteTableRequest { RouteTableId = routeTableId, SubnetId = subnetId }, ct)).AssociationId);

    public Task DisassociateRouteTableAsync(string associationId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.DisassociateRouteTableAsync(new DisassociateRouteTableRequest { AssociationId = associationId }, ct));

    public Task DeleteRouteTableAsync(string routeTableId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.DeleteRouteTableAsync(new DeleteRouteTableRequest { RouteTableId = routeTableId }, ct));

    public Task<string> AllocateAddressAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.AllocateAddressAsync(new AllocateAddressRequest
        {
            Domain = DomainType.Vpc, TagSpecifications = Tagged(ResourceType.ElasticIp, tags),
        }, ct)).AllocationId);

    public Task<string?> FindAddressAsync(OwnedBy owner, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.DescribeAddressesAsync(new DescribeAddressesRequest { Filters = Filters(owner) }, ct)).Addresses?.FirstOrDefault()?.AllocationId);

    public Task<AddressState?> AddressAsync(string allocationId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.DescribeAddressesAsync(new DescribeAddressesRequest { Filters = [new Filter("allocation-id", [allocationId])] }, ct))
            .Addresses?.FirstOrDefault() is { } address
                ? new AddressState(address.AllocationId, address.AssociationId, address.NetworkInterfaceOwnerId is not null)
                : null);

    public Task DisassociateAddressAsync(string associationId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.DisassociateAddressAsync(new DisassociateAddressRequest { AssociationId = associationId }, ct));

    public Task ReleaseAddressAsync(string allocationId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = allocationId }, ct));

    public Task<string> CreateNatGatewayAsync(string subnetId, string allocationId, string idempotencyToken, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.CreateNatGatewayAsync(new CreateNatGatewayRequest
        {
            AllocationId = allocationId, SubnetId = subnetId, ClientToken = idempotencyToken, TagSpecifications = Tagged(ResourceType.Natgateway, tags),
        }, ct)).NatGateway.NatGatewayId);

    public Task<string?> FindLiveNatGatewayAsync(OwnedBy owner, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest
        {
            Filter = Filters(owner, new Filter("state", ["pending", "available"])),
        }, ct)).NatGateways?.FirstOrDefault()?.NatGatewayId);

    public Task<IReadOnlyList<NatGatewayStatus>> NatGatewaysAsync(IReadOnlyCollection<string> natGatewayIds, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<NatGatewayStatus>>(async () => natGatewayIds.Count == 0 ? [] :
        [
            .. ((await ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest { Filter = [new Filter("nat-gateway-id", [.. natGatewayIds])] }, ct)).NatGateways ?? [])
                .Select(n => new NatGatewayStatus(n.NatGatewayId, n.SubnetId, Phase(n.State), n.FailureCode, n.FailureMessage)),
        ]);

    public Task DeleteNatGatewayAsync(string natGatewayId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.DeleteNatGatewayAsync(new DeleteNatGatewayRequest { NatGatewayId = natGatewayId }, ct));

    public Task<string> CreateSecurityGroupAsync(string vpcId, string groupName, string description, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
        {
            GroupName = groupName, Description = description, VpcId = vpcId, TagSpecifications = Tagged(ResourceType.SecurityGroup, tags),
        }, ct)).GroupId);

    public Task<string?> FindSecurityGroupAsync(OwnedBy owner, string vpcId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = Filters(owner, new Filter("vpc-id", [vpcId])) }, ct))
            .SecurityGroups?.FirstOrDefault()?.GroupId);

    public Task<SecurityGroupState?> SecurityGroupAsync(string groupId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-id", [groupId])] }, ct))
            .SecurityGroups?.FirstOrDefault() is { } group
                ? new SecurityGroupState(group.GroupId, [.. (group.IpPermissions ?? []).SelectMany(Rules)])
                : null);

    public Task AuthorizeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            try
            {
                await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [.. rules.Select(Permission)] }, ct);
            }
            catch (AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidPermission.Duplicate" && rules.Count > 1)
            {
                // A concurrent run added one of them first, and EC2 refuses the whole call: add the others one by one.
                foreach (var rule in rules)
                    await AuthorizeIngressAsync(groupId, [rule], ct);
            }
            catch (AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidPermission.Duplicate")
            {
                // A concurrent run added it first.
            }
        });

    public Task RevokeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [.. rules.Select(Permission)] }, ct));

    public Task DeleteSecurityGroupAsync(string groupId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = groupId }, ct));

    public Task<IReadOnlyList<NetworkInterfaceInfo>> NetworkInterfacesAsync(NetworkScope scope, string id, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<NetworkInterfaceInfo>>(async () =>
        [
            .. ((await ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest
            {
                Filters = [new Filter(scope == NetworkScope.Subnet ? "subnet-id" : "vpc-id", [id])],
            }, ct)).NetworkInterfaces ?? []).Select(e => new NetworkInterfaceInfo(e.NetworkInterfaceId, e.SubnetId, e.Attachment?.InstanceId, e.Description, e.InterfaceType?.Value)),
        ]);

    public Task<IReadOnlyList<LoadBalancerInfo>> LoadBalancersAsync(string vpcId, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<LoadBalancerInfo>>(async () =>
        [
            .. ((await (loadBalancing ?? throw new InvalidOperationException("no load balancing client")).DescribeLoadBalancersAsync(cancellationToken: ct)).Items ?? [])
                .Where(lb => lb.VpcId == vpcId).Select(lb => new LoadBalancerInfo(lb.LoadBalancerArn, lb.LoadBalancerName)),
        ]);

    private static List<TagSpecification> Tagged(ResourceType type, IReadOnlyDictionary<string, string> tags) =>
        [new TagSpecification { ResourceType = type, Tags = [.. tags.Select(t => new Tag(t.Key, t.Value))] }];

    private static List<Filter> Filters(OwnedBy owner, params Filter[] more) =>
        [.. owner.Tags.Select(t => new Filter($"tag:{t.Key}", [t.Value])), .. more];

    private static NatGatewayPhase Phase(Amazon.EC2.NatGatewayState? state) =>
        state == Amazon.EC2.NatGatewayState.Available ? NatGatewayPhase.Available
        : state == Amazon.EC2.NatGatewayState.Deleting ? NatGatewayPhase.Deleting
        : state == Amazon.EC2.NatGatewayState.Deleted ? NatGatewayPhase.Deleted
        : state == Amazon.EC2.NatGatewayState.Failed ? NatGatewayPhase.Failed
        : NatGatewayPhase.Pending;

    /// <summary>EC2's permission, one per source, as single rules.</summary>
    private static IEnumerable<IngressRule> Rules(IpPermission p)
    {
        var protocol = p.IpProtocol ?? "-1";
        var ports = protocol is "tcp" or "udp" or "icmp";
        int? from = ports ? p.FromPort : null, to = ports ? p.ToPort : null;
        foreach (var pair in p.UserIdGroupPairs ?? [])
            yield return new IngressRule(protocol, from, to, SourceGroupId: pair.GroupId, Description: pair.Description);
        foreach (var range in p.Ipv4Ranges ?? [])
            yield return new IngressRule(protocol, from, to, SourceCidr: range.CidrIp, Description: range.Description);
    }

    private static IpPermission Permission(IngressRule rule)
    {
        var permission = new IpPermission { IpProtocol = rule.Protocol, FromPort = rule.FromPort, ToPort = rule.ToPort };
        if (rule.SourceGroupId is not null)
            permission.UserIdGroupPairs = [new UserIdGroupPair { GroupId = rule.SourceGroupId, Description = rule.Description }];
        if (rule.SourceCidr is not null)
            permission.Ipv4Ranges = [new IpRange { CidrIp = rule.SourceCidr, Description = rule.Description }];
        return permission;
    }


}
