using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Patching;
using PaletteServerless.Manifest;

namespace PaletteServerless.Steps.Patching;

/// <summary>The detail of the <see cref="ClusterEvents.OsPatchDetailType"/> event on the product's bus.</summary>
public sealed record OsPatchDetail(
    string Tenant, string Project, string Cluster, string Uid, string Reason, string Run, string Result, int NodesPatched, string Message,
    IReadOnlyList<string> FailedNodes);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OsPatchDetail))]
internal sealed partial class OsPatchJsonContext : JsonSerializerContext;

/// <summary>A patch run's events: on the cluster (<c>OsPatchStarted</c>, <c>OsPatchCompleted</c>, <c>OsPatchFailed</c>) and on the bus.</summary>
public static class OsPatchEvents
{
    public const string Started = "OsPatchStarted";
    public const string Completed = "OsPatchCompleted";
    public const string Failed = "OsPatchFailed";

    public static async Task AnnounceAsync(StepRuntime runtime, Cluster cluster, OsPatchRun run, string reason, string message, CancellationToken ct)
    {
        await runtime.Status.AddEventAsync(cluster, reason == Failed ? "Warning" : "Normal", reason, message, ct);
        var detail = new OsPatchDetail(cluster.Scope.Tenant, cluster.Scope.Project, cluster.Name, cluster.Uid, reason, run.Id, run.Result, run.NodesPatched, message,
            [.. run.Nodes.Where(n => n.State == OsPatchNode.Failed).Select(n => $"{n.InstanceId} ({n.Pool}): {n.Message}")]);
        await runtime.Status.PublishAsync(cluster, ClusterEvents.OsPatchDetailType, JsonSerializer.Serialize(detail, OsPatchJsonContext.Default.OsPatchDetail), ct);
        Aws.Observability.JsonLog.Write(reason == Failed ? "WARN" : "INFO", $"cluster {cluster.Name}: {message}", Aws.Observability.JsonLog.Of(cluster, run.Id), runtime.Clock);
    }

    /// <summary>The end of a run as its event says it.</summary>
    public static (string Reason, string Message) Ending(OsPatchRun run) => run.Result == OsPatchRun.Completed
        ? (Completed, $"OS patch run {run.Id} completed: {run.Message}")
        : (Failed, $"OS patch run {run.Id} failed: {run.Message}");
}
