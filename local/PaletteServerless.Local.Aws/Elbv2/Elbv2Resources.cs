using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Elbv2;

/// <summary>An ELBv2 load balancer; its id is its ARN, as ELBv2 names everything by ARN.</summary>
public sealed class ElbLoadBalancer : AwsResource
{
    public const string ResourceType = "elasticloadbalancing:loadbalancer";

    public string Name { get; set; } = "";

    /// <summary>network or application.</summary>
    public string LoadBalancerType { get; set; } = "";

    public string Scheme { get; set; } = "";
    public string VpcId { get; set; } = "";
    public string DnsName { get; set; } = "";
    public string CanonicalHostedZoneId { get; set; } = "";
    public List<ElbZone> Zones { get; set; } = [];
    public List<string> SecurityGroups { get; set; } = [];
    public List<string> NetworkInterfaceIds { get; set; } = [];

    /// <summary>net or app: the kind segment of the ARN and of the ENI description.</summary>
    public string ArnKind => ArnKindOf(LoadBalancerType);

    public static string ArnKindOf(string loadBalancerType) => loadBalancerType == "network" ? "net" : "app";
}

public sealed record ElbZone(string ZoneName, string SubnetId);

public sealed class ElbTargetGroup : AwsResource
{
    public const string ResourceType = "elasticloadbalancing:targetgroup";

    public string Name { get; set; } = "";
    public string Protocol { get; set; } = "";
    public int? Port { get; set; }
    public string? VpcId { get; set; }
    public string TargetType { get; set; } = "instance";
    public bool HealthCheckEnabled { get; set; } = true;
    public string HealthCheckProtocol { get; set; } = "";
    public string HealthCheckPort { get; set; } = "traffic-port";
    public string? HealthCheckPath { get; set; }
    public int HealthCheckIntervalSeconds { get; set; }
    public int HealthCheckTimeoutSeconds { get; set; }
    public int HealthyThresholdCount { get; set; }
    public int UnhealthyThresholdCount { get; set; }
    public string? MatcherHttpCode { get; set; }
    public List<ElbTargetRegistration> Registrations { get; set; } = [];
}

/// <summary>A registered target; a deregistered one drains until <see cref="DrainedAt"/>.</summary>
public sealed record ElbTargetRegistration(string Id, int Port, DateTimeOffset RegisteredAt, DateTimeOffset? DrainedAt = null);

public sealed class ElbListener : AwsResource
{
    public const string ResourceType = "elasticloadbalancing:listener";

    public string LoadBalancerArn { get; set; } = "";
    public string Protocol { get; set; } = "";
    public int Port { get; set; }
    public string TargetGroupArn { get; set; } = "";
}
