using Amazon.S3;
using Amazon.S3.Model;

namespace PaletteServerless.Local.Aws.Tests.S3;

/// <summary>
/// Lifecycle expiration in the stack's modelled time: S3 adds the rule's days to an object's
/// creation time and rounds up to the next midnight UTC; the object is gone from then on.
/// </summary>
public sealed class S3LifecycleTests : S3TestBase
{
    private const string Bucket = "lifecycle-bucket";

    private async Task<IReadOnlyList<string>> KeysAsync() =>
        (await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket })).S3Objects?.Select(o => o.Key).ToList() ?? [];

    [Fact]
    public async Task Objects_matching_a_rule_expire_at_the_midnight_UTC_after_their_days_and_others_stay()
    {
        // The host's clock starts at 2026-11-24 12:00 UTC.
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "backups/c1/one.tar", ContentBody = "1" });
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "keep/manifest.json", ContentBody = "k" });
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "scans/c1.json", ContentBody = "s", TagSet = [new Tag { Key = "kind", Value = "scan" }] });
        await S3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = Bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule { Id = "backups", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "backups/" } }, Expiration = new LifecycleRuleExpiration { Days = 3 } },
                    new LifecycleRule { Id = "scans", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecycleTagPredicate { Tag = new Tag { Key = "kind", Value = "scan" } } }, Expiration = new LifecycleRuleExpiration { Days = 1 } },
                ],
            },
        });
        var head = await S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = "backups/c1/one.tar" });
        head.Expiration.ExpiryDate.ToUniversalTime().Should().Be(new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc));
        head.Expiration.RuleId.Should().Be("backups");

        // 24 Nov 12:00 + 1 day = 25 Nov 12:00, rounded up: the scan goes at 26 Nov 00:00.
        JumpTo(new DateTimeOffset(2026, 11, 25, 23, 59, 0, TimeSpan.Zero));
        (await KeysAsync()).Should().Equal("backups/c1/one.tar", "keep/manifest.json", "scans/c1.json");
        Advance(TimeSpan.FromMinutes(1));
        (await KeysAsync()).Should().Equal("backups/c1/one.tar", "keep/manifest.json");

        // 24 Nov 12:00 + 3 days = 27 Nov 12:00, rounded up: the backup goes at 28 Nov 00:00.
        JumpTo(new DateTimeOffset(2026, 11, 27, 23, 59, 0, TimeSpan.Zero));
        (await KeysAsync()).Should().Contain("backups/c1/one.tar");
        Advance(TimeSpan.FromMinutes(1));
        (await KeysAsync()).Should().Equal("keep/manifest.json");
        var gone = await FailsAsync(() => S3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "backups/c1/one.tar" }));
        gone.ErrorCode.Should().Be("NoSuchKey");
    }

    [Fact]
    public async Task The_ticks_expire_objects_without_any_call_and_a_disabled_rule_expires_nothing()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "backups/a.tar", ContentBody = "a" });
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "paused/a.tar", ContentBody = "a" });
        await S3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = Bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule { Id = "on", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "backups/" } }, Expiration = new LifecycleRuleExpiration { Days = 1 } },
                    new LifecycleRule { Id = "off", Status = LifecycleRuleStatus.Disabled, Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "paused/" } }, Expiration = new LifecycleRuleExpiration { Days = 1 } },
                ],
            },
        });

        // Put at 24 Nov 12:00 with 1 day: due at 26 Nov 00:00; the tick at that time removes it, no call needed.
        JumpTo(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero));

        var bucket = Host.Aws.Store.Worlds.SelectMany(w => w.All<PaletteServerless.Local.Aws.S3.S3Bucket>()).Single();
        lock (Host.Aws.Store.Sync)
            bucket.Objects.Keys.Should().Equal("paused/a.tar");
    }
}
