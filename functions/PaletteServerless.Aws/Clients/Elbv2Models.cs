namespace PaletteServerless.Aws.Clients;

/// <summary>CreateLoadBalancer input. <see cref="Type"/>: network or application; <see cref="Scheme"/>: internet-facing or internal.</summary>
public sealed record CreateLoadBalancerRequest
{
    public required string Name { get; init; }

    public string Type { get; init; } = "network";

    public string Scheme { get; init; } = "internet-facing";

    public required IReadOnlyList<string> Subnets { get; init; }

    public IReadOnlyList<string>? SecurityGroups { get; init; }

    public IReadOnlyList<ResourceTag>? Tags { get; init; }
}

public sealed record LoadBalancerAvailabilityZone(string ZoneName, string SubnetId);

/// <summary>A load balancer; <see cref="State"/> is provisioning, active, active_impaired or failed.</summary>
public sealed record LoadBalancer
{
    public required string LoadBalancerArn { get; init; }

    public required string LoadBalancerName { get; init; }

    public string? DnsName { get; init; }

    public string? CanonicalHostedZoneId { get; init; }

    public DateTimeOffset? CreatedTime { get; init; }

    public string? Scheme { get; init; }

    public string? VpcId { get; init; }

    public string? State { get; init; }

    public string? StateReason { get; init; }

    public string? Type { get; init; }

    public IReadOnlyList<LoadBalancerAvailabilityZone> AvailabilityZones { get; init; } = [];

    public IReadOnlyList<string> SecurityGroups { get; init; } = [];
}

/// <summary>CreateTargetGroup input with AWS's defaults left to the service when null.</summary>
public sealed record CreateTargetGroupRequest
{
    public required string Name { get; init; }

    public string Protocol { get; init; } = "TCP";

    public int Port { get; init; } = 6443;

    public required string VpcId { get; init; }

    /// <summary>instance, ip, lambda or alb.</summary>
    public string TargetType { get; init; } = "instance";

    public string? HealthCheckProtocol { get; init; }

    public string? HealthCheckPort { get; init; }

    public string? HealthCheckPath { get; init; }

    public bool? HealthCheckEnabled { get; init; }

    public int? HealthCheckIntervalSeconds { get; init; }

    public int? HealthCheckTimeoutSeconds { get; init; }

    public int? HealthyThresholdCount { get; init; }

    public int? UnhealthyThresholdCount { get; init; }

    public IReadOnlyList<ResourceTag>? Tags { get; init; }
}

public sealed record TargetGroup
{
    public required string TargetGroupArn { get; init; }

    public required string TargetGroupName { get; init; }

    public string? Protocol { get; init; }

    public int? Port { get; init; }

    public string? VpcId { get; init; }

    public string? TargetType { get; init; }

    public string? HealthCheckProtocol { get; init; }

    public string? HealthCheckPort { get; init; }

    public string? HealthCheckPath { get; init; }

    public bool? HealthCheckEnabled { get; init; }

    public int? HealthCheckIntervalSeconds { get; init; }

    public int? HealthCheckTimeoutSeconds { get; init; }

    public int? HealthyThresholdCount { get; init; }

    public int? UnhealthyThresholdCount { get; init; }

    public IReadOnlyList<string> LoadBalancerArns { get; init; } = [];
}

public sealed record ListenerAction(string Type, string? TargetGroupArn);

public sealed record Listener
{
    public required string ListenerArn { get; init; }

    public string? LoadBalancerArn { get; init; }

    public int? Port { get; init; }

    public string? Protocol { get; init; }

    public IReadOnlyList<ListenerAction> DefaultActions { get; init; } = [];
}

/// <summary>A target to register: an instance id (or IP) and optionally a port other than the group's.</summary>
public sealed record TargetDescription(string Id, int? Port = null);

/// <summary>
/// One target's health. <see cref="State"/>: initial, healthy, unhealthy, unhealthy.draining, unused,
/// draining or unavailable; <see cref="Reason"/> such as Elb.InitialHealthChecking or Target.NotInUse.
/// </summary>
public sealed record TargetHealthDescription(TargetDescription Target, string? HealthCheckPort, string State, string? Reason, string? Description);


public sealed record Page<T>(IReadOnlyList<T> Items, string? NextMarker);
