namespace PaletteServerless.Domain.Ports;

/// <summary>Where a load balancer is in its life: provisioning, active (impaired too: it still serves), or failed.</summary>
public enum LoadBalancerPhase
{
    Provisioning,
    Active,
    ActiveImpaired,
    Failed,
}

/// <summary>A network load balancer to make: its name (unique in the account and region), scheme (internet-facing or internal), one subnet per zone, its security groups and tags.</summary>
public sealed record NetworkLoadBalancerRequest(
    string Name, string Scheme, IReadOnlyList<string> Subnets, IReadOnlyList<string> SecurityGroups, IReadOnlyDictionary<string, string> Tags);

/// <summary>A load balancer as the cloud reports it; <paramref name="Reason"/> says why a failed one failed.</summary>
public sealed record LoadBalancerState(string Arn, string Name, string? DnsName, string? VpcId, LoadBalancerPhase Phase, string? Reason);

/// <summary>How a target group checks its targets: the protocol, every <paramref name="IntervalSeconds"/>, healthy or unhealthy after that many checks in a row.</summary>
public sealed record TargetHealthCheck(string Protocol, int IntervalSeconds, int TimeoutSeconds, int HealthyThreshold, int UnhealthyThreshold);

/// <summary>A target group of instances to make: name (unique in the account and region), protocol and port, its VPC, health check and tags.</summary>
public sealed record TargetGroupRequest(
    string Name, string Protocol, int Port, string VpcId, TargetHealthCheck HealthCheck, IReadOnlyDictionary<string, string> Tags);

/// <summary>A listener of a load balancer, forwarding to a target group.</summary>
public sealed record ListenerInfo(string Arn, string? Protocol, int? Port, string? TargetGroupArn);

/// <summary>
/// One registered instance's health as the target group sees it. <paramref name="State"/> is the cloud's word: initial,
/// healthy, unhealthy, unhealthy.draining, unused, draining or unavailable; <paramref name="Reason"/> such as
/// Elb.RegistrationInProgress.
/// </summary>
public sealed record TargetHealth(string InstanceId, string State, string? Reason)
{
    public const string Healthy = "healthy", Draining = "draining", Unused = "unused";
}

/// <summary>
/// The cluster's load balancers in its cloud account (on AWS: Elastic Load Balancing v2): the API server's network load
/// balancer, its target group of control-plane instances and the listener joining them; the region's count for preflight.
/// A read of one name or ARN returns null when there is none. A failure the cloud answers with is a
/// <see cref="CloudServiceException"/> with the cloud's code: a delete of what is gone fails NotFound (LoadBalancerNotFound,
/// TargetGroupNotFound), a target group still used ResourceInUse, an instance that cannot be a target InvalidTarget.
/// </summary>
public interface ILoadBalancers
{
    Task<LoadBalancerState> CreateNetworkLoadBalancerAsync(NetworkLoadBalancerRequest request, CancellationToken ct);

    /// <summary>The load balancer of that name; null when none.</summary>
    Task<LoadBalancerState?> FindLoadBalancerAsync(string name, CancellationToken ct);

    /// <summary>The load balancer of that ARN; null when it is gone.</summary>
    Task<LoadBalancerState?> LoadBalancerAsync(string arn, CancellationToken ct);

    /// <summary>How many load balancers the region holds (every page).</summary>
    Task<int> CountAsync(CancellationToken ct);

    Task DeleteLoadBalancerAsync(string arn, CancellationToken ct);

    /// <summary>Returns the new target group's ARN.</summary>
    Task<string> CreateTargetGroupAsync(TargetGroupRequest request, CancellationToken ct);

    /// <summary>The ARN of the target group of that name; null when none.</summary>
    Task<string?> FindTargetGroupAsync(string name, CancellationToken ct);

    Task DeleteTargetGroupAsync(string arn, CancellationToken ct);

    Task<IReadOnlyList<ListenerInfo>> ListenersAsync(string loadBalancerArn, CancellationToken ct);

    /// <summary>A listener forwarding <paramref name="protocol"/>/<paramref name="port"/> to the target group; returns its ARN.</summary>
    Task<string> CreateListenerAsync(string loadBalancerArn, string protocol, int port, string targetGroupArn, IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    /// <summary>Every registered target's health.</summary>
    Task<IReadOnlyList<TargetHealth>> TargetHealthAsync(string targetGroupArn, CancellationToken ct);

    /// <summary>Registers instances on the group's port; one registered already stays as it is.</summary>
    Task RegisterAsync(string targetGroupArn, IReadOnlyCollection<string> instanceIds, CancellationToken ct);

    /// <summary>Deregisters instances: each drains, then leaves the group.</summary>
    Task DeregisterAsync(string targetGroupArn, IReadOnlyCollection<string> instanceIds, CancellationToken ct);

    /// <summary>Adds (or replaces the values of) tags of load balancers, target groups or listeners (at most 20 ARNs a call).</summary>
    Task TagAsync(IReadOnlyCollection<string> arns, IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    Task UntagAsync(IReadOnlyCollection<string> arns, IReadOnlyCollection<string> keys, CancellationToken ct);
}
