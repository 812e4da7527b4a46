using System.Globalization;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Backups;

/// <summary>One backup as the API lists it: Velero's name and phase, when it started and ended, and where it is.</summary>
public sealed record BackupRecord(string Name, string Phase, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string Location);

/// <summary>What a backup or restore request asks of the in-cluster side (Velero's Backup or Restore object).</summary>
public sealed record BackupOperation
{
    public const string BackupKind = "backup";
    public const string RestoreKind = "restore";
    /// <summary>A security scan (kube-bench on each node role), run by the same workflow.</summary>
    public const string ScanKind = "scan";

    /// <summary><see cref="BackupKind"/> or <see cref="RestoreKind"/>.</summary>
    public required string Kind { get; init; }
    /// <summary>The Backup's or Restore's name (Velero's own: &lt;cluster&gt;-&lt;UTC time&gt;, a restore &lt;backup&gt;-&lt;UTC time&gt;).</summary>
    public required string Name { get; init; }
    /// <summary>For a restore: the backup it restores.</summary>
    public string? Backup { get; init; }
    /// <summary>For a backup: how long Velero keeps it (its ttl), in hours.</summary>
    public int? TtlHours { get; init; }
    public DateTimeOffset RequestedAt { get; init; }
}

/// <summary>Velero's phases, as its Backup and Restore objects carry them.</summary>
public static class BackupPhases
{
    public const string New = "New";
    public const string InProgress = "InProgress";
    public const string Completed = "Completed";
    public const string PartiallyFailed = "PartiallyFailed";
    public const string Failed = "Failed";
}

/// <summary>Reads what a cluster's backup location holds (the bucket Velero writes to).</summary>
public interface IBackupCatalog
{
    /// <summary>The backups in the cluster's location, newest first; empty when backups are off.</summary>
    Task<IReadOnlyList<BackupRecord>> ListAsync(Cluster cluster, CloudAccounts.CloudAccount account, CancellationToken ct);

    /// <summary>Whether the bucket a location names exists in the cluster's account and region (a 400 otherwise).</summary>
    Task<bool> BucketExistsAsync(Cluster cluster, CloudAccounts.CloudAccount account, string bucket, CancellationToken ct);
}

/// <summary>Starts the backup workflow of one operation (it writes the request for the in-cluster agent and waits for Velero's result).</summary>
public interface IBackupWorkflow
{
    Task StartAsync(Cluster cluster, BackupOperation operation, CancellationToken ct);
}

/// <summary>
/// Backups and restores of a cluster (<c>settings.backup</c>): a viewer lists them, an editor starts one on demand
/// (202: the workflow asks Velero through the in-cluster agent and reports BackupCompleted or BackupFailed).
/// </summary>
public sealed class BackupService(IClusterStore clusters, ICloudAccountStore accounts, IBackupCatalog catalog, IBackupWorkflow workflow, TimeProvider clock)
{
    public async Task<IReadOnlyList<BackupRecord>> ListAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var cluster = await clusters.GetAsync(scope, name, ct) ?? throw new NotFoundException($"cluster '{name}' not found");
        if (cluster.Spec.Settings?.Backup is not { Enabled: true })
            return [];
        return await catalog.ListAsync(cluster, await AccountAsync(cluster, ct), ct);
    }

    /// <summary>Starts a backup now; returns what it will be called.</summary>
    public async Task<BackupOperation> StartBackupAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        var cluster = await ReadyAsync(scope, name, ct);
        var now = clock.GetUtcNow();
        var operation = new BackupOperation
        {
            Kind = BackupOperation.BackupKind,
            Name = $"{cluster.Name}-{Stamp(now)}",
            TtlHours = (cluster.Spec.Settings!.Backup!.RetentionDays ?? DefaultRetentionDays) * 24,
            RequestedAt = now,
        };
        await StartAsync(cluster, operation, ct);
        return operation;
    }

    /// <summary>Starts a restore of <paramref name="backup"/> (a completed backup of the cluster) into the cluster.</summary>
    public async Task<BackupOperation> StartRestoreAsync(Caller caller, ProjectScope scope, string name, string? backup, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        var rules = new Rules();
        if (rules.Required("backup", backup))
            rules.MaxLength("backup", backup, 63);
        rules.ThrowIfInvalid();
        var cluster = await ReadyAsync(scope, name, ct);
        var found = (await catalog.ListAsync(cluster, await AccountAsync(cluster, ct), ct)).FirstOrDefault(b => b.Name == backup)
            ?? throw new NotFoundException($"cluster '{name}' has no backup '{backup}'");
        if (found.Phase != BackupPhases.Completed)
            throw new ConflictException($"backup '{backup}' is {found.Phase}: only a Completed backup can be restored");
        var now = clock.GetUtcNow();
        var operation = new BackupOperation { Kind = BackupOperation.RestoreKind, Name = $"{backup}-{Stamp(now)}", Backup = backup, RequestedAt = now };
        await StartAsync(cluster, operation, ct);
        return operation;
    }

    /// <summary>Velero's default ttl is 30 days; a cluster's retentionDays sets it.</summary>
    public const int DefaultRetentionDays = 30;

    private async Task<Cluster> ReadyAsync(ProjectScope scope, string name, CancellationToken ct)
    {
        var cluster = await clusters.GetAsync(scope, name, ct) ?? throw new NotFoundException($"cluster '{name}' not found");
        if (cluster.Spec.Settings?.Backup is not { Enabled: true })
            throw new ConflictException($"cluster '{name}' has settings.backup.enabled false: turn backups on first");
        if (cluster.Status != ClusterStatus.Running)
            throw new ConflictException($"cluster '{name}' is {cluster.Status}: backups and restores run on a Running cluster");
        return cluster;
    }

    private async Task<CloudAccounts.CloudAccount> AccountAsync(Cluster cluster, CancellationToken ct) =>
        await accounts.GetAsync(cluster.Scope, cluster.Definition.CloudAccount, ct)
            ?? throw new ConflictException($"cloud account '{cluster.Definition.CloudAccount}' of cluster '{cluster.Name}' is gone");

    private async Task StartAsync(Cluster cluster, BackupOperation operation, CancellationToken ct)
    {
        try
        {
            await workflow.StartAsync(cluster, operation, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not DomainException)
        {
            throw new ServiceUnavailableException($"the backup workflow could not be started; nothing was asked of the cluster, try again", ex);
        }
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
}
