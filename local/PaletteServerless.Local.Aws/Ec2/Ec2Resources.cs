using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ec2;

// The EC2 resources of the local AWS. Fields are public and settable so the store can persist them;
// states that change with time live in AwsResource's transitions.

public sealed class Vpc : AwsResource
{
    public string CidrBlock { get; set; } = "";
    public string DhcpOptionsId { get; set; } = "";
}

public sealed class Subnet : AwsResource
{
    public string VpcId { get; set; } = "";
    public string CidrBlock { get; set; } = "";
    public string AvailabilityZone { get; set; } = "";
    public string AvailabilityZoneId { get; set; } = "";
    public bool MapPublicIpOnLaunch { get; set; }

    /// <summary>Where the search for the next free address starts; AWS reserves the first four addresses of a subnet.</summary>
    public int NextHostOffset { get; set; } = 4;
}

public sealed class InternetGateway : AwsResource
{
    public string? AttachedVpcId { get; set; }
}

public sealed class ElasticIp : AwsResource
{
    public string PublicIp { get; set; } = "";
    public string? AssociationId { get; set; }
    public string? NetworkInterfaceId { get; set; }
    public string? InstanceId { get; set; }
    public string? PrivateIpAddress { get; set; }
}

public sealed class NatGateway : AwsResource
{
    public string VpcId { get; set; } = "";
    public string SubnetId { get; set; } = "";
    public string ConnectivityType { get; set; } = "public";
    public string? AllocationId { get; set; }
    public string? PublicIp { get; set; }
    public string NetworkInterfaceId { get; set; } = "";
    public string PrivateIp { get; set; } = "";
    public string? FailureCode { get; set; }
    public string? FailureMessage { get; set; }
    public DateTimeOffset? DeleteTime { get; set; }
}

public sealed class Route
{
    public string DestinationCidrBlock { get; set; } = "";
    public string? GatewayId { get; set; }
    public string? NatGatewayId { get; set; }
    public string? InstanceId { get; set; }
    public string? NetworkInterfaceId { get; set; }
    public string Origin { get; set; } = "CreateRoute";
}

public sealed class RouteTableAssociation
{
    public string Id { get; set; } = "";
    public string? SubnetId { get; set; }
    public bool Main { get; set; }
}

public sealed class RouteTable : AwsResource
{
    public string VpcId { get; set; } = "";
    public List<Route> Routes { get; set; } = [];
    public List<RouteTableAssociation> Associations { get; set; } = [];
    public bool IsMain => Associations.Any(a => a.Main);
}

public sealed class SecurityGroupRule
{
    public string Id { get; set; } = "";
    public string Protocol { get; set; } = "-1";
    public int? FromPort { get; set; }
    public int? ToPort { get; set; }
    public string? CidrIpv4 { get; set; }
    public string? ReferencedGroupId { get; set; }
    public string? Description { get; set; }

    /// <summary>Two rules are the same permission when all but id and description agree (AWS's duplicate test).</summary>
    public bool SamePermission(SecurityGroupRule other) =>
        Protocol == other.Protocol && FromPort == other.FromPort && ToPort == other.ToPort
        && CidrIpv4 == other.CidrIpv4 && ReferencedGroupId == other.ReferencedGroupId;
}

public sealed class SecurityGroup : AwsResource
{
    public string VpcId { get; set; } = "";
    public string GroupName { get; set; } = "";
    public string Description { get; set; } = "";
    public List<SecurityGroupRule> Ingress { get; set; } = [];
    public List<SecurityGroupRule> Egress { get; set; } = [];
    public bool IsDefault => GroupName == "default";
}

public sealed class InstanceVolume
{
    public string DeviceName { get; set; } = "";
    public string VolumeId { get; set; } = "";
    public bool DeleteOnTermination { get; set; } = true;
}

public sealed class Instance : AwsResource
{
    public string ReservationId { get; set; } = "";
    public int AmiLaunchIndex { get; set; }
    public string ImageId { get; set; } = "";
    public string InstanceType { get; set; } = "";
    public int VCpus { get; set; }
    public string? KeyName { get; set; }
    public string VpcId { get; set; } = "";
    public string SubnetId { get; set; } = "";
    public string AvailabilityZone { get; set; } = "";
    public string PrivateIpAddress { get; set; } = "";
    public string? PublicIpAddress { get; set; }
    public string NetworkInterfaceId { get; set; } = "";
    public List<string> SecurityGroupIds { get; set; } = [];
    public List<InstanceVolume> Volumes { get; set; } = [];
    public string? ClientToken { get; set; }
    public string? UserData { get; set; }
    /// <summary>The instance profile it was launched with (its role's credentials are what the node's AWS calls use).</summary>
    public string? IamInstanceProfileArn { get; set; }

    /// <summary>Set at launch; while true, TerminateInstances refuses the instance.</summary>
    public bool DisableApiTermination { get; set; }

    /// <summary>Set at launch; while true, StopInstances refuses the instance.</summary>
    public bool DisableApiStop { get; set; }

    /// <summary>
    /// Whether the primary interface was launched with a public IPv4 address (AssociatePublicIpAddress
    /// or the subnet's MapPublicIpOnLaunch): EC2 releases that address when the instance stops and
    /// assigns a new one when it starts.
    /// </summary>
    public bool AssignsPublicIp { get; set; }

    /// <summary>The instance metadata service options, as launched or last modified.</summary>
    public InstanceMetadataOptions MetadataOptions { get; set; } = new();
    public bool IsSpot { get; set; }
    public string? SpotMaxPrice { get; set; }
    public string? SpotInstanceRequestId { get; set; }
    public string? StateReasonCode { get; set; }

    /// <summary>How many of <see cref="AwsResource.Transitions"/> have been announced as state-change events.</summary>
    public int AnnouncedTransitions { get; set; }

    /// <summary>When EC2 sent the spot interruption warning; termination follows two modelled minutes later.</summary>
    public DateTimeOffset? InterruptedAt { get; set; }

    /// <summary>Since when the instance status check (the instance's own reachability) fails; null while it passes.</summary>
    public DateTimeOffset? InstanceStatusImpairedSince { get; set; }

    /// <summary>Since when the system status check (the AWS systems the instance runs on) fails; null while it passes.</summary>
    public DateTimeOffset? SystemStatusImpairedSince { get; set; }

    /// <summary>The modelled node agent's view, once the node has booted and read its user data (<see cref="NodeAgent"/>).</summary>
    public NodeAgentState? Agent { get; set; }
}

/// <summary>
/// An instance's instance metadata service (IMDS) options, the members of the EC2 model's
/// InstanceMetadataOptionsResponse. The defaults are EC2's for an image without ImdsSupport v2.0.
/// </summary>
public sealed class InstanceMetadataOptions
{
    /// <summary><c>optional</c> (IMDSv1 or IMDSv2) or <c>required</c> (IMDSv2 only).</summary>
    public string HttpTokens { get; set; } = "optional";

    /// <summary>How many network hops the IMDSv2 token's PUT response travels (1-64): 1 stops it at a pod's extra hop.</summary>
    public int HttpPutResponseHopLimit { get; set; } = 1;

    /// <summary><c>enabled</c> or <c>disabled</c>: whether the instance can reach IMDS at all.</summary>
    public string HttpEndpoint { get; set; } = "enabled";
    public string HttpProtocolIpv6 { get; set; } = "disabled";
    public string InstanceMetadataTags { get; set; } = "disabled";

    /// <summary>When the last launch or change takes effect: the options' state is <c>pending</c> before, <c>applied</c> from then on.</summary>
    public DateTimeOffset AppliedAt { get; set; }

    public string StateAt(DateTimeOffset now) => now >= AppliedAt ? "applied" : "pending";
}

public sealed class NetworkInterface : AwsResource
{
    public string SubnetId { get; set; } = "";
    public string VpcId { get; set; } = "";
    public string AvailabilityZone { get; set; } = "";
    public string PrivateIpAddress { get; set; } = "";

    [System.Text.Json.Serialization.JsonIgnore]
    public long PrivateAddressNumber => Ec2Request.ToNumber(System.Net.IPAddress.Parse(PrivateIpAddress));

    public string MacAddress { get; set; } = "";
    public string Description { get; set; } = "";
    public string InterfaceType { get; set; } = "interface";
    public List<string> SecurityGroupIds { get; set; } = [];
    public string? AttachedInstanceId { get; set; }
    public string? AttachmentId { get; set; }

    /// <summary>Interfaces AWS creates for its own services (NAT gateways, load balancers) cannot be deleted by users.</summary>
    public bool RequesterManaged { get; set; }
    public string? RequesterId { get; set; }
}

public sealed class Volume : AwsResource
{
    public int SizeGiB { get; set; }
    public string VolumeType { get; set; } = "gp3";
    public string AvailabilityZone { get; set; } = "";
    public bool Encrypted { get; set; }
    public string? AttachedInstanceId { get; set; }
    public string? Device { get; set; }
    public bool DeleteOnTermination { get; set; }
}

public sealed class KeyPair : AwsResource
{
    public string KeyName { get; set; } = "";
    public string KeyType { get; set; } = "rsa";
    public string Fingerprint { get; set; } = "";
    public string? PublicKey { get; set; }
}
