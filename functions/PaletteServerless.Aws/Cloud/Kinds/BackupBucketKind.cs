using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using InventoryItem = PaletteServerless.Domain.Provisioning.InventoryItem;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// The backup bucket the product creates for a cluster whose <c>settings.backup.location</c> is empty: recorded in
/// the inventory before it is made (<see cref="IBackupBuckets.EnsureAsync"/>), then tagged as every resource of the
/// cluster, Block Public Access on (all four), default encryption SSE-S3, and one lifecycle rule expiring every object
/// after <c>retentionDays</c> (so Velero's backups outlive neither their retention nor the cluster by more). Each call
/// puts the configuration again: safe to repeat, and a changed retention reaches the rule.
///
/// On delete the bucket goes only once it is empty: while a backup in it has not expired it stays (a user
/// deleting a cluster keeps its backups for their retention), forgotten by the cluster's inventory but still
/// tagged with the cluster's uid, so the orphan sweep finds it and removes it once its lifecycle emptied it.
/// </summary>
public sealed class BackupBucketKind(ClusterResources resources) : IDeletableKind
{
    public const string Role = "backups";

    /// <summary>The lifecycle rule's id.</summary>
    public const string RetentionRule = IBackupBuckets.RetentionRule;

    private IBackupBuckets Buckets => resources.Cloud.Buckets;

    /// <summary>Makes the cluster's bucket (<see cref="BackupLocation.BucketName"/>) exist, configured.</summary>
    public async Task EnsureAsync(string name, CancellationToken ct)
    {
        if (resources.All(ResourceKinds.Bucket).All(i => i.Id != name))
            await resources.RecordAsync(new InventoryItem { Kind = ResourceKinds.Bucket, Id = name, Role = Role, Name = name, RecordedAt = resources.Clock.GetUtcNow() }, ct);
        var days = resources.Cluster.Spec.Settings?.Backup?.RetentionDays ?? BackupService.DefaultRetentionDays;
        await Buckets.EnsureAsync(new ProtectedBucket(name, ResourceTags.For(resources.Cluster, name, Role), days), ct);
    }

    /// <summary>Deletes each recorded bucket that is empty; one that still holds backups is left to its lifecycle and the orphan sweep.</summary>
    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct) =>
        await DeletePass.EachAsync(resources.All(ResourceKinds.Bucket), async item =>
        {
            BucketStatus status;
            try
            {
                status = await Buckets.StatusAsync(item.Id, ct);
            }
            catch (CloudServiceException ex)
            {
                pass.Wait($"bucket {item.Id}: {ex.Code}: {ex.Message}");
                return false;
            }
            if (status.State == BucketState.Unreachable)
            {
                pass.Wait($"bucket {item.Id}: {status.Reason}");
                return false;
            }
            if (status.State == BucketState.HoldsObjects)
            {
                // Kept for its backups' retention, still tagged with the cluster's uid. The cluster's own delete forgets it and
                // finishes; the orphan sweep (the cluster is gone) reports it, and removes it once its lifecycle emptied it.
                if (resources.Cluster.Status == Domain.Clusters.ClusterStatus.Deleted)
                {
                    pass.Wait($"bucket {item.Id} holds backups that have not expired yet (its lifecycle expires them after {resources.Cluster.Spec.Settings?.Backup?.RetentionDays?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "the retention"} days); removed once empty");
                    return false;
                }
                await resources.ForgetAsync(item, ct);
                return true;
            }
            if (status.State == BucketState.Empty)
            {
                var deleted = false;
                if (!await pass.Attempt($"delete bucket {item.Id}", async () => deleted = await Buckets.DeleteIfEmptyAsync(item.Id, ct)))
                    return false;
                if (!deleted)
                {
                    pass.Wait($"bucket {item.Id} received objects while it was being deleted");
                    return false;
                }
            }
            // Gone, or deleted now.
            await resources.ForgetAsync(item, ct);
            return true;
        });
}
