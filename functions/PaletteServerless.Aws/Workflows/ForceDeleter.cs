using System.Text.Json.Nodes;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Aws.Workflows;

/// <summary>
/// Force delete: stops the delete workflow, then lists everything that still carries the
/// cluster's ownership tag and reports it, so that nothing that keeps costing money goes unseen.
/// </summary>
public sealed class ForceDeleter(StepFunctionsClient stepFunctions, TaggingClient tagging, IClusterStore clusters, TimeProvider clock)
    : IForceDeleter
{
    public async Task<JsonObject> ForceDeleteAsync(Cluster cluster, Caller caller, CancellationToken ct)
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
        var leftovers = await tagging.GetAllResourcesAsync(new GetResourcesRequest
        {
            TagFilters = [new TagFilter(OwnershipTags.ClusterUid, [cluster.Uid])],
        }, ct);
        var now = clock.GetUtcNow();
        var reason = leftovers.Count == 0
            ? $"force deleted by {caller.Subject}; nothing tagged for the cluster remains"
            : $"force deleted by {caller.Subject}; {leftovers.Count} resource(s) tagged for the cluster remain and may cost money";
        var deleted = await clusters.UpdateAsync(cluster with
        {
            Status = ClusterStatus.Deleted,
            StatusReason = reason,
            DeletedAt = now,
            UpdatedAt = now,
        }, cluster.Version, ct);
        var report = new JsonArray(leftovers.Select(r => (JsonNode)new JsonObject
        {
            ["arn"] = r.ResourceArn,
            ["reason"] = "still exists after force delete",
        }).ToArray());
        await clusters.AddEventAsync(deleted, new ClusterEvent
        {
            Id = Guid.NewGuid().ToString("N"),
            At = now,
            Type = leftovers.Count == 0 ? "Normal" : "Warning",
            Reason = "ForceDeleted",
            Message = reason,
        }, ct);
        return new JsonObject { ["cluster"] = cluster.Name, ["status"] = deleted.Status, ["leftovers"] = report };
    }
}
