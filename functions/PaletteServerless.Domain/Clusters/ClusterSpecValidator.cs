using System.Text.RegularExpressions;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// The rules of a cluster spec that need no lookup. Returns the spec with its defaults filled in;
/// references to other records (cloud account, profile) are checked by <see cref="ClusterService"/>.
/// </summary>
public static partial class ClusterSpecValidator
{
    public const int MaxTags = 50;
    public const string DefaultVpcCidr = "10.0.0.0/16";
    public const int DefaultDiskSizeGiB = 65;
    public static readonly int[] ControlPlaneCounts = [1, 3, 5];
    public const int MaxWorkerCount = 500;
    /// <summary>The default rolling update expands first: one extra node, none missing.</summary>
    public static readonly IntOrPercent DefaultMaxSurge = IntOrPercent.Of(1);
    public static readonly IntOrPercent DefaultMaxUnavailable = IntOrPercent.Of(0);
    /// <summary>Cluster API's MachineHealthCheck defaults: maxUnhealthy 100 %, nodeStartupTimeout 10 minutes.</summary>
    public static readonly IntOrPercent DefaultMaxUnhealthy = IntOrPercent.Percent(100);
    public const int DefaultNodeStartupTimeoutMinutes = 10;
    public const int MaxNodeStartupTimeoutMinutes = 1440;

    public static ClusterSpec Validate(ClusterSpec spec)
    {
        var rules = new Rules();
        rules.DnsLabel("name", spec.Name, 3, 63);
        rules.MaxLength("description", spec.Description, 1024);
        ValidateTags(rules, "tags", spec.Tags);
        if (rules.Required("cloudAccount", spec.CloudAccount))
            rules.MaxLength("cloudAccount", spec.CloudAccount, 63);
        ValidateProfileReference(rules, spec.Profile);
        var placementMode = ValidateCloud(rules, spec.Cloud);
        ValidateNodePools(rules, spec.NodePools, spec.Cloud?.Region, placementMode);
        SettingsValidator.Validate(rules, "settings", spec.Settings);
        rules.ThrowIfInvalid();
        return WithDefaults(spec, placementMode);
    }

    /// <summary>
    /// Tag key prefixes a user tag may not use: the product's ownership tags (what a sweep, a delete or a
    /// tenant fence matches on), the discovery tags Kubernetes and Cluster API read, and AWS's own. A user
    /// tag there could claim another cluster's resources, or hand this cluster's load balancers and
    /// subnets to another. Matched ignoring case: AWS reserves aws: in any case, and a lookalike in
    /// another case would only mislead whoever reads the tags.
    /// </summary>
    public static readonly IReadOnlyList<(string Prefix, string Owner)> ReservedTagPrefixes =
    [
        ("palette.serverless/", "the product's ownership tags"),
        ("kubernetes.io/", "Kubernetes' discovery tags"),
        ("sigs.k8s.io/", "Cluster API's discovery tags"),
        ("aws:", "AWS"),
    ];

    public static void ValidateTags(Rules rules, string field, Dictionary<string, string>? tags)
    {
        if (tags is null)
            return;
        if (tags.Count > MaxTags)
            rules.Add(field, $"must have at most {MaxTags} tags");
        foreach (var (key, value) in tags)
        {
            var at = $"{field}.{key}";
            if (key.Length is < 1 or > 128)
                rules.Add(at, "tag keys must be 1 to 128 characters long");
            if (ReservedTagPrefixes.FirstOrDefault(p => key.StartsWith(p.Prefix, StringComparison.OrdinalIgnoreCase)) is { Prefix: not null } reserved)
                rules.Add(at, $"tag keys must not start with '{reserved.Prefix}' (reserved: {reserved.Owner})");
            if (value is null)
                rules.Add(at, "tag values must be strings (use \"\" for an empty value)");
            else if (value.Length > 256)
                rules.Add(at, "tag values must be at most 256 characters long");
        }
    }

    private static void ValidateProfileReference(Rules rules, ProfileReference? profile)
    {
        if (!rules.Required("profile", profile))
            return;
        rules.DnsLabel("profile.name", profile!.Name, 1, 63);
        rules.SemVer("profile.version", profile.Version);
        foreach (var (pack, yaml) in profile.PackValues ?? [])
        {
            // Values are read further only once they are plain YAML: nothing expands an alias bomb.
            if (!rules.Yaml($"profile.packValues.{pack}", yaml, $"the values of pack '{pack}'"))
                continue;
            foreach (var error in Profiles.PackNetworkRequirements.ValueErrors(pack, yaml))
                rules.Add($"profile.packValues.{pack}", error);
        }
    }

    private static string? ValidateCloud(Rules rules, CloudSpec? cloud)
    {
        if (!rules.Required("cloud", cloud))
            return null;
        Region(rules, "cloud.region", cloud!.Region);
        if (rules.Required("cloud.sshKeyName", cloud.SshKeyName))
            rules.MaxLength("cloud.sshKeyName", cloud.SshKeyName, 255);
        rules.OneOf("cloud.apiLoadBalancer", cloud.ApiLoadBalancer, LoadBalancerSchemes.InternetFacing, LoadBalancerSchemes.Internal);

        var placement = cloud.Placement ?? new PlacementSpec { Mode = PlacementModes.Dynamic };
        var mode = placement.Mode ?? PlacementModes.Dynamic;
        rules.OneOf("cloud.placement.mode", mode, PlacementModes.Dynamic, PlacementModes.Static);
        if (mode == PlacementModes.Dynamic)
        {
            if (cloud.VpcCidr is not null)
                rules.Ipv4Cidr("cloud.vpcCidr", cloud.VpcCidr, 16, 24);
            foreach (var (field, given) in new[]
                     {
                         ("vpcId", placement.VpcId is not null),
                         ("controlPlaneSubnetIds", placement.ControlPlaneSubnetIds is not null),
                         ("workerSubnetIds", placement.WorkerSubnetIds is not null),
                     })
            {
                if (given)
                    rules.Add($"cloud.placement.{field}", "is only allowed with static placement (mode: static)");
            }
        }
        else if (mode == PlacementModes.Static)
        {
            if (cloud.VpcCidr is not null)
                rules.Add("cloud.vpcCidr", "is only allowed with dynamic placement: static placement uses the given VPC");
            if (rules.Required("cloud.placement.vpcId", placement.VpcId))
                VpcId(rules, "cloud.placement.vpcId", placement.VpcId);
            ValidateSubnetIds(rules, "cloud.placement.controlPlaneSubnetIds", placement.ControlPlaneSubnetIds);
            ValidateSubnetIds(rules, "cloud.placement.workerSubnetIds", placement.WorkerSubnetIds);
        }
        return mode;
    }

    private static void ValidateSubnetIds(Rules rules, string field, List<string>? ids)
    {
        if (ids is null || ids.Count == 0)
        {
            rules.Add(field, "must list at least one subnet id");
            return;
        }
        for (var i = 0; i < ids.Count; i++)
            rules.Matches($"{field}[{i}]", ids[i] ?? "", SubnetIdPattern(), "must be a subnet id such as subnet-0a1b2c3d");
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
            rules.Add(field, "must not list a subnet twice");
    }

    private static void ValidateNodePools(Rules rules, List<NodePoolSpec>? pools, string? region, string? placementMode)
    {
        if (pools is null || pools.Count == 0)
        {
            rules.Add("nodePools", "must have exactly one control-plane pool and at least one worker pool");
            return;
        }
        var controlPlanes = pools.Count(p => p?.Role == NodePoolRoles.ControlPlane);
        if (controlPlanes != 1)
            rules.Add("nodePools", $"must have exactly one control-plane pool (found {controlPlanes})");
        if (!pools.Any(p => p?.Role == NodePoolRoles.Worker))
            rules.Add("nodePools", "must have at least one worker pool");

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < pools.Count; i++)
        {
            var at = $"nodePools[{i}]";
            var pool = pools[i];
            if (!rules.Required(at, pool))
                continue;
            rules.DnsLabel($"{at}.name", pool.Name, 1, 63);
            if (pool.Name is not null && !names.Add(pool.Name))
                rules.Add($"{at}.name", $"must be unique: another pool is already named '{pool.Name}'");
            if (rules.Required($"{at}.role", pool.Role))
                rules.OneOf($"{at}.role", pool.Role, NodePoolRoles.ControlPlane, NodePoolRoles.Worker);
            if (rules.Required($"{at}.count", pool.Count))
            {
                if (pool.Role == NodePoolRoles.ControlPlane && !ControlPlaneCounts.Contains(pool.Count!.Value))
                    rules.Add($"{at}.count", "must be 1, 3 or 5 for the control-plane pool (an odd number keeps etcd quorum)");
                else if (pool.Role != NodePoolRoles.ControlPlane)
                    rules.Range($"{at}.count", pool.Count!.Value, 1, MaxWorkerCount);
            }
            if (rules.Required($"{at}.instanceType", pool.InstanceType))
                rules.Matches($"{at}.instanceType", pool.InstanceType, InstanceTypePattern(), "must be an EC2 instance type such as m5.large");
            ValidateAvailabilityZones(rules, $"{at}.availabilityZones", pool.AvailabilityZones, region, placementMode);
            rules.OneOf($"{at}.capacityType", pool.CapacityType, CapacityTypes.OnDemand, CapacityTypes.Spot);
            if (pool.MaxSpotPrice is { } price)
            {
                if ((pool.CapacityType ?? CapacityTypes.OnDemand) != CapacityTypes.Spot)
                    rules.Add($"{at}.maxSpotPrice", "is only allowed when capacityType is spot");
                else if (price <= 0)
                    rules.Add($"{at}.maxSpotPrice", "must be a positive price in USD per hour");
            }
            if (pool.DiskSizeGiB is { } disk)
                rules.Range($"{at}.diskSizeGiB", disk, 1, 2000);
            KubernetesRules.Labels(rules, $"{at}.labels", pool.Labels);
            KubernetesRules.Taints(rules, $"{at}.taints", pool.Taints);
            ValidateUpdateStrategy(rules, $"{at}.updateStrategy", pool.UpdateStrategy, pool.Role == NodePoolRoles.ControlPlane);
            ValidateHealthCheck(rules, $"{at}.healthCheck", pool.HealthCheck);
        }
    }

    private static void ValidateUpdateStrategy(Rules rules, string field, UpdateStrategySpec? strategy, bool isControlPlane)
    {
        if (strategy is null)
            return;
        rules.OneOf($"{field}.type", strategy.Type, UpdateStrategyTypes.RollingUpdate);
        var surgeValid = IntOrPercentRule(rules, $"{field}.maxSurge", strategy.MaxSurge, maxPercent: 999);
        var unavailableValid = IntOrPercentRule(rules, $"{field}.maxUnavailable", strategy.MaxUnavailable, maxPercent: 100);
        if (!surgeValid || !unavailableValid)
            return;
        var surge = strategy.MaxSurge ?? DefaultMaxSurge;
        var unavailable = strategy.MaxUnavailable ?? DefaultMaxUnavailable;
        if (isControlPlane)
        {
            // etcd keeps quorum only if members are replaced one by one, each new one joining before an old one leaves.
            if (!(surge.TryGetInt(out var s) && s == 1 && unavailable.IsZero))
                rules.Add(field, "the control-plane pool always rolls one node at a time: maxSurge 1, maxUnavailable 0");
        }
        else if (surge.IsZero && unavailable.IsZero)
        {
            rules.Add(field, "maxSurge and maxUnavailable must not both be 0: the update could never replace a node");
        }
    }

    private static void ValidateHealthCheck(Rules rules, string field, HealthCheckSpec? check)
    {
        if (check is null)
            return;
        IntOrPercentRule(rules, $"{field}.maxUnhealthy", check.MaxUnhealthy, maxPercent: 100);
        if (check.NodeStartupTimeoutMinutes is { } minutes)
            rules.Range($"{field}.nodeStartupTimeoutMinutes", minutes, 0, MaxNodeStartupTimeoutMinutes);
    }

    /// <summary>A whole number from 0 to <see cref="MaxWorkerCount"/> or a percent from 0 % to <paramref name="maxPercent"/>; absent is fine.</summary>
    private static bool IntOrPercentRule(Rules rules, string field, IntOrPercent? value, int maxPercent)
    {
        if (value is not { } given)
            return true;
        if (given.TryGetInt(out var number))
        {
            if (number <= MaxWorkerCount)
                return true;
            rules.Add(field, $"must be at most {MaxWorkerCount}");
            return false;
        }
        if (given.TryGetPercent(out var percent))
        {
            if (percent <= maxPercent)
                return true;
            rules.Add(field, $"must be at most {maxPercent}%");
            return false;
        }
        rules.Add(field, "must be a whole number such as 1 or a percent such as \"25%\"");
        return false;
    }

    private static void ValidateAvailabilityZones(Rules rules, string field, List<string>? zones, string? region, string? placementMode)
    {
        if (zones is null || zones.Count == 0)
        {
            if (placementMode == PlacementModes.Dynamic)
                rules.Add(field, "must list at least one availability zone (dynamic placement builds subnets in them)");
            return;
        }
        for (var i = 0; i < zones.Count; i++)
        {
            ZoneName(rules, $"{field}[{i}]", zones[i], region);
        }
        if (zones.Distinct(StringComparer.Ordinal).Count() != zones.Count)
            rules.Add(field, "must not list an availability zone twice");
    }

    private static ClusterSpec WithDefaults(ClusterSpec spec, string? placementMode)
    {
        var cloud = spec.Cloud!;
        var isDynamic = placementMode == PlacementModes.Dynamic;
        return spec with
        {
            Tags = spec.Tags ?? [],
            UpdateWorkerPoolsInParallel = spec.UpdateWorkerPoolsInParallel ?? false,
            Cloud = cloud with
            {
                ApiLoadBalancer = cloud.ApiLoadBalancer ?? LoadBalancerSchemes.InternetFacing,
                VpcCidr = isDynamic ? cloud.VpcCidr ?? DefaultVpcCidr : null,
                Placement = (cloud.Placement ?? new PlacementSpec()) with { Mode = placementMode },
            },
            Profile = spec.Profile! with { PackValues = spec.Profile.PackValues ?? [] },
            NodePools = spec.NodePools!.Select(p => p with
            {
                CapacityType = p.CapacityType ?? CapacityTypes.OnDemand,
                DiskSizeGiB = p.DiskSizeGiB ?? DefaultDiskSizeGiB,
                AvailabilityZones = p.AvailabilityZones ?? [],
                Labels = p.Labels ?? [],
                Taints = p.Taints ?? [],
                UpdateStrategy = WithDefaults(p.UpdateStrategy),
                HealthCheck = WithDefaults(p.HealthCheck),
            }).ToList(),
            Settings = spec.Settings ?? new ClusterSettings(),
        };
    }

    /// <summary>A pool's update strategy with its defaults (also for specs stored before the field existed).</summary>
    public static UpdateStrategySpec WithDefaults(UpdateStrategySpec? strategy) => new()
    {
        Type = strategy?.Type ?? UpdateStrategyTypes.RollingUpdate,
        MaxSurge = strategy?.MaxSurge ?? DefaultMaxSurge,
        MaxUnavailable = strategy?.MaxUnavailable ?? DefaultMaxUnavailable,
    };

    /// <summary>A pool's health check with its defaults (also for specs stored before the field existed).</summary>
    public static HealthCheckSpec WithDefaults(HealthCheckSpec? check) => new()
    {
        Enabled = check?.Enabled ?? true,
        MaxUnhealthy = check?.MaxUnhealthy ?? DefaultMaxUnhealthy,
        NodeStartupTimeoutMinutes = check?.NodeStartupTimeoutMinutes ?? DefaultNodeStartupTimeoutMinutes,
    };

    /// <summary>The region rule of a cluster spec, for every request that names a region.</summary>
    public static void Region(Rules rules, string field, string? region)
    {
        if (rules.Required(field, region))
            rules.Matches(field, region, RegionPattern(), "must be an AWS region name such as us-east-1");
    }

    /// <summary>A required zone of <paramref name="region"/>, by the rule of a node pool's zones.</summary>
    public static void Zone(Rules rules, string field, string? zone, string region)
    {
        if (rules.Required(field, zone))
            ZoneName(rules, field, zone, region);
    }

    private static void ZoneName(Rules rules, string field, string? zone, string? region)
    {
        if (zone is null || !ZonePattern().IsMatch(zone))
            rules.Add(field, "must be an availability zone name such as us-east-1a");
        else if (region is not null && !(zone.StartsWith(region, StringComparison.Ordinal) && zone.Length == region.Length + 1))
            rules.Add(field, $"must be an availability zone of region {region}");
    }

    /// <summary>The VPC id rule of static placement.</summary>
    public static void VpcId(Rules rules, string field, string? vpcId) =>
        rules.Matches(field, vpcId, VpcIdPattern(), "must be a VPC id such as vpc-0a1b2c3d");

    [GeneratedRegex(@"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]{1,2}\z")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]{1,2}[a-z]\z")]
    private static partial Regex ZonePattern();

    [GeneratedRegex(@"^vpc-([0-9a-f]{8}|[0-9a-f]{17})\z")]
    private static partial Regex VpcIdPattern();

    [GeneratedRegex(@"^subnet-([0-9a-f]{8}|[0-9a-f]{17})\z")]
    private static partial Regex SubnetIdPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9-]*\.[a-z0-9-]+\z")]
    private static partial Regex InstanceTypePattern();
}
