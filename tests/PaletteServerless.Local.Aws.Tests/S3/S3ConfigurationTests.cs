using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace PaletteServerless.Local.Aws.Tests.S3;

/// <summary>Bucket tagging, Block Public Access, default encryption and lifecycle configuration through the real AmazonS3Client.</summary>
public sealed class S3ConfigurationTests : S3TestBase
{
    private const string Bucket = "config-bucket";

    private async Task<AmazonS3Client> WithBucketAsync()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        return S3;
    }

    [Fact]
    public async Task Bucket_tags_are_put_read_replaced_and_deleted()
    {
        var s3 = await WithBucketAsync();
        var none = await FailsAsync(() => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = Bucket }));
        none.ErrorCode.Should().Be("NoSuchTagSet");
        none.StatusCode.Should().Be(HttpStatusCode.NotFound);

        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = Bucket, TagSet = [new Tag { Key = "cluster", Value = "c1" }, new Tag { Key = "owner", Value = "palette" }] });
        (await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = Bucket })).TagSet.Select(t => (t.Key, t.Value))
            .Should().Equal(("cluster", "c1"), ("owner", "palette"));
        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = Bucket, TagSet = [new Tag { Key = "cluster", Value = "c2" }] });
        (await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = Bucket })).TagSet.Select(t => t.Value).Should().Equal("c2");
        Host.Aws.Inventory().Resources.Single(r => r.Id == Bucket).Tags.Should().Equal(new Dictionary<string, string> { ["cluster"] = "c2" });

        var system = await FailsAsync(() => s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = Bucket, TagSet = [new Tag { Key = "aws:cloudformation:stack-name", Value = "x" }] }));
        system.ErrorCode.Should().Be("InvalidTag");
        var duplicate = await FailsAsync(() => s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = Bucket, TagSet = [new Tag { Key = "k", Value = "1" }, new Tag { Key = "k", Value = "2" }] }));
        duplicate.ErrorCode.Should().Be("InvalidTag");

        (await s3.DeleteBucketTaggingAsync(new DeleteBucketTaggingRequest { BucketName = Bucket })).HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        (await FailsAsync(() => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = Bucket }))).ErrorCode.Should().Be("NoSuchTagSet");
    }

    [Fact]
    public async Task A_new_bucket_blocks_public_access_until_the_configuration_is_deleted()
    {
        var s3 = await WithBucketAsync();
        var initial = (await s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = Bucket })).PublicAccessBlockConfiguration;
        (initial.BlockPublicAcls, initial.IgnorePublicAcls, initial.BlockPublicPolicy, initial.RestrictPublicBuckets).Should().Be((true, true, true, true));

        await s3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
        {
            BucketName = Bucket,
            PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration { BlockPublicAcls = true, IgnorePublicAcls = false, BlockPublicPolicy = true, RestrictPublicBuckets = false },
        });
        var changed = (await s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = Bucket })).PublicAccessBlockConfiguration;
        (changed.BlockPublicAcls, changed.IgnorePublicAcls, changed.BlockPublicPolicy, changed.RestrictPublicBuckets).Should().Be((true, false, true, false));

        (await s3.DeletePublicAccessBlockAsync(new DeletePublicAccessBlockRequest { BucketName = Bucket })).HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        var gone = await FailsAsync(() => s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = Bucket }));
        gone.ErrorCode.Should().Be("NoSuchPublicAccessBlockConfiguration");
        gone.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Default_encryption_is_SSE_S3_until_SSE_KMS_is_configured_and_objects_follow_it()
    {
        var s3 = await WithBucketAsync();
        var initial = (await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = Bucket })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules.Single();
        initial.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm.Should().Be(ServerSideEncryptionMethod.AES256);

        const string key = "arn:aws:kms:us-east-1:000000000000:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        await s3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = Bucket,
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
            {
                ServerSideEncryptionRules = [new ServerSideEncryptionRule
                {
                    ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AWSKMS, ServerSideEncryptionKeyManagementServiceKeyId = key },
                    BucketKeyEnabled = true,
                }],
            },
        });
        var rule = (await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = Bucket })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules.Single();
        rule.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm.Should().Be(ServerSideEncryptionMethod.AWSKMS);
        rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId.Should().Be(key);
        rule.BucketKeyEnabled.Should().BeTrue();

        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "encrypted.tar", ContentBody = "x" });
        put.ServerSideEncryptionMethod.Should().Be(ServerSideEncryptionMethod.AWSKMS);
        put.ServerSideEncryptionKeyManagementServiceKeyId.Should().Be(key);
        put.BucketKeyEnabled.Should().BeTrue();

        var invalid = await FailsAsync(() => s3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = Bucket,
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
            {
                ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256, ServerSideEncryptionKeyManagementServiceKeyId = key } }],
            },
        }));
        invalid.ErrorCode.Should().Be("InvalidArgument");

        await s3.DeleteBucketEncryptionAsync(new DeleteBucketEncryptionRequest { BucketName = Bucket });
        (await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = Bucket })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules.Single()
            .ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm.Should().Be(ServerSideEncryptionMethod.AES256);
    }

    [Fact]
    public async Task A_lifecycle_configuration_is_put_read_validated_and_deleted()
    {
        var s3 = await WithBucketAsync();
        // The SDK answers S3's 404 NoSuchLifecycleConfiguration with an empty configuration (the wire tests read the error itself).
        (await s3.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = Bucket })).Configuration?.Rules.Should().BeNullOrEmpty();

        await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = Bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule { Id = "backups", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "backups/" } }, Expiration = new LifecycleRuleExpiration { Days = 7 } },
                    new LifecycleRule { Id = "scans", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecycleTagPredicate { Tag = new Tag { Key = "kind", Value = "scan" } } }, Expiration = new LifecycleRuleExpiration { Days = 30 } },
                ],
            },
        });
        var rules = (await s3.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = Bucket })).Configuration.Rules;
        rules.Select(r => (r.Id, r.Expiration.Days)).Should().Equal(("backups", 7), ("scans", 30));
        ((LifecyclePrefixPredicate)rules[0].Filter.LifecycleFilterPredicate).Prefix.Should().Be("backups/");
        ((LifecycleTagPredicate)rules[1].Filter.LifecycleFilterPredicate).Tag.Key.Should().Be("kind");

        var zero = await FailsAsync(() => s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = Bucket,
            Configuration = new LifecycleConfiguration { Rules = [new LifecycleRule { Id = "bad", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "" } }, Expiration = new LifecycleRuleExpiration { Days = 0 } }] },
        }));
        zero.ErrorCode.Should().Be("InvalidArgument");
        zero.Message.Should().Be("'Days' for Expiration action must be a positive integer");
        (await s3.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = Bucket })).Configuration.Rules.Should().HaveCount(2);

        (await s3.DeleteLifecycleConfigurationAsync(new DeleteLifecycleConfigurationRequest { BucketName = Bucket })).HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        (await s3.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = Bucket })).Configuration?.Rules.Should().BeNullOrEmpty();
    }

    // (The SDK answers a 404 to GetBucketEncryption and GetLifecycleConfiguration with an empty response; the wire tests read those errors.)
    [Theory]
    [InlineData("GetBucketTagging")]
    [InlineData("GetPublicAccessBlock")]
    [InlineData("DeleteBucketEncryption")]
    [InlineData("DeleteBucketLifecycle")]
    public async Task Configurations_of_a_missing_bucket_are_NoSuchBucket(string operation)
    {
        Func<Task> call = operation switch
        {
            "GetBucketTagging" => () => S3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = "missing-config" }),
            "GetPublicAccessBlock" => () => S3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = "missing-config" }),
            "DeleteBucketEncryption" => () => S3.DeleteBucketEncryptionAsync(new DeleteBucketEncryptionRequest { BucketName = "missing-config" }),
            _ => () => S3.DeleteLifecycleConfigurationAsync(new DeleteLifecycleConfigurationRequest { BucketName = "missing-config" }),
        };
        (await FailsAsync(call)).ErrorCode.Should().Be("NoSuchBucket");
    }
}
