using System.Net;
using PaletteServerless.Local.Aws.Core;
using static PaletteServerless.Local.Aws.Ec2.Ec2Filters;

namespace PaletteServerless.Local.Aws.Ec2;

// VPCs, subnets, internet gateways, route tables and routes.
public sealed partial class Ec2Service
{
    private static LocalAwsResponse CreateVpc(Ec2Request r)
    {
        var cidr = r.P.Required("CidrBlock");
        var network = Ec2Request.ParseCidr(cidr);
        if (network.PrefixLength is < 16 or > 28)
            throw new AwsErrorException("InvalidVpc.Range", $"The CIDR '{cidr}' is invalid.");
        r.CheckTagSpecificationTypes("vpc");
        if (r.World.All<Vpc>().Count(v => v.IsLiveAt(r.Now)) >= Ec2Quotas.Vpcs)
            throw new AwsErrorException("VpcLimitExceeded", "The maximum number of VPCs has been reached.");

        var id = Ec2Request.NewId("vpc");
        var vpc = new Vpc { Id = id, Type = "ec2:vpc", Arn = r.Arn("vpc", id), CidrBlock = cidr, DhcpOptionsId = "dopt-" + id[4..12], Tags = r.TagsFor("vpc") };
        vpc.SetState("available", r.Now);
        r.World.Add(vpc, r.Now);

        // Every VPC comes with a main route table and a default security group, owned by the VPC.
        var tableId = Ec2Request.NewId("rtb");
        var main = new RouteTable
        {
            Id = tableId, Type = "ec2:route-table", Arn = r.Arn("route-table", tableId), VpcId = id, OwnerId = id,
            Routes = [new Route { DestinationCidrBlock = cidr, GatewayId = "local", Origin = "CreateRouteTable" }],
            Associations = [new RouteTableAssociation { Id = Ec2Request.NewId("rtbassoc"), Main = true }],
        };
        main.SetState("available", r.Now);
        r.World.Add(main, r.Now);
        var groupId = Ec2Request.NewId("sg");
        var defaultGroup = new SecurityGroup
        {
            Id = groupId, Type = "ec2:security-group", Arn = r.Arn("security-group", groupId), VpcId = id, OwnerId = id,
            GroupName = "default", Description = "default VPC security group",
            Ingress = [new SecurityGroupRule { Id = Ec2Request.NewId("sgr"), ReferencedGroupId = groupId }],
            Egress = [AllTrafficEgress()],
        };
        defaultGroup.SetState("available", r.Now);
        r.World.Add(defaultGroup, r.Now);
        return r.Respond(x => x.Open("vpc").Call((x, v) => Ec2Xml.Vpc(x, v, r.Now), vpc).Close());
    }

    private static SecurityGroupRule AllTrafficEgress() => new() { Id = Ec2Request.NewId("sgr"), CidrIpv4 = "0.0.0.0/0" };

    private static LocalAwsResponse DescribeVpcs(Ec2Request r)
    {
        var vpcs = r.Select("VpcId", "InvalidVpcID.NotFound", "vpc", new Ec2FilterSet<Vpc>
        {
            ["vpc-id"] = v => [v.Id],
            ["state"] = v => [v.StateAt(r.Now)],
            ["cidr"] = v => [v.CidrBlock],
            ["cidr-block-association.cidr-block"] = v => [v.CidrBlock],
            ["dhcp-options-id"] = v => [v.DhcpOptionsId],
            ["is-default"] = v => ["false"],
        });
        var (page, next) = Page(vpcs, r.P);
        return r.Respond(x => x.List("vpcSet", page, (x, v) => Ec2Xml.Vpc(x, v, r.Now)).Element("nextToken", next));
    }

    private static LocalAwsResponse DeleteVpc(Ec2Request r)
    {
        var vpc = r.Require<Vpc>(r.P["VpcId"], "InvalidVpcID.NotFound", "vpc");
        var live = r.World.ResourcesById.Values.Where(x => x.IsLiveAt(r.Now)).ToList();
        var hasDependencies =
            live.OfType<Subnet>().Any(s => s.VpcId == vpc.Id)
            || live.OfType<InternetGateway>().Any(g => g.AttachedVpcId == vpc.Id)
            || live.OfType<SecurityGroup>().Any(g => g.VpcId == vpc.Id && !g.IsDefault)
            || live.OfType<RouteTable>().Any(t => t.VpcId == vpc.Id && !t.IsMain)
            || live.OfType<NatGateway>().Any(n => n.VpcId == vpc.Id)
            || live.OfType<NetworkInterface>().Any(n => n.VpcId == vpc.Id);
        if (hasDependencies)
            throw new AwsErrorException("DependencyViolation", $"The vpc '{vpc.Id}' has dependencies and cannot be deleted.");
        r.World.Remove(vpc.Id);
        // The main route table and the default group are owned by the VPC and go with it.
        r.World.Settle(r.Now, r.Aws.TerminalRetention);
        return r.RespondTrue();
    }

    private static LocalAwsResponse CreateSubnet(Ec2Request r)
    {
        var vpc = r.Require<Vpc>(r.P["VpcId"], "InvalidVpcID.NotFound", "vpc");
        var cidr = r.P.Required("CidrBlock");
        var network = Ec2Request.ParseCidr(cidr);
        var zones = Ec2Catalog.Zones(r.World.Region);
        var zone = r.P["AvailabilityZone"]
            ?? (r.P["AvailabilityZoneId"] is { } zoneId ? zones.FirstOrDefault(z => Ec2Catalog.ZoneId(z) == zoneId) : zones.FirstOrDefault());
        if (zone is null || !zones.Contains(zone))
        {
            throw new AwsErrorException("InvalidParameterValue",
                $"Value ({r.P["AvailabilityZone"] ?? r.P["AvailabilityZoneId"]}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: {string.Join(", ", zones)}.");
        }
        if (network.PrefixLength is < 16 or > 28 || !Ec2Request.Contains(Ec2Request.ParseCidr(vpc.CidrBlock), network))
            throw new AwsErrorException("InvalidSubnet.Range", $"The CIDR '{cidr}' is invalid.");
        if (r.World.All<Subnet>().Any(s => s.VpcId == vpc.Id && s.IsLiveAt(r.Now) && Ec2Request.Overlaps(IPNetwork.Parse(s.CidrBlock), network)))
            throw new AwsErrorException("InvalidSubnet.Conflict", $"The CIDR '{cidr}' conflicts with another subnet");
        r.CheckTagSpecificationTypes("subnet");

        var id = Ec2Request.NewId("subnet");
        var subnet = new Subnet
        {
            Id = id, Type = "ec2:subnet", Arn = r.Arn("subnet", id), VpcId = vpc.Id, CidrBlock = cidr,
            AvailabilityZone = zone, AvailabilityZoneId = Ec2Catalog.ZoneId(zone), Tags = r.TagsFor("subnet"),
        };
        subnet.SetState("available", r.Now);
        r.World.Add(subnet, r.Now);
        return r.Respond(x => x.Open("subnet").Call((x, s) => Ec2Xml.Subnet(x, s, AvailableAddresses(r, s), r.Now), subnet).Close());
    }

    /// <summary>Free addresses: the block minus AWS's five reserved addresses minus interfaces placed in it.</summary>
    private static int AvailableAddresses(Ec2Request r, Subnet subnet)
    {
        var size = 1 << (32 - IPNetwork.Parse(subnet.CidrBlock).PrefixLength);
        return size - 5 - r.World.All<NetworkInterface>().Count(n => n.SubnetId == subnet.Id && n.IsLiveAt(r.Now));
    }

    private static LocalAwsResponse DescribeSubnets(Ec2Request r)
    {
        var subnets = r.Select("SubnetId", "InvalidSubnetID.NotFound", "subnet", new Ec2FilterSet<Subnet>
        {
            ["subnet-id"] = s => [s.Id],
            ["vpc-id"] = s => [s.VpcId],
            ["state"] = s => [s.StateAt(r.Now)],
            ["cidr-block"] = s => [s.CidrBlock],
            ["cidr"] = s => [s.CidrBlock],
            ["cidrBlock"] = s => [s.CidrBlock],
            ["availability-zone"] = s => [s.AvailabilityZone],
            ["availabilityZone"] = s => [s.AvailabilityZone],
            ["availability-zone-id"] = s => [s.AvailabilityZoneId],
            ["default-for-az"] = s => ["false"],
            ["defaultForAz"] = s => ["false"],
            ["map-public-ip-on-launch"] = s => [Text(s.MapPublicIpOnLaunch)],
            ["subnet-arn"] = s => [s.Arn],
        });
        var (page, next) = Page(subnets, r.P);
        return r.Respond(x => x.List("subnetSet", page, (x, s) => Ec2Xml.Subnet(x, s, AvailableAddresses(r, s), r.Now)).Element("nextToken", next));
    }

    private static LocalAwsResponse ModifySubnetAttribute(Ec2Request r)
    {
        var subnet = r.Require<Subnet>(r.P["SubnetId"], "InvalidSubnetID.NotFound", "subnet");
        if (r.P["MapPublicIpOnLaunch.Value"] is { } value)
            subnet.MapPublicIpOnLaunch = string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
        return r.RespondTrue();
    }

    private static LocalAwsResponse DeleteSubnet(Ec2Request r)
    {
        var subnet = r.Require<Subnet>(r.P["SubnetId"], "InvalidSubnetID.NotFound", "subnet");
        if (r.World.All<NetworkInterface>().Any(n => n.SubnetId == subnet.Id && n.IsLiveAt(r.Now))
            || r.World.All<NatGateway>().Any(n => n.SubnetId == subnet.Id && n.IsLiveAt(r.Now)))
            throw new AwsErrorException("DependencyViolation", $"The subnet '{subnet.Id}' has dependencies and cannot be deleted.");
        // A deleted subnet leaves the route table it was associated with.
        foreach (var table in r.World.All<RouteTable>())
            table.Associations.RemoveAll(a => a.SubnetId == subnet.Id);
        r.World.Remove(subnet.Id);
        return r.RespondTrue();
    }

    private static LocalAwsResponse CreateInternetGateway(Ec2Request r)
    {
        r.CheckTagSpecificationTypes("internet-gateway");
        if (r.World.All<InternetGateway>().Count() >= Ec2Quotas.InternetGateways)
            throw new AwsErrorException("InternetGatewayLimitExceeded", "The maximum number of internet gateways has been reached.");
        var id = Ec2Request.NewId("igw");
        var gateway = new InternetGateway { Id = id, Type = "ec2:internet-gateway", Arn = r.Arn("internet-gateway", id), Tags = r.TagsFor("internet-gateway") };
        gateway.SetState("available", r.Now);
        r.World.Add(gateway, r.Now);
        return r.Respond(x => x.Open("internetGateway").Call(Ec2Xml.InternetGateway, gateway).Close());
    }

    private static LocalAwsResponse DescribeInternetGateways(Ec2Request r)
    {
        var gateways = r.Select("InternetGatewayId", "InvalidInternetGatewayID.NotFound", "internetGateway", new Ec2FilterSet<InternetGateway>
        {
            ["internet-gateway-id"] = g => [g.Id],
            ["attachment.vpc-id"] = g => [g.AttachedVpcId],
            ["attachment.state"] = g => [g.AttachedVpcId is null ? null : "available"],
        });
        var (page, next) = Page(gateways, r.P);
        return r.Respond(x => x.List("internetGatewaySet", page, Ec2Xml.InternetGateway).Element("nextToken", next));
    }

    private static LocalAwsResponse AttachInternetGateway(Ec2Request r)
    {
        var gateway = r.Require<InternetGateway>(r.P["InternetGatewayId"], "InvalidInternetGatewayID.NotFound", "internetGateway");
        var vpc = r.Require<Vpc>(r.P["VpcId"], "InvalidVpcID.NotFound", "vpc");
        if (gateway.AttachedVpcId is not null)
            throw new AwsErrorException("Resource.AlreadyAssociated", $"resource {gateway.Id} is already attached to network {gateway.AttachedVpcId}");
        if (r.World.All<InternetGateway>().FirstOrDefault(g => g.AttachedVpcId == vpc.Id) is { } other)
            throw new AwsErrorException("Resource.AlreadyAssociated", $"resource {vpc.Id} already has an internet gateway attached ({other.Id})");
        gateway.AttachedVpcId = vpc.Id;
        return r.RespondTrue();
    }

    private static LocalAwsResponse DetachInternetGateway(Ec2Request r)
    {
        var gateway = r.Require<InternetGateway>(r.P["InternetGatewayId"], "InvalidInternetGatewayID.NotFound", "internetGateway");
        var vpcId = r.P.Required("VpcId");
        if (gateway.AttachedVpcId != vpcId)
            throw new AwsErrorException("Gateway.NotAttached", $"resource {gateway.Id} is not attached to network {vpcId}");
        if (HasMappedPublicAddresses(r, vpcId))
        {
            throw new AwsErrorException("DependencyViolation",
                $"Network {vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.");
        }
        gateway.AttachedVpcId = null;
        return r.RespondTrue();
    }

    /// <summary>Public addresses in a VPC: Elastic IPs on its interfaces, public NAT gateways, instances with public IPs.</summary>
    private static bool HasMappedPublicAddresses(Ec2Request r, string vpcId) =>
        r.World.All<ElasticIp>().Any(a => a.NetworkInterfaceId is { } eni && r.World.Find<NetworkInterface>(eni)?.VpcId == vpcId)
        || r.World.All<NatGateway>().Any(n => n.VpcId == vpcId && n.ConnectivityType == "public" && n.IsLiveAt(r.Now))
        || r.World.All<Instance>().Any(i => i.VpcId == vpcId && i.PublicIpAddress is not null && i.IsLiveAt(r.Now));

    private static LocalAwsResponse DeleteInternetGateway(Ec2Request r)
    {
        var gateway = r.Require<InternetGateway>(r.P["InternetGatewayId"], "InvalidInternetGatewayID.NotFound", "internetGateway");
        if (gateway.AttachedVpcId is not null)
            throw new AwsErrorException("DependencyViolation", $"The internetGateway '{gateway.Id}' has dependencies and cannot be deleted.");
        r.World.Remove(gateway.Id);
        return r.RespondTrue();
    }

    private static LocalAwsResponse CreateRouteTable(Ec2Request r)
    {
        var vpc = r.Require<Vpc>(r.P["VpcId"], "InvalidVpcID.NotFound", "vpc");
        r.CheckTagSpecificationTypes("route-table");
        var clientToken = r.P["ClientToken"];
        var tableId = r.World.Idempotent("CreateRouteTable", clientToken, r.P.Fingerprint("ClientToken", "Action", "Version"), r.Now, () =>
        {
            var id = Ec2Request.NewId("rtb");
            var table = new RouteTable
            {
                Id = id, Type = "ec2:route-table", Arn = r.Arn("route-table", id), VpcId = vpc.Id, Tags = r.TagsFor("route-table"),
                Routes = [new Route { DestinationCidrBlock = vpc.CidrBlock, GatewayId = "local", Origin = "CreateRouteTable" }],
            };
            table.SetState("available", r.Now);
            r.World.Add(table, r.Now);
            return id;
        });
        var created = r.World.Find<RouteTable>(tableId)
            ?? throw Ec2Request.NotFound("InvalidRouteTableID.NotFound", "route table", tableId);
        return r.Respond(x => x
            .Open("routeTable").Call((x, t) => Ec2Xml.RouteTable(x, t, route => RouteState(r, route)), created).Close()
            .Element("clientToken", clientToken));
    }

    /// <summary>A route whose target is gone is a blackhole, as in EC2.</summary>
    private static string RouteState(Ec2Request r, Route route)
    {
        var targetAlive = route switch
        {
            { GatewayId: "local" } => true,
            { GatewayId: { } gateway } => r.World.Find<InternetGateway>(gateway) is not null,
            { NatGatewayId: { } nat } => r.World.Find<NatGateway>(nat) is { } n && n.IsLiveAt(r.Now) && n.StateAt(r.Now) != "deleting",
            { InstanceId: { } instance } => r.World.Find<Instance>(instance)?.IsLiveAt(r.Now) ?? false,
            { NetworkInterfaceId: { } eni } => r.World.Find<NetworkInterface>(eni) is not null,
            _ => false,
        };
        return targetAlive ? "active" : "blackhole";
    }

    private static LocalAwsResponse DescribeRouteTables(Ec2Request r)
    {
        var tables = r.Select("RouteTableId", "InvalidRouteTableID.NotFound", "route table", new Ec2FilterSet<RouteTable>
        {
            ["route-table-id"] = t => [t.Id],
            ["vpc-id"] = t => [t.VpcId],
            ["association.subnet-id"] = t => t.Associations.Select(a => a.SubnetId),
            ["association.main"] = t => [Text(t.IsMain)],
            ["association.route-table-association-id"] = t => t.Associations.Select(a => a.Id),
            ["association.route-table-id"] = t => t.Associations.Count > 0 ? [t.Id] : [],
            ["route.destination-cidr-block"] = t => t.Routes.Select(x => x.DestinationCidrBlock),
            ["route.gateway-id"] = t => t.Routes.Select(x => x.GatewayId),
            ["route.nat-gateway-id"] = t => t.Routes.Select(x => x.NatGatewayId),
            ["route.instance-id"] = t => t.Routes.Select(x => x.InstanceId),
            ["route.state"] = t => t.Routes.Select(x => RouteState(r, x)),
        });
        var (page, next) = Page(tables, r.P);
        return r.Respond(x => x
            .List("routeTableSet", page, (x, t) => Ec2Xml.RouteTable(x, t, route => RouteState(r, route)))
            .Element("nextToken", next));
    }

    private static LocalAwsResponse DeleteRouteTable(Ec2Request r)
    {
        var table = r.Require<RouteTable>(r.P["RouteTableId"], "InvalidRouteTableID.NotFound", "routeTable");
        if (table.Associations.Count > 0)
            throw new AwsErrorException("DependencyViolation", $"The routeTable '{table.Id}' has dependencies and cannot be deleted.");
        r.World.Remove(table.Id);
        return r.RespondTrue();
    }

    private static LocalAwsResponse CreateRoute(Ec2Request r)
    {
        var table = r.Require<RouteTable>(r.P["RouteTableId"], "InvalidRouteTableID.NotFound", "routeTable");
        var destination = r.P.Required("DestinationCidrBlock");
        Ec2Request.ParseCidr(destination);
        var route = new Route { DestinationCidrBlock = destination };
        if (r.P["GatewayId"] is { } gatewayId)
        {
            var gateway = r.Require<InternetGateway>(gatewayId, "InvalidGatewayID.NotFound", "gateway");
            if (gateway.AttachedVpcId != table.VpcId)
                throw new AwsErrorException("InvalidParameterValue", $"route table {table.Id} and network gateway {gateway.Id} belong to different networks");
            route.GatewayId = gateway.Id;
        }
        else if (r.P["NatGatewayId"] is { } natId)
        {
            var nat = r.Require<NatGateway>(natId, "InvalidNatGatewayID.NotFound", "natGateway");
            if (nat.VpcId != table.VpcId)
                throw new AwsErrorException("InvalidParameterValue", $"route table {table.Id} and nat gateway {nat.Id} belong to different networks");
            route.NatGatewayId = nat.Id;
        }
        else if (r.P["InstanceId"] is { } instanceId)
        {
            route.InstanceId = r.Require<Instance>(instanceId, "InvalidInstanceID.NotFound", "instance").Id;
        }
        else if (r.P["NetworkInterfaceId"] is { } eniId)
        {
            route.NetworkInterfaceId = r.Require<NetworkInterface>(eniId, "InvalidNetworkInterfaceID.NotFound", "network interface").Id;
        }
        else
        {
            throw new AwsErrorException("MissingParameter", "The request must contain exactly one of gatewayId, natGatewayId, instanceId, networkInterfaceId.");
        }
        if (table.Routes.Any(x => x.DestinationCidrBlock == destination))
            throw new AwsErrorException("RouteAlreadyExists", $"The route identified by {destination} already exists.");
        table.Routes.Add(route);
        return r.RespondTrue();
    }

    private static LocalAwsResponse DeleteRoute(Ec2Request r)
    {
        var table = r.Require<RouteTable>(r.P["RouteTableId"], "InvalidRouteTableID.NotFound", "routeTable");
        var destination = r.P.Required("DestinationCidrBlock");
        var route = table.Routes.FirstOrDefault(x => x.DestinationCidrBlock == destination)
            ?? throw new AwsErrorException("InvalidRoute.NotFound", $"no route with destination-cidr-block {destination} in route table {table.Id}");
        if (route.GatewayId == "local")
            throw new AwsErrorException("InvalidParameterValue", $"cannot remove local route {destination} in route table {table.Id}");
        table.Routes.Remove(route);
        return r.RespondTrue();
    }

    private static LocalAwsResponse AssociateRouteTable(Ec2Request r)
    {
        var table = r.Require<RouteTable>(r.P["RouteTableId"], "InvalidRouteTableID.NotFound", "routeTable");
        var subnet = r.Require<Subnet>(r.P["SubnetId"], "InvalidSubnetID.NotFound", "subnet");
        if (subnet.VpcId != table.VpcId)
            throw new AwsErrorException("InvalidParameterValue", $"Route table {table.Id} and subnet {subnet.Id} belong to different networks");
        if (r.World.All<RouteTable>().Any(t => t.Associations.Any(a => a.SubnetId == subnet.Id)))
            throw new AwsErrorException("Resource.AlreadyAssociated", $"the specified association for route table {table.Id} conflicts with an existing association");
        var association = new RouteTableAssociation { Id = Ec2Request.NewId("rtbassoc"), SubnetId = subnet.Id };
        table.Associations.Add(association);
        return r.Respond(x => x.Element("associationId", association.Id).Open("associationState").Element("state", "associated").Close());
    }

    private static RouteTable? FindAssociatedRouteTable(Ec2Request r, string associationId) =>
        r.World.All<RouteTable>().FirstOrDefault(t => t.Associations.Any(a => a.Id == associationId));

    private static LocalAwsResponse DisassociateRouteTable(Ec2Request r)
    {
        var associationId = r.P.Required("AssociationId");
        var table = FindAssociatedRouteTable(r, associationId)
            ?? throw Ec2Request.NotFound("InvalidAssociationID.NotFound", "association", associationId);
        var association = table.Associations.Single(a => a.Id == associationId);
        if (association.Main)
            throw new AwsErrorException("InvalidParameterValue", $"cannot disassociate the main route table association {associationId}");
        table.Associations.Remove(association);
        return r.RespondTrue();
    }
}
