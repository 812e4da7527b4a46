namespace PaletteServerless.Domain.Ports;

/// <summary>
/// Tags that find what a cluster made: every one must match (its uid and role tags, and where one kind has several of a
/// role, its Name). Tags at creation are a plain dictionary too: nothing is created untagged. A find through the tagging
/// API may also name the resource types it wants (its ResourceTypeFilters, "ec2:instance", "s3"): the rest are never listed.
/// </summary>
public sealed record OwnedBy(IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string>? ResourceTypes = null);

/// <summary>Where a default route leads: the internet gateway (public table) or a zone's NAT gateway (private tables).</summary>
public sealed record RouteTarget(string? InternetGatewayId = null, string? NatGatewayId = null)
{
    public string? Id => InternetGatewayId ?? NatGatewayId;
}

/// <summary>A route as the cloud reports it; a blackhole points at a target that no longer exists.</summary>
public sealed record NetworkRoute(string Destination, string? TargetId, bool Blackhole);

/// <summary>A route table's subnet association; the main association (of the VPC) is never ours to remove.</summary>
public sealed record RouteAssociation(string Id, string? SubnetId, bool Main);

public sealed record RouteTableState(string Id, IReadOnlyList<NetworkRoute> Routes, IReadOnlyList<RouteAssociation> Associations);

/// <summary>An Elastic IP: <paramref name="HeldByService"/> when a service (a NAT gateway) holds its network interface, so only that service frees it.</summary>
public sealed record AddressState(string AllocationId, string? AssociationId, bool HeldByService);

public enum NatGatewayPhase
{
    Pending,
    Available,
    Deleting,
    Deleted,
    Failed,
}

public sealed record NatGatewayStatus(string Id, string? SubnetId, NatGatewayPhase Phase, string? FailureCode, string? FailureMessage);

/// <summary>
/// One ingress rule with one source: another security group or a CIDR. Ports are null for a protocol without them
/// (a protocol number, or "-1" for all).
/// </summary>
public sealed record IngressRule(string Protocol, int? FromPort, int? ToPort, string? SourceGroupId = null, string? SourceCidr = null, string? Description = null);

public sealed record SecurityGroupState(string Id, IReadOnlyList<IngressRule> Ingress);

/// <summary>A network interface in a subnet or VPC: what holds it (an instance, or a description its service gave it).</summary>
public sealed record NetworkInterfaceInfo(string Id, string? SubnetId, string? InstanceId, string? Description, string? InterfaceType);

public sealed record LoadBalancerInfo(string Arn, string Name);

/// <summary>Which network the blockers are looked for in.</summary>
public enum NetworkScope
{
    Subnet,
    Vpc,
}

/// <summary>
/// The cluster's network in its cloud account (on AWS: EC2's VPC, subnets, gateways, route tables, Elastic IPs and
/// security groups), as the network kinds make and delete it. Lookups by owner return null when nothing matches; a
/// state read of one id returns null when it is gone. A failure the cloud answers with is a
/// <see cref="CloudServiceException"/> with the cloud's code: a delete of what is gone fails NotFound, of what
/// something still uses fails DependencyViolation (the delete pass decides what those mean).
/// </summary>
public interface IClusterNetworkCloud
{
    Task<string> CreateVpcAsync(string cidr, IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    Task<string?> FindVpcAsync(OwnedBy owner, CancellationToken ct);

    /// <summary>The CIDR of a VPC (the user's, under static placement); NotFound when there is none of that id.</summary>
    Task<string> VpcCidrAsync(string vpcId, CancellationToken ct);

    Task DeleteVpcAsync(string vpcId, CancellationToken ct);

    Task<string> CreateSubnetAsync(string vpcId, string cidr, string zone, IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    Task<string?> FindSubnetAsync(OwnedBy owner, string vpcId, string zone, CancellationToken ct);

    Task DeleteSubnetAsync(string subnetId, CancellationToken ct);

    Task<string> CreateInternetGatewayAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    Task<string?> FindInternetGatewayAsync(OwnedBy owner, CancellationToken ct);

    /// <summary>The VPCs the gateway is attached to; null when the gateway is gone.</summary>
    Task<IReadOnlyList<string>?> InternetGatewayAttachmentsAsync(string gatewayId, CancellationToken ct);

    Task AttachInternetGatewayAsync(string gatewayId, string vpcId, CancellationToken ct);

    Task DetachInternetGatewayAsync(string gatewayId, string vpcId, CancellationToken ct);

    Task DeleteInternetGatewayAsync(string gatewayId, CancellationToken ct);

    /// <summary>A route table; <paramref name="idempotencyToken"/> makes a repeated create return the first one.</summary>
    Task<string> CreateRouteTableAsync(string vpcId, string idempotencyToken, IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    Task<string?> FindRouteTableAsync(OwnedBy owner, string vpcId, CancellationToken ct);

    Task<RouteTableState?> RouteTableAsync(string routeTableId, CancellationToken ct);

    Task CreateRouteAsync(string routeTableId, string destination, RouteTarget target, CancellationToken ct);

    /// <summary>Points an existing route at another target.</summary>
    Task ReplaceRouteAsync(string routeTableId, string destination, RouteTarget target, CancellationToken ct);

    /// <summary>Associates a subnet with the table; returns the association's id.</summary>
    Task<string> AssociateRouteTableAsync(string routeTableId, string subnetId, CancellationToken ct);

    Task DisassociateRouteTableAsync(string associationId, CancellationToken ct);

    Task DeleteRouteTableAsync(string routeTableId, CancellationToken ct);

    /// <summary>A new Elastic IP for the VPC; returns its allocation id.</summary>
    Task<string> AllocateAddressAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    Task<string?> FindAddressAsync(OwnedBy owner, CancellationToken ct);

    Task<AddressState?> AddressAsync(string allocationId, CancellationToken ct);

    Task DisassociateAddressAsync(string associationId, CancellationToken ct);

    Task ReleaseAddressAsync(string allocationId, CancellationToken ct);

    /// <summary>A public NAT gateway with that address; <paramref name="idempotencyToken"/> makes a repeated create return the first one.</summary>
    Task<string> CreateNatGatewayAsync(string subnetId, string allocationId, string idempotencyToken, IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    /// <summary>The live (pending or available) NAT gateway the tags find.</summary>
    Task<string?> FindLiveNatGatewayAsync(OwnedBy owner, CancellationToken ct);

    /// <summary>The state of those of the gateways that exist (one call for all of them); the others are left out.</summary>
    Task<IReadOnlyList<NatGatewayStatus>> NatGatewaysAsync(IReadOnlyCollection<string> natGatewayIds, CancellationToken ct);

    Task DeleteNatGatewayAsync(string natGatewayId, CancellationToken ct);

    Task<string> CreateSecurityGroupAsync(string vpcId, string groupName, string description, IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    Task<string?> FindSecurityGroupAsync(OwnedBy owner, string vpcId, CancellationToken ct);

    Task<SecurityGroupState?> SecurityGroupAsync(string groupId, CancellationToken ct);

    /// <summary>Adds the rules; one already there (added by a concurrent run) counts as added.</summary>
    Task AuthorizeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken ct);

    Task RevokeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken ct);

    Task DeleteSecurityGroupAsync(string groupId, CancellationToken ct);

    /// <summary>The network interfaces in a subnet or VPC: what keeps it from being deleted.</summary>
    Task<IReadOnlyList<NetworkInterfaceInfo>> NetworkInterfacesAsync(NetworkScope scope, string id, CancellationToken ct);

    /// <summary>The load balancers in a VPC.</summary>
    Task<IReadOnlyList<LoadBalancerInfo>> LoadBalancersAsync(string vpcId, CancellationToken ct);
}
