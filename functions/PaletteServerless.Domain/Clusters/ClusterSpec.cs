namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// What a user asks for: the product doc's cluster wizard, field by field. Every property is
/// nullable so that a missing value is reported by validation with its field name, not by the parser.
/// </summary>
public sealed record ClusterSpec
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    /// <summary>Propagated to every resource the product creates, VMs included (product doc).</summary>
    public Dictionary<string, string>? Tags { get; init; }
    public string? CloudAccount { get; init; }
    public ProfileReference? Profile { get; init; }
    public CloudSpec? Cloud { get; init; }
    public bool? UpdateWorkerPoolsInParallel { get; init; }
    public List<NodePoolSpec>? NodePools { get; init; }
    public ClusterSettings? Settings { get; init; }
}

public sealed record ProfileReference
{
    public string? Name { get; init; }
    public string? Version { get; init; }
    /// <summary>Pack name -> YAML that overrides that pack's values in the profile.</summary>
    public Dictionary<string, string>? PackValues { get; init; }
    /// <summary>
    /// Read-only, set by the product from the profile version: the packs a node is launched with (OS and
    /// Kubernetes, name@version, and a hash of their merged values; <see cref="Changes.ChangeScope.NodePacksOf"/>).
    /// Part of every pool's launch fingerprint, so a profile version that changes them repaves and one that
    /// changes only in-cluster packs does not. A value sent by a caller is replaced.
    /// </summary>
    public string? NodePacks { get; init; }
}

public sealed record CloudSpec
{
    public string? Region { get; init; }
    public string? SshKeyName { get; init; }
    /// <summary>Dynamic placement only; default 10.0.0.0/16.</summary>
    public string? VpcCidr { get; init; }
    /// <summary>internet-facing (default) or internal.</summary>
    public string? ApiLoadBalancer { get; init; }
    public PlacementSpec? Placement { get; init; }
}

public sealed record PlacementSpec
{
    /// <summary>dynamic (default): a new VPC per cluster; static: the user's VPC and subnets.</summary>
    public string? Mode { get; init; }
    public string? VpcId { get; init; }
    public List<string>? ControlPlaneSubnetIds { get; init; }
    public List<string>? WorkerSubnetIds { get; init; }
}

public sealed record NodePoolSpec
{
    public string? Name { get; init; }
    /// <summary>control-plane or worker.</summary>
    public string? Role { get; init; }
    public int? Count { get; init; }
    public string? InstanceType { get; init; }
    public List<string>? AvailabilityZones { get; init; }
    /// <summary>on-demand (default) or spot.</summary>
    public string? CapacityType { get; init; }
    /// <summary>Spot only: the highest price per instance-hour in USD.</summary>
    public decimal? MaxSpotPrice { get; init; }
    public int? DiskSizeGiB { get; init; }
    public Dictionary<string, string>? Labels { get; init; }
    public List<TaintSpec>? Taints { get; init; }
    /// <summary>How a change that replaces nodes rolls through the pool; default maxSurge 1, maxUnavailable 0.</summary>
    public UpdateStrategySpec? UpdateStrategy { get; init; }
    /// <summary>When a node counts as failed and is replaced (Cluster API's MachineHealthCheck).</summary>
    public HealthCheckSpec? HealthCheck { get; init; }
}

/// <summary>
/// A rolling update, as a Kubernetes Deployment's: maxSurge new nodes may exist above count, maxUnavailable
/// nodes may be missing below it. 1 and 0 (the default) expand first; 0 and 1 contract first.
/// </summary>
public sealed record UpdateStrategySpec
{
    /// <summary>RollingUpdate, the only type.</summary>
    public string? Type { get; init; }
    public IntOrPercent? MaxSurge { get; init; }
    public IntOrPercent? MaxUnavailable { get; init; }
}

/// <summary>The health check of a pool's nodes, with Cluster API's MachineHealthCheck defaults.</summary>
public sealed record HealthCheckSpec
{
    public bool? Enabled { get; init; }
    /// <summary>Remediation stops while more nodes than this are unhealthy (a count or a percent of the pool).</summary>
    public IntOrPercent? MaxUnhealthy { get; init; }
    /// <summary>A node that has not joined this long after launch is unhealthy; 0 turns the check off.</summary>
    public int? NodeStartupTimeoutMinutes { get; init; }
}

public sealed record TaintSpec
{
    public string? Key { get; init; }
    public string? Value { get; init; }
    /// <summary>NoSchedule, PreferNoSchedule or NoExecute.</summary>
    public string? Effect { get; init; }
}

/// <summary>Day-2 settings from the wizard's settings page: stored and shown, validated for shape.</summary>
public sealed record ClusterSettings
{
    /// <summary>A five-field cron expression (minute hour day-of-month month day-of-week).</summary>
    public string? PatchSchedule { get; init; }
    /// <summary>Every node applies the OS security updates before it joins the cluster (and reports its patch level).</summary>
    public bool? OsPatchOnBoot { get; init; }
    public ScheduledFeature? SecurityScans { get; init; }
    public BackupSettings? Backup { get; init; }
    public List<RbacBinding>? Rbac { get; init; }
    public VirtualClusterSettings? VirtualClusters { get; init; }
}

public sealed record ScheduledFeature
{
    public bool? Enabled { get; init; }
    public string? Schedule { get; init; }
}

public sealed record BackupSettings
{
    public bool? Enabled { get; init; }
    public string? Schedule { get; init; }
    public int? RetentionDays { get; init; }
    /// <summary>Name of the backup location (e.g. an S3 bucket name).</summary>
    public string? Location { get; init; }
}

public sealed record RbacBinding
{
    /// <summary>ClusterRoleBinding (cluster-wide) or RoleBinding (namespace).</summary>
    public string? Type { get; init; }
    public string? Namespace { get; init; }
    public string? Role { get; init; }
    public List<RbacSubject>? Subjects { get; init; }
}

public sealed record RbacSubject
{
    /// <summary>User, Group or ServiceAccount.</summary>
    public string? Kind { get; init; }
    public string? Name { get; init; }
    public string? Namespace { get; init; }
}

public sealed record VirtualClusterSettings
{
    public bool? Enabled { get; init; }
}

public static class NodePoolRoles
{
    public const string ControlPlane = "control-plane";
    public const string Worker = "worker";
}

public static class UpdateStrategyTypes
{
    public const string RollingUpdate = "RollingUpdate";
}

public static class CapacityTypes
{
    public const string OnDemand = "on-demand";
    public const string Spot = "spot";
}

public static class PlacementModes
{
    public const string Dynamic = "dynamic";
    public const string Static = "static";
}

public static class LoadBalancerSchemes
{
    public const string InternetFacing = "internet-facing";
    public const string Internal = "internal";
}
