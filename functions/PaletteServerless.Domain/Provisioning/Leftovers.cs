using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>One resource still in the cloud after a force delete (or found by the orphan sweep): what, where, why, and what it costs.</summary>
public sealed record Leftover(
    string Type, string Id, string Kind, string Account, string Region, string Reason, decimal? EstimatedHourlyCostUsd, string? ClusterUid = null, string? Cluster = null);

/// <summary>What a force delete answers: the leftover report of the cluster, and the status it was left in.</summary>
public sealed record ForceDeleteReport(
    string? Cluster, IReadOnlyList<Leftover> Leftovers, decimal EstimatedHourlyCostUsd, DateTimeOffset At, string Status, string StatusReason)
{
    public static ForceDeleteReport Of(LeftoverReport report, string status, string statusReason) =>
        new(report.Cluster, report.Leftovers, report.EstimatedHourlyCostUsd, report.At, status, statusReason);
}

/// <summary>The report of a force delete or an orphan sweep; the total is what they cost per hour if nobody acts.</summary>
public sealed record LeftoverReport(string? Cluster, IReadOnlyList<Leftover> Leftovers, decimal EstimatedHourlyCostUsd, DateTimeOffset At)
{
    public static LeftoverReport Of(string? cluster, IReadOnlyList<Leftover> leftovers, DateTimeOffset at) =>
        new(cluster, leftovers.Select(l => l with { EstimatedHourlyCostUsd = l.EstimatedHourlyCostUsd is { } c ? Math.Round(c, 4) : null }).ToList(),
            Math.Round(leftovers.Sum(l => l.EstimatedHourlyCostUsd ?? 0), 4), at);

    /// <summary>The names the product doc's warning uses for the kinds that keep costing money.</summary>
    public static string TypeOf(string kind) => kind switch
    {
        ResourceKinds.Vpc => "VPC",
        ResourceKinds.ElasticIp => "Elastic IP",
        ResourceKinds.NetworkInterface => "network interface",
        ResourceKinds.InternetGateway => "internet gateway",
        ResourceKinds.LoadBalancer => "load balancer",
        ResourceKinds.Volume => "EBS volume",
        ResourceKinds.NatGateway => "NAT gateway",
        _ => "other",
    };

    /// <summary>An hourly estimate for a kind of resource (instances by their type when known).</summary>
    public static decimal? HourlyCost(string kind, string? instanceType = null, int? volumeGiB = null) => kind switch
    {
        ResourceKinds.NatGateway => Prices.NatGatewayHour,
        ResourceKinds.ElasticIp => Prices.PublicIpv4Hour,
        ResourceKinds.LoadBalancer => Prices.NetworkLoadBalancerHour,
        ResourceKinds.Volume => volumeGiB is { } size ? Prices.VolumeHour(size) : null,
        ResourceKinds.Instance => instanceType is null ? null : Prices.InstanceHour(instanceType),
        _ => 0m,
    };
}
