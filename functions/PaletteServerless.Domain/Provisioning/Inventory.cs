namespace PaletteServerless.Domain.Provisioning;

/// <summary>The kinds of resource the product creates, in the Tagging API's spelling.</summary>
public static class ResourceKinds
{
    public const string Vpc = "ec2:vpc";
    public const string Subnet = "ec2:subnet";
    public const string InternetGateway = "ec2:internet-gateway";
    public const string ElasticIp = "ec2:elastic-ip";
    public const string NatGateway = "ec2:natgateway";
    public const string RouteTable = "ec2:route-table";
    public const string SecurityGroup = "ec2:security-group";
    public const string Instance = "ec2:instance";
    public const string Volume = "ec2:volume";
    public const string NetworkInterface = "ec2:network-interface";
    public const string LoadBalancer = "elasticloadbalancing:loadbalancer";
    public const string TargetGroup = "elasticloadbalancing:targetgroup";
    public const string Listener = "elasticloadbalancing:listener";
    /// <summary>An SSM parameter holding one of the cluster's secrets; its id is the parameter's name.</summary>
    public const string SecretParameter = "ssm:parameter";
    /// <summary>The cluster's backup bucket (settings.backup with no location); its id is the bucket's name.</summary>
    public const string Bucket = "s3:bucket";
    /// <summary>
    /// Not a resource: a batch of nodes asked of RunInstances, recorded with its ClientToken before the call and
    /// forgotten once its instances are recorded; its id is the ClientToken.
    /// </summary>
    public const string LaunchRequest = "launch-request";
}

/// <summary>The attributes an instance's inventory item records about its node (<see cref="InventoryItem.Attributes"/>).</summary>
public static class NodeAttributes
{
    /// <summary>The node pool the instance was launched for.</summary>
    public const string Pool = "pool";

    /// <summary>Its pool's role: control-plane or worker (<see cref="Clusters.NodePoolRoles"/>).</summary>
    public const string Role = "role";
}

/// <summary>
/// One resource the product created for a cluster, recorded the moment its create call returned,
/// before anything could orphan it. <see cref="Role"/> tells its purpose (public, private, nat, ...).
/// </summary>
public sealed record InventoryItem
{
    public required string Kind { get; init; }
    public required string Id { get; init; }
    public string? Role { get; init; }
    public string? AvailabilityZone { get; init; }
    public string? Name { get; init; }
    /// <summary>Other ids the delete needs (route table association ids, the EIP of a NAT gateway, ...).</summary>
    public Dictionary<string, string>? Attributes { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
}
