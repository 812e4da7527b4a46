using System.Globalization;
using System.Net;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>One availability zone of a dynamic network: a public and a private subnet, a NAT gateway.</summary>
public sealed record ZonePlan(string AvailabilityZone, string PublicSubnetCidr, string PrivateSubnetCidr);

/// <summary>One instance to run, with the ClientToken that makes its RunInstances idempotent.</summary>
public sealed record InstancePlan(
    string Pool, string Role, int Index, string AvailabilityZone, string InstanceType, string CapacityType,
    decimal? MaxSpotPrice, int DiskSizeGiB, string Name, string ClientToken)
{
    public bool IsFirstControlPlane => Role == NodePoolRoles.ControlPlane && Index == 0;

    /// <summary>
    /// The node takes its host name (the instance's private DNS name, from instance metadata) as its Kubernetes
    /// name, as kubeadm does by default on EC2, instead of a name written into its user data: the user data of a
    /// pool's nodes in one zone is then the same, and they launch together (one RunInstances with MaxCount).
    /// Workers are; control-plane nodes keep their names (three at most, and one of them runs kubeadm init).
    /// </summary>
    public bool NamedByHost => Role == NodePoolRoles.Worker;
}

/// <summary>
/// Everything a cluster needs, computed from its spec alone (pure): subnets, names, instances.
/// The steps create exactly this, so a re-run finds the same names and tokens and adopts.
/// </summary>
public sealed record ClusterPlan
{
    /// <summary>Subnets smaller than /28 are refused by EC2.</summary>
    public const int SmallestSubnetPrefix = 28;

    public required string Uid { get; init; }
    public required string Name { get; init; }
    public required string Region { get; init; }
    public required bool IsDynamic { get; init; }
    public string? VpcCidr { get; init; }
    public string? StaticVpcId { get; init; }
    public required IReadOnlyList<ZonePlan> Zones { get; init; }
    public required string LoadBalancerName { get; init; }
    public required string TargetGroupName { get; init; }
    public required string LoadBalancerScheme { get; init; }
    public required IReadOnlyList<InstancePlan> Instances { get; init; }

    /// <summary>The zones of every pool of a wire spec, in order of first mention (validation's view; <see cref="ClusterDefinition.Zones"/> is the domain's).</summary>
    public static IReadOnlyList<string> ZonesOf(ClusterSpec spec) =>
        (spec.NodePools ?? []).SelectMany(p => p.AvailabilityZones ?? []).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Builds the plan; a VPC too small for its zones is a validation error on cloud.vpcCidr.</summary>
    public static ClusterPlan Build(Cluster cluster, IReadOnlyDictionary<string, string>? staticSubnetZones = null)
    {
        var definition = cluster.Definition;
        var placement = definition.Cloud.Placement;
        return new ClusterPlan
        {
            Uid = cluster.Uid,
            Name = cluster.Name,
            Region = definition.Cloud.Region,
            IsDynamic = placement.IsDynamic,
            VpcCidr = placement.VpcCidr,
            StaticVpcId = placement.VpcId,
            Zones = placement.VpcCidr is { } cidr ? SplitVpc(cidr, definition.Zones) : [],
            LoadBalancerName = ShortName(cluster, "api"),
            TargetGroupName = ShortName(cluster, "tg"),
            LoadBalancerScheme = definition.Cloud.ApiLoadBalancer,
            Instances = PlanInstances(cluster.Uid, definition, staticSubnetZones),
        };
    }

    /// <summary>The zones this cluster's instances land in (for static placement: the zones of the given subnets).</summary>
    public IReadOnlyList<string> InstanceZones => Instances.Select(i => i.AvailabilityZone).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Splits the VPC into equal blocks, a public and a private subnet per zone, in zone order, so
    /// the same spec always gives the same CIDRs.
    /// </summary>
    public static IReadOnlyList<ZonePlan> SplitVpc(string vpcCidr, IReadOnlyList<string> zones)
    {
        var (network, prefix) = ParseCidr(vpcCidr);
        var blocks = zones.Count * 2;
        var extraBits = (int)Math.Ceiling(Math.Log2(Math.Max(blocks, 1)));
        var subnetPrefix = prefix + extraBits;
        if (subnetPrefix > SmallestSubnetPrefix)
            throw new Errors.ValidationFailedException("cloud.vpcCidr",
                $"/{prefix} is too small for {zones.Count} availability zones: each needs two subnets of at least /{SmallestSubnetPrefix}");
        var size = 1u << (32 - subnetPrefix);
        string Block(int i) => $"{FormatAddress(network + (uint)i * size)}/{subnetPrefix}";
        return zones.Select((zone, i) => new ZonePlan(zone, Block(i), Block(zones.Count + i))).ToList();
    }

    private static List<InstancePlan> PlanInstances(string uid, ClusterDefinition definition, IReadOnlyDictionary<string, string>? staticSubnetZones)
    {
        var instances = new List<InstancePlan>();
        foreach (var pool in definition.NodePools)
        {
            var zones = definition.Cloud.Placement.IsDynamic
                ? pool.AvailabilityZones
                : StaticZones(definition.Cloud.Placement, pool, staticSubnetZones);
            for (var i = 0; i < pool.Count; i++)
            {
                var zone = zones.Count == 0 ? "" : zones[i % zones.Count];
                instances.Add(new InstancePlan(
                    pool.Name, pool.Role, i, zone, pool.InstanceType, pool.CapacityType, pool.MaxSpotPrice,
                    pool.DiskSizeGiB, $"{definition.Name}-{pool.Name}-{i}",
                    // ClientToken: at most 64 ASCII characters, unique per account for 24 h (Amazon EC2 API Reference, "Ensure idempotency in Amazon EC2 API requests").
                    $"{uid}-{Truncate(pool.Name, 24)}-{i.ToString(CultureInfo.InvariantCulture)}"));
            }
        }
        return instances;
    }

    private static IReadOnlyList<string> StaticZones(PlacementDefinition placement, NodePoolDefinition pool, IReadOnlyDictionary<string, string>? subnetZones)
    {
        if (pool.AvailabilityZones.Count > 0)
            return pool.AvailabilityZones;
        return placement.SubnetIdsFor(pool.Role).Select(s => subnetZones?.GetValueOrDefault(s) ?? "").Where(z => z.Length > 0).Distinct().ToList();
    }

    /// <summary>ELB names are at most 32 characters: part of the cluster name, part of its uid, a suffix.</summary>
    private static string ShortName(Cluster cluster, string suffix)
    {
        var name = Truncate(cluster.Name, 32 - 8 - suffix.Length - 2).TrimEnd('-');
        return $"{name}-{cluster.Uid[..8]}-{suffix}";
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private static (uint Network, int Prefix) ParseCidr(string cidr)
    {
        var parts = cidr.Split('/');
        var bytes = IPAddress.Parse(parts[0]).GetAddressBytes();
        return ((uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private static string FormatAddress(uint address) =>
        $"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}";
}
