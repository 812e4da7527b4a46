using System.Globalization;
using System.Text.Json.Nodes;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// What a cluster's backup location holds, read as Velero lays it out: one "directory" per backup under
/// <c>&lt;prefix&gt;/backups/</c>, whose <c>velero-backup.json</c> (uploaded when the backup ends) is the Backup object
/// with its status (phase, startTimestamp, completionTimestamp). Read through the cluster's account with the
/// calling function's own actions (s3:ListBucket, s3:GetObject).
/// </summary>
public sealed class BackupCatalog(ICloudSessionOpener sessions, IInventoryStore inventory, TimeProvider clock, string? function = null) : IBackupCatalog
{
    private readonly string _function = function ?? FunctionCatalog.Api.Name;

    public async Task<IReadOnlyList<BackupRecord>> ListAsync(Cluster cluster, CloudAccount account, CancellationToken ct)
    {
        using var cloud = await sessions.OpenAsync(account, cluster.Definition.Cloud.Region, SessionScope.OfCluster(_function, cluster, $"backups-{cluster.Uid}"), ct);
        var resources = await ClusterResources.LoadAsync(cluster, cloud, inventory, clock, ct);
        if (resources.Cluster.Definition.Cloud.Placement.IsDynamic && resources.Find(Domain.Provisioning.ResourceKinds.Vpc) is null)
            return [];
        var location = BackupLocation.Of(cluster, DesiredStateKind.VpcOf(resources));
        return location is null ? [] : await ListAsync(cloud.Buckets, location, ct);
    }

    /// <summary>The backups under a location, newest first.</summary>
    public static async Task<IReadOnlyList<BackupRecord>> ListAsync(IBackupBuckets buckets, BackupLocation location, CancellationToken ct)
    {
        var names = await buckets.ListFoldersAsync(location.Bucket, location.BackupsPrefix, ct);
        var records = new List<BackupRecord>();
        foreach (var name in names)
        {
            if (await ReadAsync(buckets, location, name, ct) is { } record)
                records.Add(record);
        }
        return [.. records.OrderByDescending(r => r.StartedAt)];
    }

    /// <summary>One backup's record from its velero-backup.json; null while Velero has not uploaded it.</summary>
    public static async Task<BackupRecord?> ReadAsync(IBackupBuckets buckets, BackupLocation location, string name, CancellationToken ct)
    {
        if (await buckets.ReadAsync(location.Bucket, location.BackupMetadataKey(name), ct) is not { } stored)
            return null;
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(stored.Text);
        }
        catch (System.Text.Json.JsonException)
        {
            return new BackupRecord(name, BackupPhases.Failed, null, null, $"s3://{location.Bucket}/{location.Prefix}/backups/{name}");
        }
        var status = document?["status"];
        return new BackupRecord(name, status?["phase"]?.GetValue<string>() ?? BackupPhases.New, Time(status?["startTimestamp"]), Time(status?["completionTimestamp"]),
            $"s3://{location.Bucket}/{location.Prefix}/backups/{name}");
    }

    public async Task<bool> BucketExistsAsync(Cluster cluster, CloudAccount account, string bucket, CancellationToken ct)
    {
        using var cloud = await sessions.OpenAsync(account, cluster.Definition.Cloud.Region, SessionScope.OfProject(_function, cluster.Scope, "palette-backup-location"), ct);
        // Another account's or another region's bucket is no location for this cluster.
        return (await cloud.Buckets.StatusAsync(bucket, ct)).Usable;
    }

    private static DateTimeOffset? Time(JsonNode? value) =>
        value?.GetValue<string>() is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
