using System.Text;

namespace PaletteServerless.Domain.Ports;

/// <summary>
/// The bucket the product makes for a cluster, as it must be: tagged as every resource of the cluster, public access
/// blocked, encrypted by default, and every object expired <paramref name="RetentionDays"/> days after it was written
/// (one lifecycle rule, <see cref="IBackupBuckets.RetentionRule"/>).
/// </summary>
public sealed record ProtectedBucket(string Name, IReadOnlyDictionary<string, string> Tags, int RetentionDays);

/// <summary>What a bucket is, seen from the session.</summary>
public enum BucketState
{
    /// <summary>No bucket of that name exists.</summary>
    Missing,

    /// <summary>A bucket of that name exists, but not for this session: another account's, another region's, or access is refused.</summary>
    Unreachable,

    /// <summary>It exists and holds no object.</summary>
    Empty,

    /// <summary>It exists and holds at least one object.</summary>
    HoldsObjects,
}

/// <summary>A bucket's <see cref="BucketState"/>; <paramref name="Reason"/> says why an unreachable one is (the cloud's code and message).</summary>
public sealed record BucketStatus(BucketState State, string? Reason = null)
{
    /// <summary>The bucket exists and this session can read it.</summary>
    public bool Usable => State is BucketState.Empty or BucketState.HoldsObjects;
}

/// <summary>One object read from a bucket: its bytes and when it was last written.</summary>
public sealed record StoredObject(ReadOnlyMemory<byte> Content, DateTimeOffset? LastModified)
{
    /// <summary>The content as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Content.Span);
}

/// <summary>
/// The buckets of a cluster's backups and scans in its cloud account (Amazon S3): the bucket the product makes for a
/// cluster (<see cref="ProtectedBucket"/>), a backup location a spec names, and what Velero and kube-bench write into
/// them. A failure the cloud answers with is a <see cref="CloudServiceException"/> (AWS's error code, and whether trying
/// again can help); a missing bucket or object is never an error: listings are empty, reads null, a delete is done.
/// </summary>
public interface IBackupBuckets
{
    /// <summary>The id of the one lifecycle rule of a <see cref="ProtectedBucket"/>.</summary>
    const string RetentionRule = "palette-backup-retention";

    /// <summary>
    /// Makes the bucket exist in the session's region, then puts its tags, public access block, default encryption and
    /// lifecycle again (so a changed retention reaches the rule). A bucket this account already owns counts as made;
    /// another account's of that name is the cloud's error (BucketAlreadyExists).
    /// </summary>
    Task EnsureAsync(ProtectedBucket bucket, CancellationToken ct);

    /// <summary>Whether the bucket exists for this session, and whether it holds objects.</summary>
    Task<BucketStatus> StatusAsync(string bucket, CancellationToken ct);

    /// <summary>
    /// The "folders" one level under <paramref name="prefix"/> (which ends with '/'): the names between the prefix and
    /// the next '/', over every page; empty when the bucket does not exist.
    /// </summary>
    Task<IReadOnlyList<string>> ListFoldersAsync(string bucket, string prefix, CancellationToken ct);

    /// <summary>One object; null when it, or its bucket, does not exist.</summary>
    Task<StoredObject?> ReadAsync(string bucket, string key, CancellationToken ct);

    /// <summary>
    /// Deletes the bucket if it is empty: true when it is gone (deleted now, or before); false, changing nothing, when
    /// it holds objects.
    /// </summary>
    Task<bool> DeleteIfEmptyAsync(string bucket, CancellationToken ct);
}
