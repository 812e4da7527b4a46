using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.S3;
using PaletteServerless.Local.Aws.Tests.Core;

namespace PaletteServerless.Local.Aws.Tests.S3;

/// <summary>Buckets and objects outlive a restart with --data, and GET /local/s3 shows them with their expiry.</summary>
public sealed class S3PersistenceTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("s3-data-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task A_bucket_its_objects_and_configuration_survive_a_restart_and_are_shown_with_their_expiry()
    {
        var start = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        await using (var host = await LocalAwsHost.StartAsync(new LocalAwsOptions { DataDirectory = _data }, new FakeTimeProvider(start)))
        {
            using var s3 = new AmazonS3Client(new BasicAWSCredentials("test", "test"), new AmazonS3Config { ServiceURL = host.Url, AuthenticationRegion = "us-east-1", ForcePathStyle = true, MaxErrorRetry = 0 });
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = "kept-bucket" });
            await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = "kept-bucket", TagSet = [new Tag { Key = "cluster", Value = "c1" }] });
            await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
            {
                BucketName = "kept-bucket",
                Configuration = new LifecycleConfiguration { Rules = [new LifecycleRule { Id = "retention", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "" } }, Expiration = new LifecycleRuleExpiration { Days = 2 } }] },
            });
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "kept-bucket", Key = "backups/one.tar", ContentBody = "backup bytes" });
        }

        using var restarted = new LocalAws(new LocalAwsOptions { DataDirectory = _data }, new FakeTimeProvider(start.AddHours(1)));
        var view = S3View.Of(restarted)["buckets"]!.AsArray().Single()!;
        view["name"]!.GetValue<string>().Should().Be("kept-bucket");
        view["tags"]!["cluster"]!.GetValue<string>().Should().Be("c1");
        view["publicAccessBlocked"]!.GetValue<bool>().Should().BeTrue();
        var item = view["objects"]!.AsArray().Single()!;
        item["key"]!.GetValue<string>().Should().Be("backups/one.tar");
        item["size"]!.GetValue<long>().Should().Be("backup bytes".Length);
        item["expiresAt"]!.GetValue<DateTimeOffset>().Should().Be(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));
        lock (restarted.Store.Sync)
            System.Text.Encoding.UTF8.GetString(S3Service.Find(restarted, "kept-bucket")!.Objects["backups/one.tar"].Body).Should().Be("backup bytes");
    }
}
