using Amazon.S3;
using Amazon.S3.Model;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Provisioning;
using InventoryItem = PaletteServerless.Domain.Provisioning.InventoryItem;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// The backup bucket the product creates for a cluster whose <c>settings.backup.location</c> is empty: recorded in
/// the inventory before CreateBucket, then tagged as every resource of the cluster, Block Public Access on (all
/// four), default encryption SSE-S3, and one lifecycle rule expiring every object after <c>retentionDays</c> (so
/// Velero's backups outlive neither their retention nor the cluster by more). Each call puts the configuration
/// again: safe to repeat, and a changed retention reaches the rule.
///
/// On delete the bucket goes only once it is empty: while a backup in it has not expired it stays (a user
/// deleting a cluster keeps its backups for their retention), forgotten by the cluster's inventory but still
/// tagged with the cluster's uid, so the orphan sweep finds it and removes it once its lifecycle emptied it.
/// </summary>
public sealed class BackupBucketKind(ClusterResources resources) : IDeletableKind
{
    public const string Role = "backups";

    /// <summary>The lifecycle rule's id.</summary>
    public const string RetentionRule = "palette-backup-retention";

    private IAmazonS3 S3 => resources.Cloud.S3;

    /// <summary>Makes the cluster's bucket (<see cref="BackupLocation.BucketName"/>) exist, configured.</summary>
    public async Task EnsureAsync(string name, CancellationToken ct)
    {
        if (resources.All(ResourceKinds.Bucket).All(i => i.Id != name))
            await resources.RecordAsync(new InventoryItem { Kind = ResourceKinds.Bucket, Id = name, Role = Role, Name = name, RecordedAt = resources.Clock.GetUtcNow() }, ct);
        try
        {
            await S3.PutBucketAsync(new PutBucketRequest { BucketName = name, UseClientRegion = true }, ct);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou")
        {
            // Made by an earlier run of this step.
        }
        await S3.PutBucketTaggingAsync(new PutBucketTaggingRequest
        {
            BucketName = name,
            TagSet = [.. resources.Tags(name, Role).Select(t => new Amazon.S3.Model.Tag { Key = t.Key, Value = t.Value })],
        }, ct);
        await S3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
        {
            BucketName = name,
            PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration { BlockPublicAcls = true, IgnorePublicAcls = true, BlockPublicPolicy = true, RestrictPublicBuckets = true },
        }, ct);
        await S3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = name,
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
            {
                ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 } }],
            },
        }, ct);
        var days = resources.Cluster.Spec.Settings?.Backup?.RetentionDays ?? BackupService.DefaultRetentionDays;
        await S3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = name,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule
                    {
                        Id = RetentionRule,
                        Status = LifecycleRuleStatus.Enabled,
                        Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "" } },
                        Expiration = new LifecycleRuleExpiration { Days = days },
                    },
                ],
            },
        }, ct);
    }

    /// <summary>Deletes each recorded bucket that is empty; one that still holds backups is left to its lifecycle and the orphan sweep.</summary>
    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct) =>
        await DeletePass.EachAsync(resources.All(ResourceKinds.Bucket), async item =>
        {
            int held;
            try
            {
                held = (await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = item.Id, MaxKeys = 1 }, ct)).KeyCount ?? 0;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
            {
                held = -1;
            }
            catch (AmazonS3Exception ex)
            {
                pass.Wait($"bucket {item.Id}: {ex.ErrorCode}: {ex.Message}");
                return false;
            }
            if (held > 0)
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
            // Gone, or empty now: deleted.
            if (held < 0 || await pass.Attempt($"delete bucket {item.Id}", () => S3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = item.Id }, ct)))
            {
                await resources.ForgetAsync(item, ct);
                return true;
            }
            return false;
        });
}
