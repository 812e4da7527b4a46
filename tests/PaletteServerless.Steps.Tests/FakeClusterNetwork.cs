using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Steps.Tests;

/// <summary>
/// The cluster's network in memory, as <see cref="IClusterNetworkCloud"/> promises it and EC2 enforces it: lookups by
/// owner match every tag, a state read of a gone id is null, deletes and changes of a gone id fail NotFound, and what
/// something still uses cannot go (DependencyViolation): a VPC with subnets, an attached gateway, route tables or
/// security groups; a subnet with network interfaces or a live NAT gateway; an attached internet gateway; a route
/// table with associations; a security group another group's rules name; an address still associated
/// (InvalidIPAddress.InUse). A NAT gateway delete starts its deletion (<see cref="Settle"/> finishes what is under way).
/// A test seeds resources (<see cref="Seed"/>, the Add* methods), makes an operation fail with an AWS code
/// (<see cref="Fail"/>) and reads every call in <see cref="Calls"/> as "Operation id".
/// </summary>
public sealed class FakeClusterNetwork : IClusterNetworkCloud
{
    /// <summary>One resource: kind ("vpc", "subnet", "igw", "rtb", "eip", "nat", "sg"), the VPC it sits in, its tags, and what the kind keeps.</summary>
    public sealed class Resource(string kind, string id)
    {
        public string Kind { get; } = kind;
        public string Id { get; } = id;
        public string? VpcId { get; set; }
        public string? SubnetId { get; set; }
        public string? Zone { get; set; }
        public string? Cidr { get; set; }
        public string? Token { get; set; }
        public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);
        public List<string> Attachments { get; } = [];
        public List<NetworkRoute> Routes { get; } = [];
        public List<RouteAssociation> Associations { get; } = [];
        public List<IngressRule> Ingress { get; } = [];
        public string? AllocationId { get; set; }
        public string? AssociationId { get; set; }
        public bool HeldByService { get; set; }
        public NatGatewayPhase Phase { get; set; } = NatGatewayPhase.Pending;
    }

    private readonly Lock _gate = new();
    private readonly List<Resource> _resources = [];
    private readonly FakeCalls _journal;

    public FakeClusterNetwork() => _journal = new FakeCalls(_gate);
    private int _next;

    public List<NetworkInterfaceInfo> NetworkInterfaces { get; } = [];

    /// <summary>Load balancers by the VPC they sit in.</summary>
    public List<(string VpcId, LoadBalancerInfo LoadBalancer)> LoadBalancers { get; } = [];

    public IReadOnlyList<string> Calls => _journal.Journal;

    public IReadOnlyList<Resource> All(string kind) { lock (_gate) return [.. _resources.Where(r => r.Kind == kind)]; }

    public Resource? Find(string id) { lock (_gate) return _resources.FirstOrDefault(r => r.Id == id); }

    /// <summary>Makes every later call of <paramref name="operation"/> (e.g. "DeleteVpc") fail with that AWS code.</summary>
    public void Fail(string operation, string code) => _journal.Fail(operation, code);

    public Resource Seed(Resource resource) { lock (_gate) _resources.Add(resource); return resource; }

    /// <summary>What is under way finishes: pending NAT gateways become available, deleting ones deleted (their address freed).</summary>
    public void Settle()
    {
        lock (_gate)
        {
            foreach (var nat in _resources.Where(r => r.Kind == "nat"))
            {
                nat.Phase = nat.Phase switch { NatGatewayPhase.Pending => NatGatewayPhase.Available, NatGatewayPhase.Deleting => NatGatewayPhase.Deleted, var p => p };
                if (nat.Phase == NatGatewayPhase.Deleted && _resources.FirstOrDefault(r => r.Id == nat.AllocationId) is { } eip)
                    (eip.AssociationId, eip.HeldByService) = (null, false);
            }
        }
    }

    public Task<string> CreateVpcAsync(string cidr, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Create("CreateVpc", "vpc", tags, null, r => r.Cidr = cidr);

    public Task<string?> FindVpcAsync(OwnedBy owner, CancellationToken ct) => FindAsync("DescribeVpcs", "vpc", owner, _ => true);

    public Task<string> VpcCidrAsync(string vpcId, CancellationToken ct) => Run("DescribeVpcs", vpcId, () => Existing(vpcId, "vpc").Cidr!);

    public Task DeleteVpcAsync(string vpcId, CancellationToken ct) => Run("DeleteVpc", vpcId, () =>
    {
        var vpc = Existing(vpcId, "vpc");
        if (_resources.Any(r => r.VpcId == vpcId && r.Kind is "subnet" or "rtb" or "sg") || _resources.Any(r => r.Kind == "igw" && r.Attachments.Contains(vpcId)))
            throw Error("DependencyViolation", $"The vpc '{vpcId}' has dependencies and cannot be deleted.");
        return _resources.Remove(vpc);
    });

    public Task<string> CreateSubnetAsync(string vpcId, string cidr, string zone, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Create("CreateSubnet", "subnet", tags, null, r => (r.VpcId, r.Cidr, r.Zone) = (Existing(vpcId, "vpc").Id, cidr, zone));

    public Task<string?> FindSubnetAsync(OwnedBy owner, string vpcId, string zone, CancellationToken ct) =>
        FindAsync("DescribeSubnets", "subnet", owner, r => r.VpcId == vpcId && r.Zone == zone);

    public Task DeleteSubnetAsync(string subnetId, CancellationToken ct) => Run("DeleteSubnet", subnetId, () =>
    {
        var subnet = Existing(subnetId, "subnet");
        if (NetworkInterfaces.Any(e => e.SubnetId == subnetId)
            || _resources.Any(r => r.Kind == "nat" && r.SubnetId == subnetId && r.Phase is not (NatGatewayPhase.Deleted or NatGatewayPhase.Failed)))
            throw Error("DependencyViolation", $"The subnet '{subnetId}' has dependencies and cannot be deleted.");
        foreach (var table in _resources.Where(r => r.Kind == "rtb"))
            table.Associations.RemoveAll(a => a.SubnetId == subnetId);
        return _resources.Remove(subnet);
    });

    public Task<string> CreateInternetGatewayAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Create("CreateInternetGateway", "igw", tags, null, _ => { });

    public Task<string?> FindInternetGatewayAsync(OwnedBy owner, CancellationToken ct) => FindAsync("DescribeInternetGateways", "igw", owner, _ => true);

    public Task<IReadOnlyList<string>?> InternetGatewayAttachmentsAsync(string gatewayId, CancellationToken ct) =>
        Run<IReadOnlyList<string>?>("DescribeInternetGateways", gatewayId, () => _resources.FirstOrDefault(r => r.Id == gatewayId) is { } g ? [.. g.Attachments] : null);

    public Task AttachInternetGatewayAsync(string gatewayId, string vpcId, CancellationToken ct) => Run("AttachInternetGateway", gatewayId, () =>
    {
        var gateway = Existing(gatewayId, "igw");
        Existing(vpcId, "vpc");
        if (gateway.Attachments.Count > 0)
            throw Error("Resource.AlreadyAssociated", $"resource {gatewayId} is already attached to network {gateway.Attachments[0]}");
        gateway.Attachments.Add(vpcId);
        return true;
    });

    public Task DetachInternetGatewayAsync(string gatewayId, string vpcId, CancellationToken ct) => Run("DetachInternetGateway", gatewayId, () =>
        Existing(gatewayId, "igw").Attachments.Remove(vpcId) ? true : throw Error("Gateway.NotAttached", $"resource {gatewayId} is not attached to network {vpcId}"));

    public Task DeleteInternetGatewayAsync(string gatewayId, CancellationToken ct) => Run("DeleteInternetGateway", gatewayId, () =>
    {
        var gateway = Existing(gatewayId, "igw");
        if (gateway.Attachments.Count > 0)
            throw Error("DependencyViolation", $"The internetGateway '{gatewayId}' has dependencies and cannot be deleted.");
        return _resources.Remove(gateway);
    });

    public Task<string> CreateRouteTableAsync(string vpcId, string idempotencyToken, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Create("CreateRouteTable", "rtb", tags, idempotencyToken, r => r.VpcId = Existing(vpcId, "vpc").Id);

    public Task<string?> FindRouteTableAsync(OwnedBy owner, string vpcId, CancellationToken ct) => FindAsync("DescribeRouteTables", "rtb", owner, r => r.VpcId == vpcId);

    public Task<RouteTableState?> RouteTableAsync(string routeTableId, CancellationToken ct) =>
        Run("DescribeRouteTables", routeTableId, () => _resources.FirstOrDefault(r => r.Id == routeTableId) is { } t
            ? new RouteTableState(t.Id, [.. t.Routes.Select(Live)], [.. t.Associations])
            : null);

    public Task CreateRouteAsync(string routeTableId, string destination, RouteTarget target, CancellationToken ct) => Run("CreateRoute", routeTableId, () =>
    {
        var table = Existing(routeTableId, "rtb");
        if (table.Routes.Any(r => r.Destination == destination))
            throw Error("RouteAlreadyExists", $"The route identified by {destination} already exists.");
        Existing(target.Id!, target.InternetGatewayId is null ? "nat" : "igw");
        table.Routes.Add(new NetworkRoute(destination, target.Id, false));
        return true;
    });

    public Task ReplaceRouteAsync(string routeTableId, string destination, RouteTarget target, CancellationToken ct) => Run("ReplaceRoute", routeTableId, () =>
    {
        var table = Existing(routeTableId, "rtb");
        var index = table.Routes.FindIndex(r => r.Destination == destination);
        if (index < 0)
            throw Error("InvalidRoute.NotFound", $"no route with destination-cidr-block {destination} in route table {routeTableId}");
        table.Routes[index] = new NetworkRoute(destination, target.Id, false);
        return true;
    });

    public Task<string> AssociateRouteTableAsync(string routeTableId, string subnetId, CancellationToken ct) => Run("AssociateRouteTable", routeTableId, () =>
    {
        var table = Existing(routeTableId, "rtb");
        Existing(subnetId, "subnet");
        if (_resources.Any(r => r.Kind == "rtb" && r.Associations.Any(a => a.SubnetId == subnetId)))
            throw Error("Resource.AlreadyAssociated", $"the specified association for route table {routeTableId} conflicts with an existing association");
        var association = new RouteAssociation(NewId("rtbassoc"), subnetId, false);
        table.Associations.Add(association);
        return association.Id;
    });

    public Task DisassociateRouteTableAsync(string associationId, CancellationToken ct) => Run("DisassociateRouteTable", associationId, () =>
        _resources.FirstOrDefault(r => r.Associations.Any(a => a.Id == associationId)) is { } table
            ? table.Associations.RemoveAll(a => a.Id == associationId) > 0
            : throw Error("InvalidAssociationID.NotFound", $"The association ID '{associationId}' does not exist"));

    public Task DeleteRouteTableAsync(string routeTableId, CancellationToken ct) => Run("DeleteRouteTable", routeTableId, () =>
    {
        var table = Existing(routeTableId, "rtb");
        if (table.Associations.Count > 0)
            throw Error("DependencyViolation", $"The routeTable '{routeTableId}' has dependencies and cannot be deleted.");
        return _resources.Remove(table);
    });

    public Task<string> AllocateAddressAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Create("AllocateAddress", "eip", tags, null, _ => { });

    public Task<string?> FindAddressAsync(OwnedBy owner, CancellationToken ct) => FindAsync("DescribeAddresses", "eip", owner, _ => true);

    public Task<AddressState?> AddressAsync(string allocationId, CancellationToken ct) =>
        Run("DescribeAddresses", allocationId, () => _resources.FirstOrDefault(r => r.Id == allocationId) is { } a ? new AddressState(a.Id, a.AssociationId, a.HeldByService) : null);

    public Task DisassociateAddressAsync(string associationId, CancellationToken ct) => Run("DisassociateAddress", associationId, () =>
    {
        var address = _resources.FirstOrDefault(r => r.Kind == "eip" && r.AssociationId == associationId)
            ?? throw Error("InvalidAssociationID.NotFound", $"The association ID '{associationId}' does not exist");
        if (address.HeldByService)
            throw Error("AuthFailure", "You do not have permission to access the specified resource.");
        address.AssociationId = null;
        return true;
    });

    public Task ReleaseAddressAsync(string allocationId, CancellationToken ct) => Run("ReleaseAddress", allocationId, () =>
    {
        var address = _resources.FirstOrDefault(r => r.Id == allocationId) ?? throw Error("InvalidAllocationID.NotFound", $"The allocation ID '{allocationId}' does not exist");
        if (address.AssociationId is not null)
            throw Error("InvalidIPAddress.InUse", $"Address {allocationId} is in use.");
        return _resources.Remove(address);
    });

    public Task<string> CreateNatGatewayAsync(string subnetId, string allocationId, string idempotencyToken, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Create("CreateNatGateway", "nat", tags, idempotencyToken, nat =>
        {
            var subnet = Existing(subnetId, "subnet");
            var address = _resources.FirstOrDefault(r => r.Id == allocationId) ?? throw Error("InvalidAllocationID.NotFound", $"The allocation ID '{allocationId}' does not exist");
            if (address.AssociationId is not null)
                throw Error("Resource.AlreadyAssociated", $"Elastic IP address [{allocationId}] is already associated");
            (nat.SubnetId, nat.VpcId, nat.AllocationId) = (subnet.Id, subnet.VpcId, allocationId);
            (address.AssociationId, address.HeldByService) = (NewId("eipassoc"), true);
        });

    public Task<string?> FindLiveNatGatewayAsync(OwnedBy owner, CancellationToken ct) =>
        FindAsync("DescribeNatGateways", "nat", owner, r => r.Phase is NatGatewayPhase.Pending or NatGatewayPhase.Available);

    public Task<IReadOnlyList<NatGatewayStatus>> NatGatewaysAsync(IReadOnlyCollection<string> natGatewayIds, CancellationToken ct) =>
        Run<IReadOnlyList<NatGatewayStatus>>("DescribeNatGateways", string.Join(",", natGatewayIds), () =>
            [.. _resources.Where(r => r.Kind == "nat" && natGatewayIds.Contains(r.Id)).Select(n => new NatGatewayStatus(n.Id, n.SubnetId, n.Phase, null, null))]);

    public Task DeleteNatGatewayAsync(string natGatewayId, CancellationToken ct) => Run("DeleteNatGateway", natGatewayId, () =>
    {
        var nat = Existing(natGatewayId, "nat");
        if (nat.Phase is NatGatewayPhase.Deleted)
            throw Error("NatGatewayNotFound", $"The Nat Gateway {natGatewayId} was not found");
        nat.Phase = NatGatewayPhase.Deleting;
        return true;
    });

    public Task<string> CreateSecurityGroupAsync(string vpcId, string groupName, string description, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Create("CreateSecurityGroup", "sg", tags, null, r =>
        {
            if (_resources.Any(g => g.Kind == "sg" && g.VpcId == vpcId && g.Token == groupName))
                throw Error("InvalidGroup.Duplicate", $"The security group '{groupName}' already exists for VPC '{vpcId}'");
            (r.VpcId, r.Token) = (vpcId, groupName);
        });

    public Task<string?> FindSecurityGroupAsync(OwnedBy owner, string vpcId, CancellationToken ct) => FindAsync("DescribeSecurityGroups", "sg", owner, r => r.VpcId == vpcId);

    public Task<SecurityGroupState?> SecurityGroupAsync(string groupId, CancellationToken ct) =>
        Run("DescribeSecurityGroups", groupId, () => _resources.FirstOrDefault(r => r.Id == groupId) is { } g ? new SecurityGroupState(g.Id, [.. g.Ingress]) : null);

    public Task AuthorizeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken ct) => Run("AuthorizeSecurityGroupIngress", groupId, () =>
    {
        var group = Existing(groupId, "sg");
        foreach (var rule in rules.Where(rule => !group.Ingress.Any(e => Same(e, rule))))
            group.Ingress.Add(rule);
        return true;
    });

    public Task RevokeIngressAsync(string groupId, IReadOnlyList<IngressRule> rules, CancellationToken ct) => Run("RevokeSecurityGroupIngress", groupId, () =>
        Existing(groupId, "sg").Ingress.RemoveAll(e => rules.Any(r => Same(e, r))) >= 0);

    public Task DeleteSecurityGroupAsync(string groupId, CancellationToken ct) => Run("DeleteSecurityGroup", groupId, () =>
    {
        var group = _resources.FirstOrDefault(r => r.Id == groupId && r.Kind == "sg") ?? throw Error("InvalidGroup.NotFound", $"The security group '{groupId}' does not exist");
        if (_resources.Any(r => r.Kind == "sg" && r.Id != groupId && r.Ingress.Any(rule => rule.SourceGroupId == groupId)))
            throw Error("DependencyViolation", $"resource {groupId} has a dependent object");
        return _resources.Remove(group);
    });

    public Task<IReadOnlyList<NetworkInterfaceInfo>> NetworkInterfacesAsync(NetworkScope scope, string id, CancellationToken ct) =>
        Run<IReadOnlyList<NetworkInterfaceInfo>>("DescribeNetworkInterfaces", id, () =>
            [.. NetworkInterfaces.Where(e => scope == NetworkScope.Subnet ? e.SubnetId == id : _resources.Any(s => s.Id == e.SubnetId && s.VpcId == id))]);

    public Task<IReadOnlyList<LoadBalancerInfo>> LoadBalancersAsync(string vpcId, CancellationToken ct) =>
        Run<IReadOnlyList<LoadBalancerInfo>>("DescribeLoadBalancers", vpcId, () => [.. LoadBalancers.Where(l => l.VpcId == vpcId).Select(l => l.LoadBalancer)]);

    /// <summary>A route to a target that no longer exists is a blackhole.</summary>
    private NetworkRoute Live(NetworkRoute route) =>
        route with { Blackhole = !_resources.Any(r => r.Id == route.TargetId && r.Phase is not (NatGatewayPhase.Deleted or NatGatewayPhase.Failed)) };

    private static bool Same(IngressRule a, IngressRule b) => a with { Description = null } == b with { Description = null };

    private Resource Existing(string id, string kind) =>
        _resources.FirstOrDefault(r => r.Id == id && r.Kind == kind) ?? throw Error(NotFoundCode(kind), $"The {kind} ID '{id}' does not exist");

    private static string NotFoundCode(string kind) => kind switch
    {
        "vpc" => "InvalidVpcID.NotFound",
        "subnet" => "InvalidSubnetID.NotFound",
        "igw" => "InvalidInternetGatewayID.NotFound",
        "rtb" => "InvalidRouteTableID.NotFound",
        "nat" => "NatGatewayNotFound",
        "sg" => "InvalidGroup.NotFound",
        _ => "InvalidAllocationID.NotFound",
    };

    private static CloudServiceException Error(string code, string message) => new(code, message, false);

    private string NewId(string prefix) => $"{prefix}-{Interlocked.Increment(ref _next):x8}";

    private Task<string> Create(string operation, string kind, IReadOnlyDictionary<string, string> tags, string? token, Action<Resource> shape) =>
        Run(operation, kind, () =>
        {
            if (token is not null && _resources.FirstOrDefault(r => r.Kind == kind && r.Token == token) is { } same)
                return same.Id;
            var resource = new Resource(kind, NewId(kind == "eip" ? "eipalloc" : kind)) { Tags = new(tags, StringComparer.Ordinal), Token = token };
            shape(resource);
            _resources.Add(resource);
            return resource.Id;
        });

    private Task<string?> FindAsync(string operation, string kind, OwnedBy owner, Func<Resource, bool> where) =>
        Run(operation, kind, () => _resources.FirstOrDefault(r => r.Kind == kind && where(r)
            && owner.Tags.All(t => r.Tags.TryGetValue(t.Key, out var value) && value == t.Value))?.Id);

    private Task Run(string operation, string id, Func<bool> call) => Run<bool>(operation, id, call);

    private Task<T> Run<T>(string operation, string id, Func<T> call) => _journal.Run(operation, id, call);
}
