namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// A cluster as the product builds it: the validated <see cref="ClusterSpec"/> with every default
/// applied and nothing optional that the spec requires. <see cref="ClusterSpec"/> stays the wire
/// shape (what users send and the store keeps, every field nullable so that validation can name what
/// is missing); planners and steps read this instead, so none of them repeats a default or asserts
/// that a field is there. <see cref="From"/> is the one place that makes it, from a spec that passed
/// <see cref="ClusterSpecValidator.Validate"/> (every stored cluster's did); specs stored before a
/// field existed get that field's default here.
/// </summary>
public sealed record ClusterDefinition
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    /// <summary>Propagated to every resource the product creates (product doc).</summary>
    public required IReadOnlyDictionary<string, string> Tags { get; init; }
    public required string CloudAccount { get; init; }
    public required ProfileChoice Profile { get; init; }
    public required CloudDefinition Cloud { get; init; }
    public required bool UpdateWorkerPoolsInParallel { get; init; }
    /// <summary>In the order the spec lists them.</summary>
    public required IReadOnlyList<NodePoolDefinition> NodePools { get; init; }
    /// <summary>Day-2 settings: stored and shown, validated for shape; nothing builds from them yet.</summary>
    public required ClusterSettings Settings { get; init; }

    /// <summary>The pool of that name, or null (a pool an update removed).</summary>
    public NodePoolDefinition? Pool(string name) => NodePools.FirstOrDefault(p => p.Name == name);

    /// <summary>The zones of every pool, in order of first mention.</summary>
    public IReadOnlyList<string> Zones => NodePools.SelectMany(p => p.AvailabilityZones).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The definition of a validated spec; a field validation requires and the spec lacks is a bug, reported by name.</summary>
    public static ClusterDefinition From(ClusterSpec spec)
    {
        var cloud = Required(spec.Cloud, "cloud");
        var placement = cloud.Placement ?? new PlacementSpec();
        var mode = placement.Mode ?? PlacementModes.Dynamic;
        var dynamic = mode == PlacementModes.Dynamic;
        var profile = Required(spec.Profile, "profile");
        return new ClusterDefinition
        {
            Name = Required(spec.Name, "name"),
            Description = spec.Description,
            Tags = spec.Tags ?? [],
            CloudAccount = Required(spec.CloudAccount, "cloudAccount"),
            Profile = new ProfileChoice(Required(profile.Name, "profile.name"), Required(profile.Version, "profile.version"), profile.PackValues ?? [], profile.NodePacks),
            Cloud = new CloudDefinition
            {
                Region = Required(cloud.Region, "cloud.region"),
                SshKeyName = Required(cloud.SshKeyName, "cloud.sshKeyName"),
                ApiLoadBalancer = cloud.ApiLoadBalancer ?? LoadBalancerSchemes.InternetFacing,
                Placement = new PlacementDefinition
                {
                    Mode = mode,
                    VpcCidr = dynamic ? cloud.VpcCidr ?? ClusterSpecValidator.DefaultVpcCidr : null,
                    VpcId = dynamic ? null : Required(placement.VpcId, "cloud.placement.vpcId"),
                    ControlPlaneSubnetIds = placement.ControlPlaneSubnetIds ?? [],
                    WorkerSubnetIds = placement.WorkerSubnetIds ?? [],
                },
            },
            UpdateWorkerPoolsInParallel = spec.UpdateWorkerPoolsInParallel ?? false,
            NodePools = Required(spec.NodePools, "nodePools").Select((pool, i) => NodePoolDefinition.From(pool, $"nodePools[{i}]")).ToList(),
            Settings = spec.Settings ?? new ClusterSettings(),
        };
    }

    internal static T Required<T>(T? value, string field) where T : class =>
        value ?? throw new InvalidOperationException($"the cluster spec has no {field}: only a validated spec makes a ClusterDefinition");

    internal static T Required<T>(T? value, string field) where T : struct =>
        value ?? throw new InvalidOperationException($"the cluster spec has no {field}: only a validated spec makes a ClusterDefinition");
}

/// <summary>The infrastructure profile a cluster uses, and its per-pack value overrides (pack name -> YAML).</summary>
public sealed record ProfileChoice(string Name, string Version, IReadOnlyDictionary<string, string> PackValues, string? NodePacks = null);

public sealed record CloudDefinition
{
    public required string Region { get; init; }
    public required string SshKeyName { get; init; }
    /// <summary>The API server load balancer's scheme: internet-facing or internal.</summary>
    public required string ApiLoadBalancer { get; init; }
    public required PlacementDefinition Placement { get; init; }
}

public sealed record PlacementDefinition
{
    /// <summary>dynamic: a new VPC per cluster; static: the user's VPC and subnets.</summary>
    public required string Mode { get; init; }
    /// <summary>Dynamic placement's VPC CIDR; null for static placement.</summary>
    public string? VpcCidr { get; init; }
    /// <summary>Static placement's VPC; null for dynamic placement.</summary>
    public string? VpcId { get; init; }
    /// <summary>Static placement's subnets; empty for dynamic placement.</summary>
    public required IReadOnlyList<string> ControlPlaneSubnetIds { get; init; }
    public required IReadOnlyList<string> WorkerSubnetIds { get; init; }

    public bool IsDynamic => Mode == PlacementModes.Dynamic;

    /// <summary>The static subnets a pool of <paramref name="role"/> runs in.</summary>
    public IReadOnlyList<string> SubnetIdsFor(string role) => role == NodePoolRoles.ControlPlane ? ControlPlaneSubnetIds : WorkerSubnetIds;
}

public sealed record NodePoolDefinition
{
    public required string Name { get; init; }
    /// <summary>control-plane or worker.</summary>
    public required string Role { get; init; }
    public required int Count { get; init; }
    public required string InstanceType { get; init; }
    /// <summary>Empty for a static pool that takes the zones of its subnets.</summary>
    public required IReadOnlyList<string> AvailabilityZones { get; init; }
    /// <summary>on-demand or spot.</summary>
    public required string CapacityType { get; init; }
    /// <summary>Spot only: the highest price per instance-hour in USD; null: up to the on-demand price.</summary>
    public decimal? MaxSpotPrice { get; init; }
    public required int DiskSizeGiB { get; init; }
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    public required IReadOnlyList<NodeTaint> Taints { get; init; }
    public required RollingUpdate UpdateStrategy { get; init; }
    public required NodeHealthCheck HealthCheck { get; init; }

    public bool IsControlPlane => Role == NodePoolRoles.ControlPlane;

    /// <summary>The definition of one validated pool spec; <paramref name="at"/> is its JSON path, for the message of a bug.</summary>
    public static NodePoolDefinition From(NodePoolSpec pool, string at)
    {
        var strategy = ClusterSpecValidator.WithDefaults(pool.UpdateStrategy);
        var check = ClusterSpecValidator.WithDefaults(pool.HealthCheck);
        return new NodePoolDefinition
        {
            Name = ClusterDefinition.Required(pool.Name, $"{at}.name"),
            Role = ClusterDefinition.Required(pool.Role, $"{at}.role"),
            Count = ClusterDefinition.Required(pool.Count, $"{at}.count"),
            InstanceType = ClusterDefinition.Required(pool.InstanceType, $"{at}.instanceType"),
            AvailabilityZones = pool.AvailabilityZones ?? [],
            CapacityType = pool.CapacityType ?? CapacityTypes.OnDemand,
            MaxSpotPrice = pool.MaxSpotPrice,
            DiskSizeGiB = pool.DiskSizeGiB ?? ClusterSpecValidator.DefaultDiskSizeGiB,
            Labels = pool.Labels ?? [],
            Taints = (pool.Taints ?? []).Select((t, i) => new NodeTaint(
                ClusterDefinition.Required(t.Key, $"{at}.taints[{i}].key"), t.Value, ClusterDefinition.Required(t.Effect, $"{at}.taints[{i}].effect"))).ToList(),
            UpdateStrategy = new RollingUpdate(strategy.MaxSurge!.Value, strategy.MaxUnavailable!.Value),
            HealthCheck = new NodeHealthCheck(check.Enabled!.Value, check.MaxUnhealthy!.Value, check.NodeStartupTimeoutMinutes!.Value),
        };
    }
}

/// <summary>A Kubernetes taint: NoSchedule, PreferNoSchedule or NoExecute.</summary>
public sealed record NodeTaint(string Key, string? Value, string Effect);

/// <summary>A pool's rolling update (RollingUpdate, the only type): maxSurge nodes above count, maxUnavailable below it.</summary>
public sealed record RollingUpdate(IntOrPercent MaxSurge, IntOrPercent MaxUnavailable);

/// <summary>A pool's health check, as Cluster API's MachineHealthCheck; a startup timeout of 0 turns the join check off.</summary>
public sealed record NodeHealthCheck(bool Enabled, IntOrPercent MaxUnhealthy, int NodeStartupTimeoutMinutes);
