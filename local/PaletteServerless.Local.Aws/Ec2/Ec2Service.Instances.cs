using System.Globalization;
using PaletteServerless.Local.Aws.Core;
using static PaletteServerless.Local.Aws.Ec2.Ec2Filters;

namespace PaletteServerless.Local.Aws.Ec2;

// Instances: launch and describe.
public sealed partial class Ec2Service
{
    private static LocalAwsResponse RunInstances(Ec2Request r)
    {
        var clientToken = r.P["ClientToken"];
        var reservationId = r.World.Idempotent("RunInstances", clientToken, r.P.Fingerprint("ClientToken", "Action", "Version"), r.Now,
            () => Launch(r, clientToken));
        var instances = r.World.All<Instance>().Where(i => i.ReservationId == reservationId).OrderBy(i => i.AmiLaunchIndex).ToList();
        return r.Respond(x => WriteReservation(x, r, reservationId, instances));
    }

    private static string Launch(Ec2Request r, string? clientToken)
    {
        var image = Ec2Catalog.FindImage(r.P.Required("ImageId"))
            ?? throw new AwsErrorException("InvalidAMIID.NotFound", $"The image id '[{r.P["ImageId"]}]' does not exist");
        var typeName = LaunchInstanceType(r);
        var type = Ec2Catalog.FindType(typeName)
            ?? throw new AwsErrorException("InvalidParameterValue", $"Invalid value '{typeName}' for InstanceType.");
        CheckUserData(r.P["UserData"]);
        var metadataOptions = MetadataOptionsForLaunch(r, image);
        var minCount = r.P.Int("MinCount") ?? throw new AwsErrorException("MissingParameter", "The request must contain the parameter MinCount");
        var maxCount = r.P.Int("MaxCount") ?? throw new AwsErrorException("MissingParameter", "The request must contain the parameter MaxCount");
        if (minCount < 1 || maxCount < minCount)
            throw new AwsErrorException("InvalidParameterValue", $"Invalid value '{minCount}' for MinCount. MinCount must be between 1 and MaxCount ({maxCount}).");
        if (r.P["KeyName"] is { } keyName && FindKeyPair(r.World, keyName) is null)
            throw new AwsErrorException("InvalidKeyPair.NotFound", $"The key pair '{keyName}' does not exist");
        var subnetId = LaunchSubnetId(r)
            ?? throw new AwsErrorException("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.");
        var subnet = r.Require<Subnet>(subnetId, "InvalidSubnetID.NotFound", "subnet");
        if (r.P["Placement.AvailabilityZone"] is { } zone && zone != subnet.AvailabilityZone)
            throw new AwsErrorException("InvalidParameterValue", $"Value ({zone}) for parameter availabilityZone is invalid. Subnet {subnet.Id} is in {subnet.AvailabilityZone}.");
        var groups = SecurityGroupsForLaunch(r, subnet, LaunchSecurityGroupIds(r));
        var instanceProfileArn = InstanceProfileForLaunch(r);
        r.CheckTagSpecificationTypes("instance", "volume", "network-interface");

        if (!Ec2Catalog.IsOffered(type, subnet.AvailabilityZone))
        {
            var offeredIn = Ec2Catalog.Zones(r.World.Region).Where(z => Ec2Catalog.IsOffered(type, z));
            throw new AwsErrorException("Unsupported",
                $"Your requested instance type ({type.Name}) is not supported in your requested Availability Zone ({subnet.AvailabilityZone}). Please retry your request by not specifying an Availability Zone or choosing {string.Join(", ", offeredIn)}.");
        }
        if (r.Aws.Faults.Strikes("RunInstances", FaultInjector.InsufficientInstanceCapacity))
        {
            throw new AwsErrorException("InsufficientInstanceCapacity",
                $"We currently do not have sufficient {type.Name} capacity in the Availability Zone you requested ({subnet.AvailabilityZone}). Our system will be working on provisioning additional capacity. You can currently get {type.Name} capacity by not specifying an Availability Zone in your request or choosing a different Availability Zone.",
                500);
        }

        var isSpot = IsSpotLaunch(r);
        if (isSpot && r.P["InstanceMarketOptions.SpotOptions.SpotInstanceType"] is { } spotType && spotType != "one-time")
        {
            // A persistent request's instance can be stopped, and is stopped or hibernated when interrupted: a life cycle not modelled here.
            throw spotType == "persistent"
                ? new AwsErrorException("UnsupportedOperation", "The local EC2 models one-time Spot Instance requests only, not persistent ones.")
                : new AwsErrorException("InvalidParameterValue", $"Value ({spotType}) for parameter SpotInstanceType is invalid. Valid values are: one-time, persistent.");
        }
        if (isSpot && r.P["InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior"] is { } behavior && behavior != "terminate")
        {
            // A one-time request's instance can only be terminated when interrupted (EC2 refuses stop or hibernate for it).
            throw behavior is "stop" or "hibernate"
                ? new AwsErrorException("InvalidParameterCombination", $"The request with type 'one-time' is not supported when instanceInterruptionBehavior is set to '{behavior}'.")
                : new AwsErrorException("InvalidParameterValue", $"Value ({behavior}) for parameter InstanceInterruptionBehavior is invalid. Valid values are: hibernate, stop, terminate.");
        }
        var count = maxCount;
        if (!isSpot)
        {
            count = Math.Min(maxCount, (r.Aws.Options.OnDemandVcpuQuota - OnDemandVcpusInUse(r)) / type.VCpus);
            if (count < minCount)
                throw VcpuLimitExceeded(r);
        }
        var freeAddresses = AvailableAddresses(r, subnet);
        if (freeAddresses < minCount)
            throw new AwsErrorException("InsufficientFreeAddressesInSubnet", $"There are not enough free addresses in subnet '{subnet.Id}' to satisfy the requested number of instances.");
        count = Math.Min(count, freeAddresses);

        // The resource bucket counts instances, beside the request bucket's one token a call (all asked, or refused).
        r.Aws.TakeResourceTokens(r.World.Account, r.World.Region, "RunInstances", count);
        var reservationId = Ec2Request.NewId("r");
        var publicIp = r.P.Bool("NetworkInterface.1.AssociatePublicIpAddress") ?? subnet.MapPublicIpOnLaunch;
        for (var index = 0; index < count; index++)
            LaunchOne(r, type, image, subnet, groups, reservationId, index, clientToken, isSpot, publicIp, instanceProfileArn, metadataOptions);
        return reservationId;
    }

    /// <summary>The user data limit of the EC2 user guide: 16 KB of raw data, counted before base64 encoding.</summary>
    public const int MaxUserDataBytes = 16384;

    /// <summary>
    /// Refuses user data EC2 would refuse: not base64 (the API takes it encoded), or more than
    /// <see cref="MaxUserDataBytes"/> once decoded, which fails a real launch however the local node model reads it.
    /// </summary>
    private static void CheckUserData(string? userData)
    {
        if (userData is null)
            return;
        var decoded = new byte[userData.Length];
        if (!Convert.TryFromBase64String(userData, decoded, out var length))
            throw new AwsErrorException("InvalidParameterValue", "Invalid BASE64 encoding of user data.");
        if (length > MaxUserDataBytes)
            throw new AwsErrorException("InvalidParameterValue", $"User data is limited to {MaxUserDataBytes} bytes");
    }

    /// <summary>
    /// The vCPUs the on-demand quota (L-1216C47A, running on-demand instances) counts: every live
    /// on-demand instance but a stopped one, which holds no vCPUs until it starts again.
    /// </summary>
    private static int OnDemandVcpusInUse(Ec2Request r) =>
        r.World.All<Instance>().Where(i => !i.IsSpot && i.IsLiveAt(r.Now) && i.StateAt(r.Now) != "stopped").Sum(i => i.VCpus);

    private static AwsErrorException VcpuLimitExceeded(Ec2Request r) => new("VcpuLimitExceeded",
        $"You have requested more vCPU capacity than your current vCPU limit of {r.Aws.Options.OnDemandVcpuQuota} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.");

    // What a launch asks for, read the same way by the launch and by its authorization map.
    private static string LaunchInstanceType(Ec2Request r) => r.P["InstanceType"] ?? "t3.micro";

    private static bool IsSpotLaunch(Ec2Request r) => r.P["InstanceMarketOptions.MarketType"] == "spot";

    private static string? LaunchSubnetId(Ec2Request r) => r.P["SubnetId"] ?? r.P["NetworkInterface.1.SubnetId"];

    private static List<string> LaunchSecurityGroupIds(Ec2Request r) =>
        [.. r.P.List("SecurityGroupId").Concat(r.P.Prefixed("NetworkInterface.1").List("SecurityGroupId"))];

    /// <summary>
    /// The ARN of the instance profile a launch names by <c>IamInstanceProfile.Name</c> or
    /// <c>.Arn</c> (not both, as EC2 requires), or null; a profile the account lacks is refused.
    /// </summary>
    private static string? InstanceProfileForLaunch(Ec2Request r)
    {
        var name = r.P["IamInstanceProfile.Name"];
        var arn = r.P["IamInstanceProfile.Arn"];
        if (name is null && arn is null)
            return null;
        if (name is not null && arn is not null)
            throw new AwsErrorException("InvalidParameterCombination", "The parameter 'iamInstanceProfile.name' may not be used in combination with 'iamInstanceProfile.arn'");
        if (LaunchInstanceProfileName(r) is not { } profileName)
        {
            throw name is not null
                ? new AwsErrorException("InvalidParameterValue", $"Value ({name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name")
                : new AwsErrorException("InvalidParameterValue", $"Value ({arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN");
        }
        return InstanceProfileArn(r, profileName);
    }

    /// <summary>The name of the account's instance profile a launch names (by name, else by ARN), or null when it names none the account has.</summary>
    private static string? LaunchInstanceProfileName(Ec2Request r)
    {
        var prefix = InstanceProfileArn(r, "");
        var arn = r.P["IamInstanceProfile.Arn"];
        var profileName = r.P["IamInstanceProfile.Name"]
            ?? (arn is not null && arn.StartsWith(prefix, StringComparison.Ordinal) ? arn[prefix.Length..].Split('/')[^1] : null);
        return profileName is not null && r.Aws.Options.InstanceProfiles.Contains(profileName) ? profileName : null;
    }

    private static string InstanceProfileArn(Ec2Request r, string name) => $"arn:aws:iam::{r.World.Account}:instance-profile/{name}";

    /// <summary>A VPC's default security group, which a launch naming no group gets.</summary>
    private static List<SecurityGroup> DefaultGroups(Ec2Request r, string vpcId) =>
        [.. r.World.All<SecurityGroup>().Where(g => g.VpcId == vpcId && g.IsDefault)];

    private static List<SecurityGroup> SecurityGroupsForLaunch(Ec2Request r, Subnet subnet, List<string> groupIds)
    {
        if (groupIds.Count == 0)
            return DefaultGroups(r, subnet.VpcId);
        var groups = new List<SecurityGroup>();
        foreach (var id in groupIds.Distinct())
        {
            var group = r.Find<SecurityGroup>(id) ?? throw new AwsErrorException("InvalidGroup.NotFound", $"The security group '{id}' does not exist");
            if (group.VpcId != subnet.VpcId)
                throw new AwsErrorException("InvalidParameter", $"Security group {group.Id} and subnet {subnet.Id} belong to different networks.");
            groups.Add(group);
        }
        return groups;
    }

    private static void LaunchOne(
        Ec2Request r, InstanceTypeInfo type, ImageInfo image, Subnet subnet, List<SecurityGroup> groups,
        string reservationId, int index, string? clientToken, bool isSpot, bool publicIp, string? instanceProfileArn,
        InstanceMetadataOptions metadataOptions)
    {
        var id = Ec2Request.NewId("i");
        var privateIp = Ec2Request.NextPrivateIp(r.World, subnet, r.Now)
            ?? throw new AwsErrorException("InsufficientFreeAddressesInSubnet", $"There are not enough free addresses in subnet '{subnet.Id}' to satisfy the requested number of instances.");
        var instance = new Instance
        {
            Id = id, Type = "ec2:instance", Arn = r.Arn("instance", id), ReservationId = reservationId, AmiLaunchIndex = index,
            ImageId = image.ImageId, InstanceType = type.Name, VCpus = type.VCpus, KeyName = r.P["KeyName"],
            VpcId = subnet.VpcId, SubnetId = subnet.Id, AvailabilityZone = subnet.AvailabilityZone, PrivateIpAddress = privateIp,
            PublicIpAddress = publicIp ? r.NewPublicIp() : null, AssignsPublicIp = publicIp,
            SecurityGroupIds = [.. groups.Select(g => g.Id)], ClientToken = clientToken, UserData = r.P["UserData"],
            IamInstanceProfileArn = instanceProfileArn,
            DisableApiTermination = r.P.Bool("DisableApiTermination") ?? false,
            DisableApiStop = r.P.Bool("DisableApiStop") ?? false,
            MetadataOptions = new InstanceMetadataOptions
            {
                HttpTokens = metadataOptions.HttpTokens, HttpPutResponseHopLimit = metadataOptions.HttpPutResponseHopLimit,
                HttpEndpoint = metadataOptions.HttpEndpoint, HttpProtocolIpv6 = metadataOptions.HttpProtocolIpv6,
                InstanceMetadataTags = metadataOptions.InstanceMetadataTags, AppliedAt = metadataOptions.AppliedAt,
            },
            IsSpot = isSpot, SpotMaxPrice = isSpot ? r.P["InstanceMarketOptions.SpotOptions.MaxPrice"] : null,
            SpotInstanceRequestId = isSpot ? Ec2Request.NewId("sir") : null,
            Tags = r.TagsFor("instance"),
        };
        r.World.Add(instance, r.Now);
        ChangeInstanceState(r.Aws, instance, "pending", r.Now, new StateTransition(r.Now + r.Aws.Latency.Of(LatencyModel.InstanceRunning), "running"));

        var eni = AddNetworkInterface(r, subnet, privateIp, "", "interface", instance.SecurityGroupIds, ownerId: id, requesterManaged: false);
        eni.AttachedInstanceId = id;
        eni.AttachmentId = Ec2Request.NewId("eni-attach");
        eni.Tags = r.TagsFor("network-interface");
        instance.NetworkInterfaceId = eni.Id;

        var mappings = r.P.Structures("BlockDeviceMapping");
        var devices = mappings.Count > 0
            ? mappings.Where(m => m["NoDevice"] is null).Select(m => (
                Name: m["DeviceName"] ?? "/dev/sda1",
                Size: m.Int("Ebs.VolumeSize") ?? 8,
                VolumeType: m["Ebs.VolumeType"] ?? "gp3",
                DeleteOnTermination: m.Bool("Ebs.DeleteOnTermination") ?? true,
                Encrypted: m.Bool("Ebs.Encrypted") ?? false)).ToList()
            : [("/dev/sda1", 8, "gp3", true, false)];
        foreach (var device in devices)
        {
            var volumeId = Ec2Request.NewId("vol");
            var volume = new Volume
            {
                Id = volumeId, Type = "ec2:volume", Arn = r.Arn("volume", volumeId), SizeGiB = device.Size, VolumeType = device.VolumeType,
                AvailabilityZone = subnet.AvailabilityZone, Encrypted = device.Encrypted, AttachedInstanceId = id, Device = device.Name,
                DeleteOnTermination = device.DeleteOnTermination, OwnerId = device.DeleteOnTermination ? id : null,
                Tags = r.TagsFor("volume"),
            };
            volume.SetState("in-use", r.Now);
            r.World.Add(volume, r.Now);
            instance.Volumes.Add(new InstanceVolume { DeviceName = device.Name, VolumeId = volumeId, DeleteOnTermination = device.DeleteOnTermination });
        }
    }

    private static void WriteReservation(XmlBuilder x, Ec2Request r, string reservationId, IReadOnlyList<Instance> instances) => x
        .Element("reservationId", reservationId)
        .Element("ownerId", r.World.Account)
        .Open("groupSet").Close()
        .List("instancesSet", instances, (x, i) => WriteInstance(x, r, i));

    private static void WriteInstance(XmlBuilder x, Ec2Request r, Instance instance)
    {
        var state = instance.StateAt(r.Now);
        var gone = state == "terminated";
        var groups = instance.SecurityGroupIds.Select(id => r.World.Find<SecurityGroup>(id)).OfType<SecurityGroup>().ToList();
        var dnsSuffix = r.World.Region == "us-east-1" ? "ec2.internal" : $"{r.World.Region}.compute.internal";
        var eni = r.World.Find<NetworkInterface>(instance.NetworkInterfaceId);
        // A stopped instance keeps only an Elastic IP (its own public address is released at stop); one shutting down has none.
        var publicIp = state is "pending" or "running" or "stopping" or "stopped" ? instance.PublicIpAddress : null;
        x.Element("instanceId", instance.Id)
            .Element("imageId", instance.ImageId)
            .Call(Ec2Xml.InstanceState, ("instanceState", state))
            .Element("privateDnsName", gone ? "" : $"ip-{instance.PrivateIpAddress.Replace('.', '-')}.{dnsSuffix}")
            .Element("dnsName", "")
            .Element("reason", state is "terminated" or "shutting-down" or "stopping" or "stopped" ? $"User initiated ({instance.StateSince(r.Now).UtcDateTime:yyyy-MM-dd HH:mm:ss} GMT)" : "")
            .Element("keyName", instance.KeyName)
            .Element("amiLaunchIndex", instance.AmiLaunchIndex)
            .Open("productCodes").Close()
            .Element("instanceType", instance.InstanceType)
            .Element("launchTime", instance.CreatedAt)
            .Open("placement").Element("availabilityZone", instance.AvailabilityZone).Element("groupName", "").Element("tenancy", "default").Close()
            .Open("monitoring").Element("state", "disabled").Close()
            .Element("subnetId", gone ? null : instance.SubnetId)
            .Element("vpcId", gone ? null : instance.VpcId)
            .Element("privateIpAddress", gone ? null : instance.PrivateIpAddress)
            .Element("ipAddress", publicIp)
            .Element("sourceDestCheck", true)
            .Call(Ec2Xml.GroupIdentifiers, ("groupSet", gone ? [] : groups.AsEnumerable()));
        if (instance.IamInstanceProfileArn is { } profileArn && !gone)
            x.Open("iamInstanceProfile").Element("arn", profileArn).Element("id", InstanceProfileId(profileArn)).Close();
        var reason = instance.StateReasonCode
            ?? (instance.InterruptedAt is not null && state is "shutting-down" or "terminated" ? "Server.SpotInstanceTermination" : null);
        if (reason is not null)
            x.Open("stateReason").Element("code", reason).Element("message", reason + ": " + StateReasonMessage(reason)).Close();
        x.Element("architecture", Ec2Catalog.FindImage(instance.ImageId)?.Architecture ?? "x86_64")
            .Element("rootDeviceType", "ebs")
            .Element("rootDeviceName", "/dev/sda1")
            .List("blockDeviceMapping", gone ? [] : instance.Volumes, (x, v) => x
                .Element("deviceName", v.DeviceName)
                .Open("ebs")
                .Element("volumeId", v.VolumeId)
                .Element("status", "attached")
                .Element("attachTime", instance.CreatedAt)
                .Element("deleteOnTermination", v.DeleteOnTermination)
                .Close())
            .Element("instanceLifecycle", instance.IsSpot ? "spot" : null)
            .Element("spotInstanceRequestId", instance.SpotInstanceRequestId)
            .Element("virtualizationType", "hvm")
            .Element("clientToken", instance.ClientToken ?? "")
            .Call(Ec2Xml.Tags, instance.Tags)
            .Element("hypervisor", "xen")
            .List("networkInterfaceSet", eni is null || gone ? [] : new[] { eni }, (x, n) => x
                .Element("networkInterfaceId", n.Id)
                .Element("subnetId", n.SubnetId)
                .Element("vpcId", n.VpcId)
                .Element("description", n.Description)
                .Element("ownerId", n.Account)
                .Element("status", "in-use")
                .Element("macAddress", n.MacAddress)
                .Element("privateIpAddress", n.PrivateIpAddress)
                .Element("sourceDestCheck", true)
                .Call(Ec2Xml.GroupIdentifiers, ("groupSet", groups.AsEnumerable()))
                .Open("attachment")
                .Element("attachmentId", n.AttachmentId)
                .Element("deviceIndex", 0)
                .Element("status", "attached")
                .Element("attachTime", instance.CreatedAt)
                .Element("deleteOnTermination", true)
                .Element("networkCardIndex", 0)
                .Close()
                .Call(WritePublicAssociation, publicIp)
                .List("privateIpAddressesSet", [n], (x, p) => x
                    .Element("privateIpAddress", p.PrivateIpAddress)
                    .Element("primary", true)
                    .Call(WritePublicAssociation, publicIp))
                .Element("interfaceType", "interface"))
            .Call(WriteMetadataOptions, ("metadataOptions", instance.MetadataOptions, r.Now))
            .Element("ebsOptimized", false)
            .Element("enaSupport", true)
            .Open("cpuOptions")
            .Element("coreCount", Ec2Catalog.FindType(instance.InstanceType)?.DefaultCores)
            .Element("threadsPerCore", Ec2Catalog.FindType(instance.InstanceType)?.ThreadsPerCore)
            .Close();
    }

    private static void WritePublicAssociation(XmlBuilder x, string? publicIp)
    {
        if (publicIp is not null)
            x.Open("association").Element("publicIp", publicIp).Element("ipOwnerId", "amazon").Close();
    }

    private static LocalAwsResponse DescribeInstances(Ec2Request r)
    {
        if (r.P.Has("MaxResults") && r.P.List("InstanceId").Count > 0)
            throw new AwsErrorException("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
        var instances = r.Select("InstanceId", "InvalidInstanceID.NotFound", "instance", new Ec2FilterSet<Instance>
        {
            ["instance-id"] = i => [i.Id],
            ["instance-state-name"] = i => [i.StateAt(r.Now)],
            ["instance-state-code"] = i => [Text(Ec2Xml.InstanceStateCode(i.StateAt(r.Now)))],
            ["instance-type"] = i => [i.InstanceType],
            ["subnet-id"] = i => [i.SubnetId],
            ["vpc-id"] = i => [i.VpcId],
            ["image-id"] = i => [i.ImageId],
            ["key-name"] = i => [i.KeyName],
            ["private-ip-address"] = i => [i.PrivateIpAddress],
            ["ip-address"] = i => [i.PublicIpAddress],
            ["availability-zone"] = i => [i.AvailabilityZone],
            ["reservation-id"] = i => [i.ReservationId],
            ["client-token"] = i => [i.ClientToken],
            ["instance-lifecycle"] = i => [i.IsSpot ? "spot" : null],
            ["network-interface.network-interface-id"] = i => [i.NetworkInterfaceId],
            ["instance.group-id"] = i => [.. i.SecurityGroupIds],
            ["group-id"] = i => [.. i.SecurityGroupIds],
            ["metadata-options.http-tokens"] = i => [i.MetadataOptions.HttpTokens],
            ["metadata-options.http-put-response-hop-limit"] = i => [Text(i.MetadataOptions.HttpPutResponseHopLimit)],
            ["metadata-options.http-endpoint"] = i => [i.MetadataOptions.HttpEndpoint],
            ["metadata-options.http-protocol-ipv6"] = i => [i.MetadataOptions.HttpProtocolIpv6],
            ["metadata-options.instance-metadata-tags"] = i => [i.MetadataOptions.InstanceMetadataTags],
        });
        var (page, next) = Page(instances, r.P);
        return r.Respond(x => x
            .List("reservationSet", page.GroupBy(i => i.ReservationId), (x, reservation) => WriteReservation(x, r, reservation.Key, [.. reservation]))
            .Element("nextToken", next));
    }

    // EC2 answers an instance profile's IAM id (AIPA...); the local one is derived from its ARN, stable across calls.
    private static string InstanceProfileId(string arn) =>
        "AIPA" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(arn)))[..17];
}
