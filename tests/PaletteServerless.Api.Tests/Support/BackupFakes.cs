using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Api.Tests.Support;

/// <summary>A backup location that holds one completed backup (<see cref="Completed"/>) and no scan; records the operations started.</summary>
public sealed class RecordingBackups : IBackupCatalog, IScanCatalog, IBackupWorkflow
{
    public const string Completed = "base-20260101000000";

    public List<BackupOperation> Started { get; } = [];

    public Task<IReadOnlyList<BackupRecord>> ListAsync(Cluster cluster, CloudAccount account, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<BackupRecord>>(
            [new BackupRecord(Completed, BackupPhases.Completed, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, $"s3://bucket/velero/backups/{Completed}")]);

    public Task<bool> BucketExistsAsync(Cluster cluster, CloudAccount account, string bucket, CancellationToken ct) => Task.FromResult(bucket != "missing-bucket");

    Task<IReadOnlyList<ScanRecord>> IScanCatalog.ListAsync(Cluster cluster, CloudAccount account, CancellationToken ct) => Task.FromResult<IReadOnlyList<ScanRecord>>([]);

    public Task StartAsync(Cluster cluster, BackupOperation operation, CancellationToken ct)
    {
        lock (Started)
            Started.Add(operation);
        return Task.CompletedTask;
    }
}
