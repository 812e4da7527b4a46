using System.IO.Compression;
using System.Text.Json.Nodes;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Manifest;

namespace PaletteServerless.Steps.Backups;

/// <summary>
/// Has Velero finished the workflow's operation? A backup is done when its <c>velero-backup.json</c> is in the bucket
/// (Velero uploads it when the backup ends): Completed is BackupCompleted, any other phase BackupFailed. A restore is
/// done when its results (<c>restore-&lt;name&gt;-results.gz</c>) are there: no errors is RestoreCompleted, else
/// RestoreFailed with the first. Nothing after <see cref="MaxPolls"/> polls is the Failed event, saying so. Each end
/// is a cluster event and a "Cluster Backup" event on the bus.
/// </summary>
public sealed class BackupCheckStep(StepRuntime runtime)
{
    /// <summary>Polls of the agent's interval (30 minutes).</summary>
    public const int MaxPolls = 60;

    public BackupCheckStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var operation = step.Input.Backup ?? throw new ArgumentException("the step input has no backup operation");
        var cluster = await step.ClusterAsync(ct);
        var resources = await step.ResourcesAsync(ct);
        var vpc = DesiredStateKind.VpcOf(resources);
        var location = BackupLocation.Of(cluster, vpc);
        var restore = operation.Kind == BackupOperation.RestoreKind;
        if (operation.Kind == BackupOperation.ScanKind)
            return await ScanAsync(step, cluster, ScanLocation.Bucket(cluster, vpc), resources.Cloud.Buckets, operation, ct);
        // The request could not be written (the Catch of RequestBackup), or backups were turned off since: ended, failed.
        var (done, ok, message) = step.Input.Error is { } error ? (true, false, $"{operation.Kind} {operation.Name}: {Provisioning.MarkFailedStep.Reason(error)}")
            : location is null ? (true, false, $"{operation.Kind} {operation.Name}: settings.backup was turned off, so it was dropped")
            : restore ? await RestoreResultAsync(resources.Cloud.Buckets, location, operation, ct)
            : await BackupResultAsync(resources.Cloud.Buckets, location, operation, ct);
        if (!done)
        {
            if ((step.Input.Polls?.N ?? 0) < MaxPolls)
                return new StepResult { Ready = false, WaitSeconds = InClusterAgent.IntervalSeconds };
            (ok, message) = (false, $"no result from Velero within {MaxPolls * InClusterAgent.IntervalSeconds / 60} minutes (is the in-cluster agent running?)");
        }
        var reason = (restore, ok) switch
        {
            (false, true) => ClusterEvents.BackupCompleted,
            (false, false) => ClusterEvents.BackupFailed,
            (true, true) => ClusterEvents.RestoreCompleted,
            (true, false) => ClusterEvents.RestoreFailed,
        };
        await runtime.Status.AddEventAsync(cluster, ok ? "Normal" : "Warning", reason, message, ct);
        var detail = new JsonObject
        {
            ["reason"] = reason, ["tenant"] = cluster.Scope.Tenant, ["project"] = cluster.Scope.Project, ["cluster"] = cluster.Name, ["uid"] = cluster.Uid,
            ["kind"] = operation.Kind, ["name"] = operation.Name, ["backup"] = operation.Backup, ["location"] = location?.Uri, ["message"] = message,
        };
        await runtime.Status.PublishAsync(cluster, ClusterEvents.BackupDetailType, detail.ToJsonString(), ct);
        return StepResult.Finished;
    });

    /// <summary>A scan: done when every node role's kube-bench result is in the bucket; ScanCompleted with the counts.</summary>
    private async Task<StepResult> ScanAsync(StepContext step, Domain.Clusters.Cluster cluster, string? bucket, IBackupBuckets buckets, BackupOperation operation, CancellationToken ct)
    {
        string reason, message;
        ScanRecord? record = null;
        if (step.Input.Error is { } error)
            (reason, message) = (ClusterEvents.ScanFailed, $"scan {operation.Name}: {Provisioning.MarkFailedStep.Reason(error)}");
        else if (bucket is null)
            (reason, message) = (ClusterEvents.ScanFailed, $"scan {operation.Name}: settings.securityScans was turned off, so it was dropped");
        else
        {
            record = await Aws.Cloud.ScanCatalog.ReadAsync(buckets, bucket, operation.Name, ScanLocation.NodeRoles(cluster), ct);
            if (record.Phase != "Completed" && (step.Input.Polls?.N ?? 0) < MaxPolls)
                return new StepResult { Ready = false, WaitSeconds = InClusterAgent.IntervalSeconds };
            (reason, message) = record.Phase == "Completed"
                ? (ClusterEvents.ScanCompleted, $"scan {operation.Name} (kube-bench, {string.Join(" and ", record.NodeRoles)}): pass {record.Pass}, fail {record.Fail}, warn {record.Warn}"
                    + (record.Failed.Count == 0 ? "" : "; failed: " + string.Join(", ", record.Failed.Select(f => f.Id).Distinct().Take(10))))
                : (ClusterEvents.ScanFailed, $"scan {operation.Name}: no result from kube-bench for {string.Join(", ", ScanLocation.NodeRoles(cluster).Except(record.NodeRoles))} within {MaxPolls * InClusterAgent.IntervalSeconds / 60} minutes");
        }
        await runtime.Status.AddEventAsync(cluster, reason == ClusterEvents.ScanCompleted ? "Normal" : "Warning", reason, message, ct);
        var detail = new JsonObject
        {
            ["reason"] = reason, ["tenant"] = cluster.Scope.Tenant, ["project"] = cluster.Scope.Project, ["cluster"] = cluster.Name, ["uid"] = cluster.Uid,
            ["kind"] = operation.Kind, ["name"] = operation.Name, ["location"] = record?.Location, ["message"] = message,
            ["pass"] = record?.Pass, ["fail"] = record?.Fail, ["warn"] = record?.Warn,
        };
        await runtime.Status.PublishAsync(cluster, ClusterEvents.BackupDetailType, detail.ToJsonString(), ct);
        return StepResult.Finished;
    }

    private static async Task<(bool Done, bool Ok, string Message)> BackupResultAsync(IBackupBuckets buckets, BackupLocation location, BackupOperation operation, CancellationToken ct)
    {
        var record = await Aws.Cloud.BackupCatalog.ReadAsync(buckets, location, operation.Name, ct);
        if (record is null || record.Phase is BackupPhases.New or BackupPhases.InProgress)
            return (false, false, "");
        return record.Phase == BackupPhases.Completed
            ? (true, true, $"backup {operation.Name} completed at {record.CompletedAt:u} in {record.Location}")
            : (true, false, $"backup {operation.Name} ended {record.Phase} in {record.Location}");
    }

    private static async Task<(bool Done, bool Ok, string Message)> RestoreResultAsync(IBackupBuckets buckets, BackupLocation location, BackupOperation operation, CancellationToken ct)
    {
        // Not there yet (or its bucket is gone: Velero cannot write it either, and the polls run out).
        if (await buckets.ReadAsync(location.Bucket, location.RestoreResultsKey(operation.Name), ct) is not { } stored)
            return (false, false, "");
        JsonNode? results;
        try
        {
            await using var gzip = new GZipStream(new MemoryStream(stored.Content.ToArray()), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip);
            results = JsonNode.Parse(await reader.ReadToEndAsync(ct));
        }
        catch (Exception ex) when (ex is InvalidDataException or System.Text.Json.JsonException)
        {
            return (true, false, $"restore {operation.Name}: its results could not be read: {ex.Message}");
        }
        var errors = Messages(results?["errors"]);
        return errors.Count == 0
            ? (true, true, $"restore {operation.Name} of backup {operation.Backup} completed")
            : (true, false, $"restore {operation.Name} of backup {operation.Backup} failed: {string.Join("; ", errors.Take(3))}");
    }

    /// <summary>Velero's results: {velero: [..], cluster: [..], namespaces: {ns: [..]}}.</summary>
    private static List<string> Messages(JsonNode? section)
    {
        var messages = new List<string>();
        if (section is not JsonObject groups)
            return messages;
        foreach (var (_, value) in groups)
        {
            if (value is JsonArray list)
                messages.AddRange(list.Select(m => m?.ToString() ?? ""));
            else if (value is JsonObject namespaces)
                messages.AddRange(namespaces.SelectMany(n => (n.Value as JsonArray ?? []).Select(m => $"{n.Key}: {m}")));
        }
        return messages;
    }
}
