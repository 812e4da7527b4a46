using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

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
    public const string Source = "palette.serverless";
    public const string StatusChangeDetailType = "Cluster Status Change";

    public async Task<Cluster> LoadAsync(ProjectScope scope, string name, string uid, CancellationToken ct)
    {
        var cluster = await clusters.GetAsync(scope, name, ct);
        if (cluster is null || cluster.Uid != uid)
            throw new ClusterStateChangedException($"cluster {name} ({uid}) no longer exists");
        return cluster;
    }

    /// <summary>Moves the cluster to <paramref name="status"/> if that is a legal move; a repeat of the same move only republishes its event.</summary>
    public async Task<Cluster> MoveAsync(ProjectScope scope, string name, string uid, string status, string reason, CancellationToken ct, Func<Cluster, Cluster>? also = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var cluster = await LoadAsync(scope, name, uid, ct);
            if (cluster.Status == status)
            {
                await PublishAsync(cluster, cluster.PreviousStatus, ct);
                return cluster;
            }
            if (!ClusterStatus.CanMove(cluster.Status, status))
                throw new ClusterStateChangedException($"cluster {name} is {cluster.Status}; it cannot become {status}");
            var now = clock.GetUtcNow();
            var changed = (also?.Invoke(cluster) ?? cluster) with
            {
                Status = status,
                StatusReason = reason,
                UpdatedAt = now,
                PreviousStatus = cluster.Status,
                DeletedAt = status == ClusterStatus.Deleted ? now : cluster.DeletedAt,
            };
            try
            {
                changed = await clusters.UpdateAsync(changed, cluster.Version, ct);
            }
            catch (ConflictException) when (attempt < 10)
            {
                continue;
            }
            await clusters.AddEventAsync(changed, Event(status == ClusterStatus.Failed ? "Warning" : "Normal", status, reason), ct);
            await PublishAsync(changed, cluster.Status, ct);
            return changed;
        }
    }

    /// <summary>Sets one condition (VpcReady, NatGatewaysReady, ...) and records an event when it changes.</summary>
    public async Task SetConditionAsync(ProjectScope scope, string name, string uid, string type, bool ready, string reason, string message, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var cluster = await LoadAsync(scope, name, uid, ct);
            var status = ready ? "True" : "False";
            if (cluster.Conditions.Any(c => c.Type == type && c.Status == status && c.Reason == reason))
                return;
            var now = clock.GetUtcNow();
            var conditions = cluster.Conditions.Where(c => c.Type != type).ToList();
            conditions.Add(new ClusterCondition { Type = type, Status = status, Reason = reason, Message = message, LastTransitionTime = now });
            try
            {
                var changed = await clusters.UpdateAsync(cluster with { Conditions = conditions, UpdatedAt = now }, cluster.Version, ct);
                await clusters.AddEventAsync(changed, Event(ready ? "Normal" : "Warning", type, message), ct);
                return;
            }
            catch (ConflictException) when (attempt < 10)
            {
            }
        }
    }

    /// <summary>Explains the current status (e.g. what a delete waits for) without changing it.</summary>
    public async Task ExplainAsync(ProjectScope scope, string name, string uid, string reason, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var cluster = await LoadAsync(scope, name, uid, ct);
            if (cluster.StatusReason == reason)
                return;
            try
            {
                await clusters.UpdateAsync(cluster with { StatusReason = reason, UpdatedAt = clock.GetUtcNow() }, cluster.Version, ct);
                return;
            }
            catch (ConflictException) when (attempt < 10)
            {
            }
        }
    }

    /// <summary>Opens force delete for a cluster still in Deleting (the delete workflow's 15-minute timer).</summary>
    public async Task OpenForceDeleteAsync(ProjectScope scope, string name, string uid, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var cluster = await LoadAsync(scope, name, uid, ct);
            if (cluster.Status != ClusterStatus.Deleting || cluster.ForceDeleteAvailable)
                return;
            var now = clock.GetUtcNow();
            try
            {
                var changed = await clusters.UpdateAsync(cluster with { ForceDeleteAvailable = true, ForceDeleteAvailableAt = now, UpdatedAt = now }, cluster.Version, ct);
                await clusters.AddEventAsync(changed, Event("Warning", "ForceDeleteAvailable",
                    "the cluster has been deleting for 15 minutes: an admin may now force delete it (leftovers are reported and may cost money)"), ct);
                return;
            }
            catch (ConflictException) when (attempt < 10)
            {
            }
        }
    }

    public async Task AddEventAsync(Cluster cluster, string type, string reason, string message, CancellationToken ct) =>
        await clusters.AddEventAsync(cluster, Event(type, reason, message), ct);

    private async Task PublishAsync(Cluster cluster, string? previousStatus, CancellationToken ct)
    {
        var detail = new ClusterStatusChange(
            $"{cluster.Uid}-{cluster.Status}", cluster.Scope.Tenant, cluster.Scope.Project, cluster.Name, cluster.Uid,
            previousStatus, cluster.Status, cluster.StatusReason, cluster.UpdatedAt);
        try
        {
            await events.PutEventsAsync(
            [
                new PutEventsRequestEntry
                {
                    Source = Source,
                    DetailType = StatusChangeDetailType,
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
