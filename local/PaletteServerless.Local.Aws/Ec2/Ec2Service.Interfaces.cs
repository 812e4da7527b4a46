using PaletteServerless.Local.Aws.Core;
using static PaletteServerless.Local.Aws.Ec2.Ec2Filters;

namespace PaletteServerless.Local.Aws.Ec2;

// Network interfaces and volumes, and what EC2 offers the other local services (IEc2Network).
public sealed partial class Ec2Service
{
    /// <summary>Places a network interface in a subnet; <paramref name="ownerId"/> makes it live and die with its owner.</summary>
    private static NetworkInterface AddNetworkInterface(
        Ec2Request r, Subnet subnet, string privateIp, string description, string interfaceType,
        IEnumerable<string> securityGroupIds, string? ownerId, bool requesterManaged) =>
        AddNetworkInterface(r.World, r.Now, subnet, privateIp, description, interfaceType, securityGroupIds, ownerId, requesterManaged);

    private static NetworkInterface AddNetworkInterface(
        AwsWorld world, DateTimeOffset now, Subnet subnet, string privateIp, string description, string interfaceType,
        IEnumerable<string> securityGroupIds, string? ownerId, bool requesterManaged)
    {
        var id = Ec2Request.NewId("eni");
        var eni = new NetworkInterface
        {
            Id = id, Type = "ec2:network-interface", Arn = $"arn:aws:ec2:{world.Region}:{world.Account}:network-interface/{id}",
            SubnetId = subnet.Id, VpcId = subnet.VpcId, AvailabilityZone = subnet.AvailabilityZone, PrivateIpAddress = privateIp,
            MacAddress = Ec2Request.NewMacAddress(), Description = description, InterfaceType = interfaceType,
            SecurityGroupIds = [.. securityGroupIds], OwnerId = ownerId, RequesterManaged = requesterManaged,
            RequesterId = requesterManaged ? "amazon-aws" : null,
        };
        eni.SetState("in-use", now);
        return world.Add(eni, now);
    }

    private static LocalAwsResponse DescribeNetworkInterfaces(Ec2Request r)
    {
        var interfaces = r.Select("NetworkInterfaceId", "InvalidNetworkInterfaceID.NotFound", "networkInterface", new Ec2FilterSet<NetworkInterface>
        {
            ["network-interface-id"] = n => [n.Id],
            ["subnet-id"] = n => [n.SubnetId],
            ["vpc-id"] = n => [n.VpcId],
            ["status"] = n => [InterfaceStatus(n)],
            ["description"] = n => [n.Description],
            ["interface-type"] = n => [n.InterfaceType],
            ["requester-managed"] = n => [Text(n.RequesterManaged)],
            ["requester-id"] = n => [n.RequesterId],
            ["attachment.instance-id"] = n => [n.AttachedInstanceId],
            ["group-id"] = n => [.. n.SecurityGroupIds],
            ["private-ip-address"] = n => [n.PrivateIpAddress],
            ["addresses.private-ip-address"] = n => [n.PrivateIpAddress],
            ["availability-zone"] = n => [n.AvailabilityZone],
            ["association.public-ip"] = n => [PublicIpOf(r, n)],
            ["mac-address"] = n => [n.MacAddress],
        }).Where(n => n.IsLiveAt(r.Now)).ToList();
        var (page, next) = Page(interfaces, r.P);
        return r.Respond(x => x
            .List("networkInterfaceSet", page, (x, n) => WriteNetworkInterface(x, r, n))
            .Element("nextToken", next));
    }

    private static string InterfaceStatus(NetworkInterface eni) =>
        eni.AttachedInstanceId is not null || eni.RequesterManaged ? "in-use" : "available";

    private static string? PublicIpOf(Ec2Request r, NetworkInterface eni) =>
        r.World.All<ElasticIp>().FirstOrDefault(a => a.NetworkInterfaceId == eni.Id)?.PublicIp
        ?? (eni.AttachedInstanceId is { } id ? r.World.Find<Instance>(id)?.PublicIpAddress : null);

    private static void WriteNetworkInterface(XmlBuilder x, Ec2Request r, NetworkInterface n)
    {
        var groups = n.SecurityGroupIds.Select(id => r.World.Find<SecurityGroup>(id)).OfType<SecurityGroup>();
        var address = r.World.All<ElasticIp>().FirstOrDefault(a => a.NetworkInterfaceId == n.Id);
        var publicIp = PublicIpOf(r, n);
        void WriteAssociation(XmlBuilder x)
        {
            if (publicIp is null)
                return;
            x.Open("association")
                .Element("publicIp", publicIp)
                .Element("ipOwnerId", address is null ? "amazon" : n.Account)
                .Element("allocationId", address?.Id)
                .Element("associationId", address?.AssociationId)
                .Close();
        }

        x.Element("networkInterfaceId", n.Id)
            .Element("subnetId", n.SubnetId)
            .Element("vpcId", n.VpcId)
            .Element("availabilityZone", n.AvailabilityZone)
            .Element("description", n.Description)
            .Element("ownerId", n.Account)
            .Element("requesterId", n.RequesterId)
            .Element("requesterManaged", n.RequesterManaged)
            .Element("status", InterfaceStatus(n))
            .Element("macAddress", n.MacAddress)
            .Element("privateIpAddress", n.PrivateIpAddress)
            .Element("sourceDestCheck", true)
            .Element("interfaceType", n.InterfaceType)
            .Call(Ec2Xml.GroupIdentifiers, ("groupSet", groups));
        if (n.AttachedInstanceId is not null)
        {
            x.Open("attachment")
                .Element("attachmentId", n.AttachmentId)
                .Element("instanceId", n.AttachedInstanceId)
                .Element("instanceOwnerId", n.Account)
                .Element("deviceIndex", 0)
                .Element("status", "attached")
                .Element("attachTime", n.CreatedAt)
                .Element("deleteOnTermination", true)
                .Close();
        }
        WriteAssociation(x);
        x.Call(Ec2Xml.Tags, n.Tags)
            .List("privateIpAddressesSet", [n], (x, p) =>
            {
                x.Element("privateIpAddress", p.PrivateIpAddress).Element("primary", true);
                WriteAssociation(x);
            });
    }

    private static LocalAwsResponse DeleteNetworkInterface(Ec2Request r)
    {
        var eni = r.Require<NetworkInterface>(r.P["NetworkInterfaceId"], "InvalidNetworkInterfaceID.NotFound", "networkInterface");
        if (eni.AttachedInstanceId is not null || eni.RequesterManaged)
            throw new AwsErrorException("InvalidNetworkInterface.InUse", $"The network interface '{eni.Id}' is currently in use.");
        r.World.Remove(eni.Id);
        return r.RespondTrue();
    }

    private static LocalAwsResponse DescribeVolumes(Ec2Request r)
    {
        var volumes = r.Select("VolumeId", "InvalidVolume.NotFound", "volume", new Ec2FilterSet<Volume>
        {
            ["volume-id"] = v => [v.Id],
            ["status"] = v => [v.StateAt(r.Now)],
            ["attachment.instance-id"] = v => [v.AttachedInstanceId],
            ["attachment.delete-on-termination"] = v => [Text(v.DeleteOnTermination)],
            ["attachment.device"] = v => [v.Device],
            ["attachment.status"] = v => [v.AttachedInstanceId is null ? null : "attached"],
            ["availability-zone"] = v => [v.AvailabilityZone],
            ["size"] = v => [Text(v.SizeGiB)],
            ["volume-type"] = v => [v.VolumeType],
            ["encrypted"] = v => [Text(v.Encrypted)],
        });
        var (page, next) = Page(volumes, r.P);
        return r.Respond(x => x.List("volumeSet", page, (x, v) => Ec2Xml.Volume(x, v, r.Now)).Element("nextToken", next));
    }

    private static LocalAwsResponse DeleteVolume(Ec2Request r)
    {
        var volume = r.Require<Volume>(r.P["VolumeId"], "InvalidVolume.NotFound", "volume");
        if (volume.AttachedInstanceId is { } instanceId)
            throw new AwsErrorException("VolumeInUse", $"Volume {volume.Id} is currently attached to {instanceId}");
        r.World.Remove(volume.Id);
        return r.RespondTrue();
    }

    SubnetView? IEc2Network.FindSubnet(AwsWorld world, string subnetId)
    {
        lock (world.Sync)
        {
            return world.Find<Subnet>(subnetId) is { } subnet
                ? new SubnetView(subnet.Id, subnet.VpcId, subnet.AvailabilityZone, subnet.CidrBlock)
                : null;
        }
    }

    bool IEc2Network.SecurityGroupExists(AwsWorld world, string groupId)
    {
        lock (world.Sync)
            return world.Find<SecurityGroup>(groupId) is not null;
    }

    InstanceView? IEc2Network.FindInstance(AwsWorld world, string instanceId, DateTimeOffset now)
    {
        lock (world.Sync)
        {
            if (world.Find<Instance>(instanceId) is not { } instance)
                return null;
            var state = instance.StateAt(now);
            return new InstanceView(instance.Id, instance.VpcId, instance.SubnetId, instance.PrivateIpAddress, state,
                state == "running" ? instance.StateSince(now) : null);
        }
    }

    IReadOnlyList<string> IEc2Network.CreateNetworkInterfaces(
        AwsWorld world, string ownerId, string description, string? interfaceType,
        IReadOnlyList<string> subnetIds, IReadOnlyList<string> securityGroupIds, DateTimeOffset now)
    {
        lock (world.Sync)
        {
            var subnets = subnetIds.Select(id => world.Find<Subnet>(id) ?? throw Ec2Request.NotFound("InvalidSubnetID.NotFound", "subnet", id)).ToList();
            foreach (var groupId in securityGroupIds.Where(id => world.Find<SecurityGroup>(id) is null))
                throw new AwsErrorException("InvalidGroup.NotFound", $"The security group '{groupId}' does not exist");
            var ids = new List<string>();
            foreach (var subnet in subnets)
            {
                var privateIp = Ec2Request.NextPrivateIp(world, subnet, now)
                    ?? throw new AwsErrorException("InsufficientFreeAddressesInSubnet", $"There are not enough free addresses in subnet '{subnet.Id}'.");
                ids.Add(AddNetworkInterface(world, now, subnet, privateIp, description, interfaceType ?? "interface", securityGroupIds, ownerId, requesterManaged: true).Id);
            }
            return ids;
        }
    }

    void IEc2Network.DeleteNetworkInterfaces(AwsWorld world, string ownerId)
    {
        lock (world.Sync)
        {
            foreach (var eni in world.All<NetworkInterface>().Where(n => n.OwnerId == ownerId).ToList())
                world.Remove(eni.Id);
        }
    }
}
