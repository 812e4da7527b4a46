using PaletteServerless.Local.Aws.Core;
using static PaletteServerless.Local.Aws.Ec2.Ec2Filters;

namespace PaletteServerless.Local.Aws.Ec2;

// Elastic IP addresses and NAT gateways.
public sealed partial class Ec2Service
{
    private static LocalAwsResponse AllocateAddress(Ec2Request r)
    {
        r.CheckTagSpecificationTypes("elastic-ip");
        if (r.World.All<ElasticIp>().Count() >= Ec2Quotas.ElasticIps)
            throw new AwsErrorException("AddressLimitExceeded", "The maximum number of addresses has been reached.");
        var id = Ec2Request.NewId("eipalloc");
        var address = new ElasticIp { Id = id, Type = "ec2:elastic-ip", Arn = r.Arn("elastic-ip", id), PublicIp = r.NewPublicIp(), Tags = r.TagsFor("elastic-ip") };
        address.SetState("allocated", r.Now);
        r.World.Add(address, r.Now);
        return r.Respond(x => x
            .Element("publicIp", address.PublicIp)
            .Element("domain", "vpc")
            .Element("allocationId", address.Id)
            .Element("publicIpv4Pool", "amazon")
            .Element("networkBorderGroup", r.World.Region));
    }

    private static LocalAwsResponse DescribeAddresses(Ec2Request r)
    {
        foreach (var ip in r.P.List("PublicIp").Where(ip => r.World.All<ElasticIp>().All(a => a.PublicIp != ip)))
            throw new AwsErrorException("InvalidAddress.NotFound", $"Address '{ip}' not found.");
        var publicIps = r.P.List("PublicIp");
        var addresses = r.Select("AllocationId", "InvalidAllocationID.NotFound", "allocation", new Ec2FilterSet<ElasticIp>
        {
            ["allocation-id"] = a => [a.Id],
            ["association-id"] = a => [a.AssociationId],
            ["domain"] = a => ["vpc"],
            ["instance-id"] = a => [a.InstanceId],
            ["network-interface-id"] = a => [a.NetworkInterfaceId],
            ["network-interface-owner-id"] = a => [a.NetworkInterfaceId is null ? null : a.Account],
            ["private-ip-address"] = a => [a.PrivateIpAddress],
            ["public-ip"] = a => [a.PublicIp],
            ["network-border-group"] = a => [a.Region],
        }).Where(a => publicIps.Count == 0 || publicIps.Contains(a.PublicIp)).ToList();
        return r.Respond(x => x.List("addressesSet", addresses, (x, a) => Ec2Xml.Address(x, a, a.NetworkInterfaceId is null ? null : a.Account)));
    }

    /// <summary>The address a request names by <c>AllocationId</c> or <c>PublicIp</c>, or null.</summary>
    private static ElasticIp? FindAddress(Ec2Request r) =>
        r.P["AllocationId"] is { } allocationId
            ? r.Find<ElasticIp>(allocationId)
            : r.World.All<ElasticIp>().FirstOrDefault(a => a.PublicIp == r.P["PublicIp"]);

    private static ElasticIp? FindAssociatedAddress(Ec2Request r, string associationId) =>
        r.World.All<ElasticIp>().FirstOrDefault(a => a.AssociationId == associationId);

    private static ElasticIp RequireAddress(Ec2Request r)
    {
        if (r.P["AllocationId"] is { } allocationId)
            return r.Require<ElasticIp>(allocationId, "InvalidAllocationID.NotFound", "allocation");
        var publicIp = r.P.Required("PublicIp");
        return FindAddress(r)
            ?? throw new AwsErrorException("InvalidAddress.NotFound", $"Address '{publicIp}' not found.");
    }

    private static LocalAwsResponse AssociateAddress(Ec2Request r)
    {
        var address = RequireAddress(r);
        NetworkInterface target;
        Instance? instance = null;
        if (r.P["InstanceId"] is { } instanceId)
        {
            instance = r.Require<Instance>(instanceId, "InvalidInstanceID.NotFound", "instance");
            if (instance.StateAt(r.Now) != "running")
                throw new AwsErrorException("IncorrectInstanceState", $"The instance '{instance.Id}' is not in a valid state for this operation.");
            target = r.World.Find<NetworkInterface>(instance.NetworkInterfaceId)
                ?? throw Ec2Request.NotFound("InvalidNetworkInterfaceID.NotFound", "network interface", instance.NetworkInterfaceId);
        }
        else
        {
            target = r.Require<NetworkInterface>(r.P["NetworkInterfaceId"], "InvalidNetworkInterfaceID.NotFound", "network interface");
            instance = target.AttachedInstanceId is { } attached ? r.World.Find<Instance>(attached) : null;
        }
        if (address.AssociationId is not null && r.P.Bool("AllowReassociation") != true)
            throw new AwsErrorException("Resource.AlreadyAssociated", $"resource {address.Id} is already associated with associate-id {address.AssociationId}");
        if (!r.World.All<InternetGateway>().Any(g => g.AttachedVpcId == target.VpcId))
            throw new AwsErrorException("Gateway.NotAttached", $"Network {target.VpcId} is not attached to any internet gateway");
        if (address.InstanceId is { } previous && r.World.Find<Instance>(previous) is { } previousInstance)
            previousInstance.PublicIpAddress = null;
        address.AssociationId = Ec2Request.NewId("eipassoc");
        address.NetworkInterfaceId = target.Id;
        address.PrivateIpAddress = target.PrivateIpAddress;
        address.InstanceId = instance?.Id;
        address.SetState("associated", r.Now);
        if (instance is not null)
            instance.PublicIpAddress = address.PublicIp;
        return r.Respond(x => x.Element("return", true).Element("associationId", address.AssociationId));
    }

    private static LocalAwsResponse DisassociateAddress(Ec2Request r)
    {
        ElasticIp address;
        if (r.P["AssociationId"] is { } associationId)
        {
            address = FindAssociatedAddress(r, associationId)
                ?? throw Ec2Request.NotFound("InvalidAssociationID.NotFound", "association", associationId);
        }
        else
        {
            address = RequireAddress(r);
        }
        if (address.InstanceId is { } instanceId && r.World.Find<Instance>(instanceId) is { } instance)
            instance.PublicIpAddress = null;
        ClearAssociation(address);
        address.SetState("allocated", r.Now);
        return r.RespondTrue();
    }

    private static LocalAwsResponse ReleaseAddress(Ec2Request r)
    {
        var address = RequireAddress(r);
        if (address.AssociationId is not null)
            throw new AwsErrorException("InvalidIPAddress.InUse", $"Address {address.Id} is in use.");
        r.World.Remove(address.Id);
        return r.RespondTrue();
    }

    private static LocalAwsResponse CreateNatGateway(Ec2Request r)
    {
        var subnet = r.Require<Subnet>(r.P["SubnetId"], "InvalidSubnetID.NotFound", "subnet");
        var connectivity = r.P["ConnectivityType"] ?? "public";
        ElasticIp? address = null;
        if (connectivity == "public")
        {
            var allocationId = r.P["AllocationId"]
                ?? throw new AwsErrorException("MissingParameter", "The request must contain the parameter AllocationId.");
            address = r.Find<ElasticIp>(allocationId)
                ?? throw new AwsErrorException("InvalidAllocationID.NotFound", $"The allocation IDs '{allocationId}' do not exist.");
        }
        r.CheckTagSpecificationTypes("natgateway");
        var clientToken = r.P["ClientToken"];
        var natId = r.World.Idempotent("CreateNatGateway", clientToken, r.P.Fingerprint("ClientToken", "Action", "Version"), r.Now, () =>
        {
            var liveInZone = r.World.All<NatGateway>().Count(n => n.IsLiveAt(r.Now)
                && r.World.Find<Subnet>(n.SubnetId)?.AvailabilityZone == subnet.AvailabilityZone);
            if (liveInZone >= Ec2Quotas.NatGatewaysPerZone)
                throw new AwsErrorException("NatGatewayLimitExceeded", $"Performing this operation would exceed the limit of {Ec2Quotas.NatGatewaysPerZone} NAT gateways");
            return BuildNatGateway(r, subnet, connectivity, address).Id;
        });
        var nat = r.World.Find<NatGateway>(natId)!;
        return r.Respond(x => x
            .Element("clientToken", clientToken)
            .Open("natGateway").Call((x, n) => Ec2Xml.NatGateway(x, n, r.Now), nat).Close());
    }

    /// <summary>
    /// Creates the gateway and its network interface, and decides now how it ends, as AWS decides
    /// while it builds one: <c>available</c> after the modelled delay, or <c>failed</c> with AWS's
    /// failure code (address already in use, no internet gateway, subnet full, injected fault).
    /// </summary>
    private static NatGateway BuildNatGateway(Ec2Request r, Subnet subnet, string connectivity, ElasticIp? address)
    {
        var id = Ec2Request.NewId("nat");
        var nat = new NatGateway
        {
            Id = id, Type = "ec2:natgateway", Arn = r.Arn("natgateway", id), VpcId = subnet.VpcId, SubnetId = subnet.Id,
            ConnectivityType = connectivity, AllocationId = address?.Id, PublicIp = address?.PublicIp, Tags = r.TagsFor("natgateway"),
        };
        var privateIp = Ec2Request.NextPrivateIp(r.World, subnet, r.Now);
        (string Code, string Message)? failure =
            r.Aws.Faults.NatGatewayFails() ? (r.Aws.Faults.Profile.NatGatewayFailureCode, FailureMessage(r.Aws.Faults.Profile.NatGatewayFailureCode, subnet, address))
            : privateIp is null ? ("InsufficientFreeAddressesInSubnet", "Subnet has insufficient free addresses to create this NAT gateway")
            : address?.AssociationId is not null ? ("Resource.AlreadyAssociated", $"Elastic IP address {address.Id} is already associated")
            : connectivity == "public" && !r.World.All<InternetGateway>().Any(g => g.AttachedVpcId == subnet.VpcId)
                ? ("Gateway.NotAttached", $"Network {subnet.VpcId} has no Internet gateway attached")
            : null;

        if (failure is { } failed)
        {
            nat.FailureCode = failed.Code;
            nat.FailureMessage = failed.Message;
            nat.SetState("pending", r.Now, new StateTransition(r.Now + r.Aws.Latency.Of(LatencyModel.NatGatewayFailed), "failed"));
            return r.World.Add(nat, r.Now);
        }

        nat.PrivateIp = privateIp!;
        nat.SetState("pending", r.Now, new StateTransition(r.Now + r.Aws.Latency.Of(LatencyModel.NatGatewayAvailable), "available"));
        r.World.Add(nat, r.Now);
        var eni = AddNetworkInterface(r, subnet, nat.PrivateIp, $"Interface for NAT Gateway {id}", "nat_gateway", [], ownerId: id, requesterManaged: true);
        nat.NetworkInterfaceId = eni.Id;
        if (address is not null)
        {
            address.AssociationId = "eipassoc-" + id[4..];
            address.NetworkInterfaceId = eni.Id;
            address.PrivateIpAddress = nat.PrivateIp;
            address.SetState("associated", r.Now);
        }
        return nat;
    }

    private static string FailureMessage(string code, Subnet subnet, ElasticIp? address) => code switch
    {
        "InsufficientFreeAddressesInSubnet" => "Subnet has insufficient free addresses to create this NAT gateway",
        "Gateway.NotAttached" => $"Network {subnet.VpcId} has no Internet gateway attached",
        "InvalidAllocationID.NotFound" => $"Elastic IP address {address?.Id} could not be associated with this NAT gateway",
        "Resource.AlreadyAssociated" => $"Elastic IP address {address?.Id} is already associated",
        "InvalidSubnetID.NotFound" => $"The specified subnet {subnet.Id} does not exist or could not be found.",
        _ => "Network interface created and used internally by this NAT gateway is in an invalid state. Please try again.",
    };

    private static LocalAwsResponse DescribeNatGateways(Ec2Request r)
    {
        var ids = r.P.List("NatGatewayId");
        foreach (var id in ids.Where(id => r.World.Find<NatGateway>(id) is not { } n || r.IsStillPropagating(n)))
            throw new AwsErrorException("NatGatewayNotFound", $"The Nat Gateway {id} was not found");
        var nats = r.Select("NatGatewayId", "NatGatewayNotFound", "natGateway", new Ec2FilterSet<NatGateway>
        {
            ["nat-gateway-id"] = n => [n.Id],
            ["state"] = n => [n.StateAt(r.Now)],
            ["subnet-id"] = n => [n.SubnetId],
            ["vpc-id"] = n => [n.VpcId],
        });
        var (page, next) = Page(nats, r.P);
        return r.Respond(x => x.List("natGatewaySet", page, (x, n) => Ec2Xml.NatGateway(x, n, r.Now)).Element("nextToken", next));
    }

    private static LocalAwsResponse DeleteNatGateway(Ec2Request r)
    {
        var id = r.P.Required("NatGatewayId");
        var nat = r.Find<NatGateway>(id) ?? throw new AwsErrorException("NatGatewayNotFound", $"The Nat Gateway {id} was not found");
        if (nat.StateAt(r.Now) != "deleting")
        {
            nat.DeleteTime = r.Now;
            nat.SetState("deleting", r.Now, new StateTransition(r.Now + r.Aws.Latency.Of(LatencyModel.NatGatewayDeleted), "deleted"));
        }
        return r.Respond(x => x.Element("natGatewayId", nat.Id));
    }
}
