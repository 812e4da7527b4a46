using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Aws.Cloud.Adapters;

/// <summary>
/// <see cref="IBackupBuckets"/> over the AWS SDK's S3 client, in the session's <paramref name="region"/>. What S3's API asks
/// is decided here: a bucket is made in the region (a LocationConstraint naming it, none in us-east-1, whose endpoint
/// refuses one) and BucketAlreadyOwnedByYou counts as made; the protections are four calls (tagging, all four Block
/// Public Access settings, SSE-S3 by default, one lifecycle rule over every key); whether a bucket exists and holds
/// objects is one ListObjectsV2 of one key (NoSuchBucket is missing; AccessDenied, or another region's answer, is
/// unreachable); folders are ListObjectsV2's common prefixes at '/', page by page; NoSuchKey and NoSuchBucket read as
/// nothing; BucketNotEmpty refuses a delete. Each operation is the same S3 action it always was, since the session
/// policies name them. Errors S3 answers with become <see cref="CloudServiceException"/>.
/// </summary>
public sealed class S3BackupBuckets(IAmazonS3 s3, string region) : IBackupBuckets
{
    /// <summary>The codes S3 answers a bucket that exists but not for this session with: another account's, or another region's.</summary>
    private static readonly HashSet<string> Unreachable = new(StringComparer.Ordinal) { "AccessDenied", "AuthorizationHeaderMalformed", "PermanentRedirect" };

    /// <summary>The region whose buckets are made without a LocationConstraint.</summary>
    private const string DefaultRegion = "us-east-1";

    public Task EnsureAsync(ProtectedBucket bucket, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            try
            {
                await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket.Name, BucketRegionName = region == DefaultRegion ? null : region }, ct);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou")
            {
                // Made by an earlier call.
            }
            await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest
            {
                BucketName = bucket.Name,
                TagSet = [.. bucket.Tags.Select(t => new Tag { Key = t.Key, Value = t.Value })],
            }, ct);
            await s3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
            {
                BucketName = bucket.Name,
                PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration { BlockPublicAcls = true, IgnorePublicAcls = true, BlockPublicPolicy = true, RestrictPublicBuckets = true },
            }, ct);
            await s3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
            {
                BucketName = bucket.Name,
                ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
                {
                    ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 } }],
                },
            }, ct);
            await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
            {
                BucketName = bucket.Name,
                Configuration = new LifecycleConfiguration
                {
                    Rules =
                    [
                        new LifecycleRule
                        {
                            Id = IBackupBuckets.RetentionRule,
                            Status = LifecycleRuleStatus.Enabled,
                            Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "" } },
                            Expiration = new LifecycleRuleExpiration { Days = bucket.RetentionDays },
                        },
                    ],
                },
            }, ct);
            return true;
        });

    public Task<BucketStatus> StatusAsync(string bucket, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            try
            {
                var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }, ct);
                return new BucketStatus((page.KeyCount ?? 0) > 0 ? BucketState.HoldsObjects : BucketState.Empty);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "NoSuchBucket")
            {
                return new BucketStatus(BucketState.Missing);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is { } code && Unreachable.Contains(code))
            {
                return new BucketStatus(BucketState.Unreachable, $"{ex.ErrorCode}: {ex.Message}");
            }
        });

    public Task<IReadOnlyList<string>> ListFoldersAsync(string bucket, string prefix, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<string>>(async () =>
        {
            var names = new List<string>();
            string? token = null;
            try
            {
                do
                {
                    var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, Delimiter = "/", ContinuationToken = token }, ct);
                    names.AddRange((page.CommonPrefixes ?? []).Select(p => p[prefix.Length..].TrimEnd('/')));
                    token = page.IsTruncated == true ? page.NextContinuationToken : null;
                }
                while (token is not null);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "NoSuchBucket")
            {
                return [];
            }
            return names;
        });

    public Task<StoredObject?> ReadAsync(string bucket, string key, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            try
            {
                using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, ct);
                using var content = new MemoryStream();
                await response.ResponseStream.CopyToAsync(content, ct);
                var modified = response.LastModified is { } at ? new DateTimeOffset(at.ToUniversalTime(), TimeSpan.Zero) : (DateTimeOffset?)null;
                return new StoredObject(content.ToArray(), modified);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "NoSuchKey" or "NoSuchBucket")
            {
                return (StoredObject?)null;
            }
        });

    public Task<bool> DeleteIfEmptyAsync(string bucket, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            try
            {
                await s3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket }, ct);
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "NoSuchBucket")
            {
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketNotEmpty")
            {
                return false;
            }
        });

}
