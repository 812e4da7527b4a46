using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Workflows;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LeftoverReport))]
internal sealed partial class LeftoverJsonContext : JsonSerializerContext;

/// <summary>
/// Force delete (product doc): stops the delete workflow, sweeps what carries the cluster's
/// ownership tag and removes what it can, then sets Deleted and reports every resource still
/// there, with why and what it costs, in the response, the events and an EventBridge event.
/// </summary>
public sealed class ForceDeleter(
    StepFunctionsClient stepFunctions, ICloudSessionOpener sessions, ICloudAccountStore accounts, IInventoryStore inventory, ClusterStatusWriter status,
    EventBridgeClient events, string eventBusName, TimeProvider clock) : IForceDeleter
{
    public async Task<ForceDeleteReport> ForceDeleteAsync(Cluster cluster, Caller caller, CancellationToken ct)
    {
        if (cluster.DeleteExecutionArn is { } executionArn)
        {
            try
            {
                await stepFunctions.StopExecutionAsync(executionArn, "ForceDeleted", $"force delete by {caller.Subject}", ct);
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "ExecutionDoesNotExist")
            {
                // Already gone: nothing to stop.
            }
        }
        var account = await accounts.GetAsync(cluster.Scope, cluster.Spec.CloudAccount!, ct) ?? new CloudAccount { Name = cluster.Spec.CloudAccount };
        using var cloud = await sessions.OpenAsync(account, cluster.Spec.Cloud!.Region!, $"palette-{cluster.Uid}", ct);
        var resources = await ClusterResources.LoadAsync(cluster, cloud, inventory, clock, ct);
        var leftovers = await LeftoverFinder.SweepAsync(resources, ct);
        var report = LeftoverReport.Of(cluster.Name, leftovers, clock.GetUtcNow());
        var reason = leftovers.Count == 0
            ? $"force deleted by {caller.Subject}; nothing of the cluster remains"
            : $"force deleted by {caller.Subject}; {leftovers.Count} resource(s) remain and cost about ${report.EstimatedHourlyCostUsd:0.####}/hour: "
              + string.Join("; ", leftovers.Select(l => $"{l.Type} {l.Id} ({l.Reason})"));
        var deleted = await status.MoveAsync(cluster.Scope, cluster.Name, cluster.Uid, ClusterStatus.Deleted, reason, ct);
        await status.AddEventAsync(deleted, leftovers.Count == 0 ? "Normal" : "Warning", "LeftoverResources", reason, ct);
        var json = JsonSerializer.Serialize(report, LeftoverJsonContext.Default.LeftoverReport);
        await events.PutEventsAsync(
        [
            new PutEventsRequestEntry
            {
                Source = ClusterEvents.Source,
                DetailType = ClusterEvents.LeftoversDetailType,
                Detail = json,
                EventBusName = eventBusName,
                Resources = [$"palette:cluster/{cluster.Scope.Tenant}/{cluster.Scope.Project}/{cluster.Name}"],
            },
        ], ct);
        return ForceDeleteReport.Of(report, deleted.Status, reason);
    }
}
