using System.Text.RegularExpressions;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Backups;

/// <summary>
/// Where a cluster's backups live: an S3 bucket and a prefix Velero's backup storage location points at.
/// With <c>settings.backup.location</c> empty the product creates one bucket per cluster, named
/// <c>psbackup-&lt;vpc id&gt;-&lt;cluster uid&gt;</c> (at most 63 characters), and Velero writes in it under
/// <see cref="OwnBucketPrefix"/>; a location of the user's is an existing bucket of the cloud account where
/// Velero writes under <c>palette-backups/&lt;vpc id&gt;/&lt;cluster&gt;</c>. The VPC is in both because it is
/// the one thing the nodes' role can compare with the caller (<c>aws:ec2InstanceSourceVPC</c>): a node reaches
/// only its own cluster's bucket, or its own cluster's prefix in a bucket of the user's; the uid is there because it is
/// what the product's sessions carry (<c>aws:PrincipalTag</c>): a session reaches only its own cluster's bucket.
/// </summary>
public sealed partial record BackupLocation(string Bucket, string Prefix, bool ProductBucket)
{
    /// <summary>The first part of every bucket the product creates (the role's statements name it).</summary>
    public const string BucketPrefix = "psbackup-";

    /// <summary>The prefix in a bucket of the user's (then the VPC id and the cluster's name).</summary>
    public const string SharedPrefix = "palette-backups";

    /// <summary>Velero's prefix in a bucket the product created for the cluster.</summary>
    public const string OwnBucketPrefix = "velero";

    /// <summary>Where a cluster's backups go, once its VPC is known; null when backups are off.</summary>
    public static BackupLocation? Of(Cluster cluster, string vpcId)
    {
        if (cluster.Spec.Settings?.Backup is not { Enabled: true } backup)
            return null;
        return string.IsNullOrEmpty(backup.Location)
            ? new BackupLocation(BucketName(vpcId, cluster.Uid), OwnBucketPrefix, true)
            : new BackupLocation(backup.Location, $"{SharedPrefix}/{vpcId}/{cluster.Name}", false);
    }

    /// <summary>The bucket the product creates for a cluster: 9 + 21 + 1 + 32 = 63 characters at most, S3's limit.</summary>
    public static string BucketName(string vpcId, string uid) => $"{BucketPrefix}{vpcId}-{uid}".ToLowerInvariant();

    /// <summary><c>s3://bucket/prefix</c>, as the API shows it.</summary>
    public string Uri => $"s3://{Bucket}/{Prefix}";

    /// <summary>The key of a backup's metadata document, as Velero lays a backup out (<c>&lt;prefix&gt;/backups/&lt;name&gt;/velero-backup.json</c>).</summary>
    public string BackupMetadataKey(string backup) => $"{Prefix}/backups/{backup}/velero-backup.json";

    /// <summary>Where Velero keeps its backups (each a "directory" below).</summary>
    public string BackupsPrefix => $"{Prefix}/backups/";

    /// <summary>The results Velero uploads when a restore ends (<c>restores/&lt;name&gt;/restore-&lt;name&gt;-results.gz</c>).</summary>
    public string RestoreResultsKey(string restore) => $"{Prefix}/restores/{restore}/restore-{restore}-results.gz";

    /// <summary>S3's general purpose bucket naming rules (3-63 of a-z 0-9 . -, starting and ending with a letter or digit).</summary>
    public static bool IsBucketName(string name) => BucketShape().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketShape();
}
