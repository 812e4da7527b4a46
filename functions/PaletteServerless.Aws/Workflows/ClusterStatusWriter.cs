using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Workflows;

/// <summary>The detail of a "Cluster Status Change" event; <see cref="EventId"/> is stable across redeliveries, for deduplication.</summary>
public sealed record ClusterStatusChange(
    string EventId, string Tenant, string Project, string Cluster, string Uid, string? PreviousStatus, string Status, string? Reason, DateTimeOffset At);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ClusterStatusChange))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;

/// <summary>
/// The workflows' one way to change what users see: status, conditions and events in the table
/// (conditional on the version read, retried on a race), then the EventBridge event. The event is
/// published after the write and again whenever a step is retried, so it arrives at least once,
/// always with the same id.
/// </summary>
public sealed class ClusterStatusWriter(IClusterStore clusters, EventBridgeClient events, string eventBusName, TimeProvider clock)
{
    public async Task<Cluster> LoadAsync(ProjectScope scope, string name, string uid, CancellationToken ct)
    {
        var cluster = await clusters.GetAsync(scope, name, ct);
        if (cluster is null || cluster.Uid != uid)
            throw new ClusterStateChangedException($"cluster {name} ({uid}) no longer exists");
        return cluster;
    }

    /// <summary>Moves the cluster to <paramref name="status"/> if that is a legal move; a repeat of the same move only republishes its event.</summary>
    /// <param name="alsoChange">More of the cluster to change in the same conditional write (e.g. the generation reached).</param>
    /// <param name="conditions">Conditions set in the same write, each with its event when it changes (as <see cref="SetConditionsAsync"/>).</param>
    public async Task<Cluster> MoveAsync(ProjectScope scope, string name, string uid, string status, string reason, CancellationToken ct, Func<Cluster, Cluster>? alsoChange = null,
        IReadOnlyList<(string Type, bool Ready, string Reason, string Message)>? conditions = null)
    {
        List<(string Type, bool Ready, string Reason, string Message)> changed = [];
        var (before, after) = await ChangeAsync(scope, name, uid, cluster =>
        {
            if (cluster.Status == status)
                return null;
            if (!ClusterStatus.CanMove(cluster.Status, status))
                throw new ClusterStateChangedException($"cluster {name} is {cluster.Status}; it cannot become {status}");
            changed = ChangedConditions(cluster, conditions ?? []);
            return changed.Aggregate((alsoChange ?? (c => c))(cluster), (c, n) => WithCondition(c, n.Type, n.Ready, n.Reason, n.Message)) with
            {
                Status = status,
                StatusReason = reason,
                PreviousStatus = cluster.Status,
                DeletedAt = status == ClusterStatus.Deleted ? clock.GetUtcNow() : cluster.DeletedAt,
            };
        }, ct);
        if (after is null)
        {
            await PublishAsync(before, before.PreviousStatus, ct);
            return before;
        }
        Observability.StatusMetrics.Emit(before, after, clock);
        // Side by side; each event's time is taken in this order, so the conditions read before the status they led to.
        await Task.WhenAll([
            .. changed.Select(n => clusters.AddEventAsync(after, Event(n.Ready ? "Normal" : "Warning", n.Type, n.Message), ct)),
            clusters.AddEventAsync(after, Event(status == ClusterStatus.Failed ? "Warning" : "Normal", status, reason), ct),
        ]);
        await PublishAsync(after, before.Status, ct);
        return after;
    }

    private static List<(string Type, bool Ready, string Reason, string Message)> ChangedConditions(
        Cluster cluster, IReadOnlyList<(string Type, bool Ready, string Reason, string Message)> conditions) =>
        conditions.Where(n => !cluster.Conditions.Any(c => c.Type == n.Type && c.Status == (n.Ready ? "True" : "False") && c.Reason == n.Reason)).ToList();

    /// <summary>Sets one condition (VpcReady, NatGatewaysReady, ...) and records an event when it changes.</summary>
    public async Task SetConditionAsync(ProjectScope scope, string name, string uid, string type, bool ready, string reason, string message, CancellationToken ct)
    {
        var status = ready ? "True" : "False";
        var (_, after) = await ChangeAsync(scope, name, uid, cluster =>
            cluster.Conditions.Any(c => c.Type == type && c.Status == status && c.Reason == reason)
                ? null
                : cluster with
                {
                    Conditions =
                    [
                        .. cluster.Conditions.Where(c => c.Type != type),
                        new ClusterCondition { Type = type, Status = status, Reason = reason, Message = message, LastTransitionTime = clock.GetUtcNow() },
                    ],
                }, ct);
        if (after is not null)
            await clusters.AddEventAsync(after, Event(ready ? "Normal" : "Warning", type, message), ct);
    }

    /// <summary>
    /// Sets several conditions in one conditional write, with an event for each that changed: a step
    /// that reports several at once costs the create one read and one write, not one of each per condition.
    /// </summary>
    public async Task SetConditionsAsync(ProjectScope scope, string name, string uid, IReadOnlyList<(string Type, bool Ready, string Reason, string Message)> conditions, CancellationToken ct)
    {
        List<(string Type, bool Ready, string Reason, string Message)> changed = [];
        var (_, after) = await ChangeAsync(scope, name, uid, cluster =>
        {
            changed = ChangedConditions(cluster, conditions);
            return changed.Count == 0 ? null : changed.Aggregate(cluster, (c, n) => WithCondition(c, n.Type, n.Ready, n.Reason, n.Message));
        }, ct);
        if (after is not null)
            await Task.WhenAll(changed.Select(n => clusters.AddEventAsync(after, Event(n.Ready ? "Normal" : "Warning", n.Type, n.Message), ct)));
    }

    /// <summary>The cluster with one condition set (replacing the one of its type), for a change written with a status move.</summary>
    public Cluster WithCondition(Cluster cluster, string type, bool ready, string reason, string message) => cluster with
    {
        Conditions =
        [
            .. cluster.Conditions.Where(c => c.Type != type),
            new ClusterCondition { Type = type, Status = ready ? "True" : "False", Reason = reason, Message = message, LastTransitionTime = clock.GetUtcNow() },
        ],
    };

    /// <summary>Sets a condition that reports progress: written, with an event, whenever its message changes.</summary>
    public async Task ReportProgressAsync(ProjectScope scope, string name, string uid, string type, string reason, string message, CancellationToken ct)
    {
        var (_, after) = await ChangeAsync(scope, name, uid, cluster =>
            cluster.Conditions.Any(c => c.Type == type && c.Reason == reason && c.Message == message)
                ? null
                : cluster with
                {
                    Conditions =
                    [
                        .. cluster.Conditions.Where(c => c.Type != type),
                        new ClusterCondition { Type = type, Status = "True", Reason = reason, Message = message, LastTransitionTime = clock.GetUtcNow() },
                    ],
                }, ct);
        if (after is not null)
            await clusters.AddEventAsync(after, Event("Normal", type, message), ct);
    }

    /// <summary>Explains the current status (e.g. what a delete waits for) without changing it.</summary>
    public Task ExplainAsync(ProjectScope scope, string name, string uid, string reason, CancellationToken ct) =>
        ChangeAsync(scope, name, uid, cluster => cluster.StatusReason == reason ? null : cluster with { StatusReason = reason }, ct);

    /// <summary>Opens force delete for a cluster still in Deleting (the delete workflow's 15-minute timer).</summary>
    public async Task OpenForceDeleteAsync(ProjectScope scope, string name, string uid, CancellationToken ct)
    {
        var (_, after) = await ChangeAsync(scope, name, uid, cluster =>
            cluster.Status != ClusterStatus.Deleting || cluster.ForceDeleteAvailable
                ? null
                : cluster with { ForceDeleteAvailable = true, ForceDeleteAvailableAt = clock.GetUtcNow() }, ct);
        if (after is null)
            return;
        // A delete still going after 15 minutes is stuck, though its workflow will end in success: counted for the alarm.
        Observability.JsonLog.Metric($"cluster {name}: deleting for 15 minutes, force delete available",
            new Dictionary<string, double> { [ProductMetrics.StuckDeletes] = 1 }, Observability.JsonLog.Of(after), clock: clock);
        await clusters.AddEventAsync(after, Event("Warning", "ForceDeleteAvailable",
            "the cluster has been deleting for 15 minutes: an admin may now force delete it (leftovers are reported and may cost money)"), ct);
    }

    /// <summary>
    /// Applies a change to the stored cluster, conditional on the version it read; on a race it reads
    /// again and re-applies, so neither writer loses its update. A change of null means "nothing to do".
    /// </summary>
    public async Task<(Cluster Before, Cluster? After)> ChangeAsync(ProjectScope scope, string name, string uid, Func<Cluster, Cluster?> change, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var cluster = await LoadAsync(scope, name, uid, ct);
            if (change(cluster) is not { } changed)
                return (cluster, null);
            try
            {
                return (cluster, await clusters.UpdateAsync(changed with { UpdatedAt = clock.GetUtcNow() }, cluster.Version, ct));
            }
            catch (ConflictException) when (attempt < 10)
            {
            }
        }
    }

    public async Task AddEventAsync(Cluster cluster, string type, string reason, string message, CancellationToken ct) =>
        await clusters.AddEventAsync(cluster, Event(type, reason, message), ct);

    /// <summary>Puts one event of the cluster (a detail type of <see cref="ClusterEvents"/>) on the product's bus; a failure is transient for the workflow.</summary>
    public async Task PublishAsync(Cluster cluster, string detailType, string detail, CancellationToken ct)
    {
        try
        {
            await events.PutEventsAsync(
            [
                new PutEventsRequestEntry
                {
                    Source = ClusterEvents.Source,
                    DetailType = detailType,
                    Detail = detail,
                    EventBusName = eventBusName,
                    Resources = [$"palette:cluster/{cluster.Scope.Tenant}/{cluster.Scope.Project}/{cluster.Name}"],
                    Time = clock.GetUtcNow(),
                },
            ], ct);
        }
        catch (Exception ex) when (ex is AwsServiceException or PutEventsFailedException or HttpRequestException)
        {
            throw new TransientCloudException($"the {detailType} event could not be published: " + ex.Message, ex);
        }
    }

    /// <summary>The "Cluster Leftover Resources" event of a force delete: what is left, where, why, and its hourly cost.</summary>
    public Task PublishLeftoversAsync(Cluster cluster, LeftoverReport report, CancellationToken ct) =>
        PublishAsync(cluster, ClusterEvents.LeftoversDetailType, JsonSerializer.Serialize(report, LeftoverJsonContext.Default.LeftoverReport), ct);

    private async Task PublishAsync(Cluster cluster, string? previousStatus, CancellationToken ct)
    {
        var detail = new ClusterStatusChange(
            // An update run moves the cluster through statuses it had before: the run keeps its events' ids apart.
            cluster.UpdateRuns == 0 ? $"{cluster.Uid}-{cluster.Status}" : $"{cluster.Uid}-{cluster.Status}-{cluster.UpdateRuns}", cluster.Scope.Tenant, cluster.Scope.Project, cluster.Name, cluster.Uid,
            previousStatus, cluster.Status, cluster.StatusReason, cluster.UpdatedAt);
        try
        {
            await events.PutEventsAsync(
            [
                new PutEventsRequestEntry
                {
                    Source = ClusterEvents.Source,
                    DetailType = ClusterEvents.StatusChangeDetailType,
                    Detail = JsonSerializer.Serialize(detail, StatusJsonContext.Default.ClusterStatusChange),
                    EventBusName = eventBusName,
                    Resources = [$"palette:cluster/{cluster.Scope.Tenant}/{cluster.Scope.Project}/{cluster.Name}"],
                    Time = cluster.UpdatedAt,
                },
            ], ct);
        }
        catch (Exception ex) when (ex is AwsServiceException or PutEventsFailedException or HttpRequestException)
        {
            // The status is stored; failing the step makes the workflow retry it, which republishes.
            throw new TransientCloudException("the status change event could not be published: " + ex.Message, ex);
        }
    }

    private ClusterEvent Event(string type, string reason, string message) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        At = clock.GetUtcNow(),
        Type = type,
        Reason = reason,
        Message = message,
    };
}
