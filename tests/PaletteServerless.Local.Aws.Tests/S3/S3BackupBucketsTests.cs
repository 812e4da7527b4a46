using Amazon.S3;
using Amazon.S3.Model;
using PaletteServerless.Aws.Cloud.Adapters;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Local.Aws.Tests.S3;

/// <summary>The product's bucket adapter (<see cref="S3BackupBuckets"/>) through the real SDK client on the local S3.</summary>
public sealed class S3BackupBucketsTests : S3TestBase
{
    private const string Bucket = "psbackup-vpc-0123456789abcdef0-0123456789abcdef0123456789abcdef";
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly Dictionary<string, string> Owned = new() { ["palette.serverless/cluster-uid"] = "c1", ["Name"] = Bucket };

    private S3BackupBuckets Buckets => new(S3, "us-east-1");

    private Task PutAsync(string key, string body, string bucket = Bucket) =>
        S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = body });

    [Fact]
    public async Task A_bucket_is_made_tagged_protected_and_with_its_retention_and_made_again_as_done()
    {
        await Buckets.EnsureAsync(new ProtectedBucket(Bucket, Owned, 7), Ct);
        await Buckets.EnsureAsync(new ProtectedBucket(Bucket, Owned, 30), Ct);

        (await S3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = Bucket })).TagSet.ToDictionary(t => t.Key, t => t.Value)
            .Should().BeEquivalentTo(Owned);
        var block = (await S3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = Bucket })).PublicAccessBlockConfiguration;
        (block.BlockPublicAcls, block.IgnorePublicAcls, block.BlockPublicPolicy, block.RestrictPublicBuckets).Should().Be((true, true, true, true));
        (await S3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = Bucket })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules
            .Single().ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm.Should().Be(ServerSideEncryptionMethod.AES256);
        var rule = (await S3.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = Bucket })).Configuration.Rules.Should().ContainSingle().Which;
        rule.Id.Should().Be(IBackupBuckets.RetentionRule);
        rule.Status.Should().Be(LifecycleRuleStatus.Enabled);
        rule.Expiration.Days.Should().Be(30, "the second make puts the changed retention");
    }

    [Fact]
    public async Task Outside_us_east_1_the_bucket_is_made_in_the_clients_region_and_BucketAlreadyOwnedByYou_counts_as_made()
    {
        var europe = new S3BackupBuckets(Client(region: "eu-west-1"), "eu-west-1");

        await europe.EnsureAsync(new ProtectedBucket(Bucket, Owned, 7), Ct);
        await europe.EnsureAsync(new ProtectedBucket(Bucket, Owned, 7), Ct);

        (await Client(region: "eu-west-1").HeadBucketAsync(new HeadBucketRequest { BucketName = Bucket })).BucketRegion.Should().Be("eu-west-1");
    }

    [Fact]
    public async Task Another_accounts_bucket_is_BucketAlreadyExists_to_make_and_unreachable_to_read()
    {
        await Client(accessKeyId: "111122223333").PutBucketAsync(new PutBucketRequest { BucketName = Bucket });

        var taken = await FluentActions.Awaiting(() => Buckets.EnsureAsync(new ProtectedBucket(Bucket, Owned, 7), Ct)).Should().ThrowAsync<CloudServiceException>();
        taken.Which.Code.Should().Be("BucketAlreadyExists");
        taken.Which.Transient.Should().BeFalse();
        taken.Which.InnerException.Should().BeAssignableTo<AmazonS3Exception>();

        var status = await Buckets.StatusAsync(Bucket, Ct);
        status.State.Should().Be(BucketState.Unreachable);
        status.Reason.Should().StartWith("AccessDenied");
        status.Usable.Should().BeFalse();
    }

    [Fact]
    public async Task Status_tells_missing_empty_holding_and_another_regions_bucket_apart()
    {
        (await Buckets.StatusAsync(Bucket, Ct)).State.Should().Be(BucketState.Missing);
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        (await Buckets.StatusAsync(Bucket, Ct)).Should().Be(new BucketStatus(BucketState.Empty));
        await PutAsync("velero/backups/b-1/velero-backup.json", "{}");
        await PutAsync("velero/backups/b-2/velero-backup.json", "{}");
        (await Buckets.StatusAsync(Bucket, Ct)).State.Should().Be(BucketState.HoldsObjects);

        var elsewhere = await new S3BackupBuckets(Client(region: "eu-west-1"), "eu-west-1").StatusAsync(Bucket, Ct);
        elsewhere.State.Should().Be(BucketState.Unreachable, "a request signed for another Region is refused naming the bucket's");
        elsewhere.Reason.Should().StartWith("AuthorizationHeaderMalformed");
    }

    [Fact]
    public async Task Folders_are_listed_one_level_under_the_prefix_over_every_page()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        // S3 answers at most 1000 keys and common prefixes a page: 1003 folders take two.
        var names = Enumerable.Range(0, 1003).Select(i => $"s-{i:0000}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, ct) =>
        {
            await PutAsync($"scans/{name}/controlplane.json", "{}");
            if (name == "s-0000")
                await PutAsync($"scans/{name}/worker.json", "{}");
        });
        await PutAsync("scans/loose.json", "not a folder");
        await PutAsync("velero/backups/b-1/velero-backup.json", "{}");

        var folders = await Buckets.ListFoldersAsync(Bucket, "scans/", Ct);

        folders.Should().Equal(names, "each folder once, in key order, the loose object left out");
        (await Buckets.ListFoldersAsync(Bucket, "velero/backups/", Ct)).Should().Equal("b-1");
        (await Buckets.ListFoldersAsync("no-such-bucket-here", "scans/", Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task An_object_reads_with_its_time_and_a_missing_object_or_bucket_reads_as_nothing()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        await PutAsync("scans/s-1/worker.json", """{"Totals":{"total_pass":1}}""");

        var stored = await Buckets.ReadAsync(Bucket, "scans/s-1/worker.json", Ct);

        stored.Should().NotBeNull();
        stored!.Text.Should().Be("""{"Totals":{"total_pass":1}}""");
        stored.LastModified.Should().NotBeNull();
        stored.LastModified!.Value.Offset.Should().Be(TimeSpan.Zero);
        (await Buckets.ReadAsync(Bucket, "scans/s-1/controlplane.json", Ct)).Should().BeNull();
        (await Buckets.ReadAsync("no-such-bucket-here", "scans/s-1/worker.json", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task A_bucket_holding_objects_is_not_deleted_an_empty_one_is_and_a_gone_one_counts_as_deleted()
    {
        await Buckets.EnsureAsync(new ProtectedBucket(Bucket, Owned, 7), Ct);
        await PutAsync("velero/backups/b-1/velero-backup.json", "{}");

        (await Buckets.DeleteIfEmptyAsync(Bucket, Ct)).Should().BeFalse();
        (await Buckets.StatusAsync(Bucket, Ct)).State.Should().Be(BucketState.HoldsObjects);

        await S3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = "velero/backups/b-1/velero-backup.json" });
        (await Buckets.DeleteIfEmptyAsync(Bucket, Ct)).Should().BeTrue();
        (await Buckets.StatusAsync(Bucket, Ct)).State.Should().Be(BucketState.Missing);
        (await Buckets.DeleteIfEmptyAsync(Bucket, Ct)).Should().BeTrue("a bucket already gone is deleted");
    }
}
