using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Api.Tests.Support;

/// <summary>Records each workflow start and answers with the execution ARN Step Functions would give.</summary>
public sealed class RecordingWorkflowStarter : IWorkflowStarter
{
    public ConcurrentQueue<(string Operation, Cluster Cluster)> Started { get; } = new();

    public Task<string> StartProvisioningAsync(Cluster cluster, CancellationToken ct) => Record("provision", cluster);

    public Task<string> StartDeletionAsync(Cluster cluster, CancellationToken ct) => Record("delete", cluster);

    private Task<string> Record(string operation, Cluster cluster)
    {
        Started.Enqueue((operation, cluster));
        return Task.FromResult($"arn:aws:states:us-east-1:123456789012:execution:{operation}:{operation}-{cluster.Uid}");
    }
}

/// <summary>A workflow engine that cannot be reached, as when Step Functions is down.</summary>
public sealed class UnreachableWorkflowStarter : IWorkflowStarter
{
    public Task<string> StartProvisioningAsync(Cluster cluster, CancellationToken ct) =>
        throw new HttpRequestException("connection refused (states.us-east-1.amazonaws.com)");

    public Task<string> StartDeletionAsync(Cluster cluster, CancellationToken ct) =>
        throw new HttpRequestException("connection refused (states.us-east-1.amazonaws.com)");
}

/// <summary>Force delete without a cloud: records the call and marks the cluster Deleted, as the real one does when nothing is left.</summary>
public sealed class RecordingForceDeleter(IClusterStore clusters, TimeProvider clock) : IForceDeleter
{
    public ConcurrentQueue<(Cluster Cluster, Caller Caller)> Calls { get; } = new();

    public async Task<JsonObject> ForceDeleteAsync(Cluster cluster, Caller caller, CancellationToken ct)
    {
        Calls.Enqueue((cluster, caller));
        var now = clock.GetUtcNow();
        var deleted = await clusters.UpdateAsync(
            cluster with { Status = ClusterStatus.Deleted, StatusReason = $"force deleted by {caller.Subject}", DeletedAt = now, UpdatedAt = now },
            cluster.Version, ct);
        return new JsonObject { ["cluster"] = cluster.Name, ["status"] = deleted.Status, ["leftovers"] = new JsonArray() };
    }
}

/// <summary>Preflight without a cloud: answers the problems a test sets (none by default) and records what it was asked.</summary>
public sealed class ScriptedPreflight : IPreflight
{
    public List<string> Problems { get; } = [];
    public List<Cluster> Checked { get; } = [];

    public Task<IReadOnlyList<string>> CheckAsync(Cluster cluster, PaletteServerless.Domain.CloudAccounts.CloudAccount account, CancellationToken ct)
    {
        Checked.Add(cluster);
        return Task.FromResult<IReadOnlyList<string>>([.. Problems]);
    }
}
