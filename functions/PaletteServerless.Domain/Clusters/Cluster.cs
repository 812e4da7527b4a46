using System.Text.Json.Serialization;
using PaletteServerless.Domain.Identity;

namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// The statuses a cluster shows (product doc): Pending -> Provisioning -> Running | Failed; Running -> Updating ->
/// Running (day 2); Deleting -> Deleted.
/// </summary>
public static class ClusterStatus
{
    public const string Pending = "Pending";
    public const string Provisioning = "Provisioning";
    public const string Running = "Running";
    public const string Updating = "Updating";
    public const string Failed = "Failed";
    public const string Deleting = "Deleting";
    public const string Deleted = "Deleted";

    public static readonly string[] All = [Pending, Provisioning, Running, Updating, Failed, Deleting, Deleted];

    /// <summary>A live cluster still holds (or may hold) cloud resources and references its account and profile.</summary>
    public static bool IsLive(string status) => status != Deleted;

    public static bool CanMove(string from, string to) => (from, to) switch
    {
        (Pending, Provisioning or Failed or Deleting) => true,
        (Provisioning, Running or Failed or Deleting) => true,
        (Running, Updating or Deleting) => true,
        (Updating, Running or Deleting) => true,
        (Failed, Deleting) => true,
        (Deleting, Deleted) => true,
        _ => false,
    };
}

/// <summary>The state of one kind of resource (VpcReady, NodePoolsReady, ...) with why and when.</summary>
public sealed record ClusterCondition
{
    public required string Type { get; init; }
    /// <summary>True, False or Unknown, as Kubernetes conditions.</summary>
    public required string Status { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public DateTimeOffset LastTransitionTime { get; init; }
}

/// <summary>A stored cluster: the validated spec plus its life cycle.</summary>
public sealed record Cluster
{
    public required ProjectScope Scope { get; init; }
    /// <summary>Unique for the life of this cluster; names workflow executions and ownership tags.</summary>
    public required string Uid { get; init; }
    public required ClusterSpec Spec { get; init; }
    public required string Status { get; init; }
    public string? StatusReason { get; init; }
    /// <summary>The status before the last change, for the status change event.</summary>
    public string? PreviousStatus { get; init; }
    public List<ClusterCondition> Conditions { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Optimistic concurrency: every write checks the version it read and bumps it.</summary>
    public long Version { get; init; }
    /// <summary>
    /// The spec's generation: 1 at create, incremented by every accepted spec change (never by status writes,
    /// which bump <see cref="Version"/> only). A cluster stored before generations existed reads 0.
    /// </summary>
    public long Generation { get; init; }
    /// <summary>The generation the workflows last brought the cloud to; equal to <see cref="Generation"/> when nothing is pending.</summary>
    public long ObservedGeneration { get; init; }
    public DateTimeOffset? DeletingSince { get; init; }
    public DateTimeOffset? ForceDeleteAvailableAt { get; init; }
    /// <summary>Set by the delete workflow's 15-minute timer; the timer, not the wall clock alone, opens force delete.</summary>
    public bool ForceDeleteAvailable { get; init; }
    public DateTimeOffset? DeletedAt { get; init; }
    public string? ProvisionExecutionArn { get; init; }
    public string? DeleteExecutionArn { get; init; }
    /// <summary>The force delete workflow's execution, once an admin started it (one per cluster: its name is derived from the uid).</summary>
    public string? ForceDeleteExecutionArn { get; init; }
    /// <summary>What the force delete left behind, written when it marks the cluster Deleted.</summary>
    public Provisioning.ForceDeleteReport? ForceDeleteReport { get; init; }
    /// <summary>The update workflow's execution: at most one runs per cluster (the move to Updating is a conditional write).</summary>
    public string? UpdateExecutionArn { get; init; }
    /// <summary>How many update workflows were started; names the next execution and keeps status events' ids distinct.</summary>
    public long UpdateRuns { get; init; }
    /// <summary>
    /// The launch fingerprint of each pool as last applied (at Running, after create or an update): what a node
    /// that records no fingerprint of its own (launched before fingerprints existed) was launched with.
    /// </summary>
    public Dictionary<string, string>? AppliedFingerprints { get; init; }
    /// <summary>The cluster tags last put on its resources: an update adds what changed and removes what is gone.</summary>
    public Dictionary<string, string>? AppliedTags { get; init; }
    /// <summary>
    /// The cluster's pack values as last applied (at Running, after create or an update): an update changes the
    /// rules between the nodes' security groups only when the CNI's values need other protocols than these did.
    /// </summary>
    public Dictionary<string, string>? AppliedPackValues { get; init; }
    /// <summary>
    /// The remediation workflow's execution while one runs: at most one per cluster, taken and released by
    /// conditional writes (an update or a delete never waits for it; the remediation stops for them).
    /// </summary>
    public string? RemediationExecutionArn { get; init; }
    /// <summary>How many remediation workflows were started; names the next execution.</summary>
    public long RemediationRuns { get; init; }
    /// <summary>
    /// Requests to remediate (an instance event, the periodic check) that found a run holding the lock: the run judges
    /// the nodes again before it lets go, so a request that came after its last judgement is not lost.
    /// </summary>
    public long RemediationRequests { get; init; }
    /// <summary>Zones recently without capacity for a pool: a replacement tries them last (issue 14).</summary>
    public List<Remediation.CapacityShortage>? CapacityShortages { get; init; }
    /// <summary>The last OS patch run (settings.patchSchedule, or a patch asked for now), while it runs and after.</summary>
    public Patching.OsPatchRun? LastOsPatch { get; init; }

    public string Name => Spec.Name!;

    /// <summary>
    /// The spec as the product builds it: defaults applied, required fields non-null (<see cref="ClusterDefinition"/>).
    /// Made from <see cref="Spec"/> on every read (cheap), so a <c>with</c> that changes the spec never sees a stale one.
    /// </summary>
    [JsonIgnore]
    public ClusterDefinition Definition => ClusterDefinition.From(Spec);
}

/// <summary>Something that happened to a cluster, shown by GET .../clusters/{name}/events.</summary>
public sealed record ClusterEvent
{
    public required string Id { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>Normal or Warning, as Kubernetes events.</summary>
    public required string Type { get; init; }
    public required string Reason { get; init; }
    public required string Message { get; init; }
}
