using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;
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
        return location is null ? [] : await ListAsync(cloud.S3, location, ct);
    }

    /// <summary>The backups under a location, newest first.</summary>
    public static async Task<IReadOnlyList<BackupRecord>> ListAsync(IAmazonS3 s3, BackupLocation location, CancellationToken ct)
    {
        var names = await S3Folders.ListAsync(s3, location.Bucket, location.BackupsPrefix, ct);
        var records = new List<BackupRecord>();
        foreach (var name in names)
        {
            if (await ReadAsync(s3, location, name, ct) is { } record)
                records.Add(record);
        }
        return [.. records.OrderByDescending(r => r.StartedAt)];
    }

    /// <summary>One backup's record from its velero-backup.json; null while Velero has not uploaded it.</summary>
    public static async Task<BackupRecord?> ReadAsync(IAmazonS3 s3, BackupLocation location, string name, CancellationToken ct)
    {
        JsonNode? document;
        try
        {
            using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = location.Bucket, Key = location.BackupMetadataKey(name) }, ct);
            using var reader = new StreamReader(response.ResponseStream);
            document = JsonNode.Parse(await reader.ReadToEndAsync(ct));
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "NoSuchKey" or "NoSuchBucket")
        {
            return null;
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
        try
        {
            await cloud.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }, ct);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "NoSuchBucket" or "AccessDenied" or "AuthorizationHeaderMalformed" or "PermanentRedirect")
        {
            return false;
        }
    }

    private static DateTimeOffset? Time(JsonNode? value) =>
        value?.GetValue<string>() is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
