using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.S3;

/// <summary>
/// A general purpose bucket. It lives in the world of its owner's account and the Region it was
/// created in; its name is unique across every account and Region, as S3's is. Its objects,
/// configurations and tags are kept with it (tags in <see cref="AwsResource.Tags"/>, so the Resource
/// Groups Tagging API lists the bucket as it lists S3 buckets).
/// </summary>
public sealed class S3Bucket : AwsResource
{
    public const string ResourceType = "s3:bucket";

    /// <summary>Whether a tag set was put (an empty <see cref="AwsResource.Tags"/> after DeleteBucketTagging is NoSuchTagSet).</summary>
    public bool HasTagSet { get; set; }

    public Dictionary<string, S3Object> Objects { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Since April 2023 a new bucket has all four Block Public Access settings on; null after DeletePublicAccessBlock.</summary>
    public S3PublicAccessBlock? PublicAccessBlock { get; set; } = new(true, true, true, true);

    /// <summary>Since January 2023 every bucket has default encryption, SSE-S3 unless configured otherwise.</summary>
    public S3DefaultEncryption Encryption { get; set; } = S3DefaultEncryption.SseS3;

    /// <summary>The lifecycle rules; null when the bucket has no lifecycle configuration.</summary>
    public List<S3LifecycleRule>? Lifecycle { get; set; }
}

/// <summary>One object (the bucket is unversioned: a put replaces, a delete removes).</summary>
public sealed class S3Object
{
    public required string Key { get; init; }
    public required byte[] Body { get; init; }
    public required string ETag { get; init; }
    public required DateTimeOffset LastModified { get; init; }
    public string ContentType { get; init; } = "binary/octet-stream";
    public string StorageClass { get; init; } = "STANDARD";
    public Dictionary<string, string> Metadata { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);
    public string ServerSideEncryption { get; init; } = "AES256";
    public string? KmsKeyId { get; init; }
    public bool BucketKeyEnabled { get; init; }
}

public sealed record S3PublicAccessBlock(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets);

/// <summary>A bucket's default encryption: <c>AES256</c> (SSE-S3), <c>aws:kms</c> or <c>aws:kms:dsse</c> with an optional key.</summary>
public sealed record S3DefaultEncryption(string Algorithm, string? KmsKeyId, bool BucketKeyEnabled)
{
    public static readonly S3DefaultEncryption SseS3 = new("AES256", null, false);
}

/// <summary>
/// One lifecycle rule with an Expiration after <see cref="Days"/>, filtered by a key prefix and
/// object tags (all must match).
/// </summary>
public sealed record S3LifecycleRule(string? Id, bool Enabled, string Prefix, IReadOnlyDictionary<string, string> Tags, int Days, bool HasFilter)
{
    public bool Applies(S3Object item) =>
        Enabled
        && item.Key.StartsWith(Prefix, StringComparison.Ordinal)
        && Tags.All(t => item.Tags.TryGetValue(t.Key, out var value) && value == t.Value);

    /// <summary>
    /// When the rule expires an object: S3 adds the days to the object's creation time and rounds
    /// the result up to the next midnight UTC (the S3 User Guide, "Lifecycle rules: Based on an
    /// object's age"); an object put at 10:30 on the 15th with 3 days expires at 00:00 on the 19th.
    /// </summary>
    public DateTimeOffset ExpiresAt(S3Object item)
    {
        var due = item.LastModified.ToUniversalTime().AddDays(Days);
        return new DateTimeOffset(due.Date, TimeSpan.Zero).AddDays(1);
    }
}
