using System.Net;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;

namespace PaletteServerless.Local.Aws.Tests.S3;

/// <summary>Objects and listings through the real AmazonS3Client (its PutObject streams aws-chunked with a trailing checksum).</summary>
public sealed class S3ObjectTests : S3TestBase
{
    private const string Bucket = "objects-bucket";

    private async Task<AmazonS3Client> WithBucketAsync()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        return S3;
    }

    private static async Task<string> ReadAsync(GetObjectResponse response)
    {
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task An_object_is_put_read_headed_and_deleted_with_its_metadata()
    {
        var s3 = await WithBucketAsync();
        var body = string.Concat(Enumerable.Repeat("velero backup line\n", 5000));
        var put = new PutObjectRequest { BucketName = Bucket, Key = "backups/one/velero-backup.json", ContentBody = body, ContentType = "application/json" };
        put.Metadata["origin"] = "node-1";
        var written = await s3.PutObjectAsync(put);
        written.ETag.Should().Be("\"" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(body))) + "\"");
        written.ServerSideEncryptionMethod.Should().Be(ServerSideEncryptionMethod.AES256);

        var read = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "backups/one/velero-backup.json" });
        (await ReadAsync(read)).Should().Be(body);
        read.Headers.ContentType.Should().Be("application/json");
        read.Metadata["origin"].Should().Be("node-1");
        read.ETag.Should().Be(written.ETag);

        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = "backups/one/velero-backup.json" });
        head.ContentLength.Should().Be(body.Length);
        head.LastModified.Should().Be(Host.Clock.GetUtcNow().UtcDateTime);

        var range = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "backups/one/velero-backup.json", ByteRange = new ByteRange(0, 5) });
        (await ReadAsync(range)).Should().Be("velero");
        range.HttpStatusCode.Should().Be(HttpStatusCode.PartialContent);

        (await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = "backups/one/velero-backup.json" })).HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        // Deleting again is answered the same: nothing to delete in an unversioned bucket is no error.
        (await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = "backups/one/velero-backup.json" })).HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_missing_key_is_NoSuchKey_and_a_missing_bucket_NoSuchBucket()
    {
        var s3 = await WithBucketAsync();
        var get = await FailsAsync(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "absent.txt" }));
        get.ErrorCode.Should().Be("NoSuchKey");
        get.StatusCode.Should().Be(HttpStatusCode.NotFound);
        get.Message.Should().Be("The specified key does not exist.");
        var head = await FailsAsync(() => s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = "absent.txt" }));
        head.StatusCode.Should().Be(HttpStatusCode.NotFound);

        var noBucket = await FailsAsync(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = "no-such-bucket-here", Key = "k", ContentBody = "x" }));
        noBucket.ErrorCode.Should().Be("NoSuchBucket");
        noBucket.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteObjects_removes_each_key_and_reports_it()
    {
        var s3 = await WithBucketAsync();
        foreach (var key in new[] { "a", "b", "c" })
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = key });

        var deleted = await s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = Bucket,
            Objects = [new KeyVersion { Key = "a" }, new KeyVersion { Key = "c" }, new KeyVersion { Key = "never-there" }],
        });

        deleted.DeletedObjects.Select(d => d.Key).Should().Equal("a", "c", "never-there");
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket })).S3Objects.Select(o => o.Key).Should().Equal("b");
    }

    [Fact]
    public async Task ListObjectsV2_filters_by_prefix_rolls_up_at_the_delimiter_and_pages_with_a_token()
    {
        var s3 = await WithBucketAsync();
        string[] keys = ["backups/c1/2026-12-01.tar", "backups/c1/2026-12-02.tar", "backups/c2/2026-12-01.tar", "backups/readme", "scans/c1.json", "top.txt"];
        foreach (var key in keys)
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = key });

        var prefixed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = "backups/c1/" });
        prefixed.S3Objects.Select(o => o.Key).Should().Equal("backups/c1/2026-12-01.tar", "backups/c1/2026-12-02.tar");
        prefixed.KeyCount.Should().Be(2);

        var rolled = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = "backups/", Delimiter = "/" });
        rolled.CommonPrefixes.Should().Equal("backups/c1/", "backups/c2/");
        rolled.S3Objects.Select(o => o.Key).Should().Equal("backups/readme");

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, MaxKeys = 2, ContinuationToken = token });
            seen.AddRange(page.S3Objects.Select(o => o.Key));
            page.KeyCount.Should().BeLessThanOrEqualTo(2);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
            pages++;
        }
        while (token is not null);
        seen.Should().Equal(keys);
        pages.Should().Be(3);

        var top = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Delimiter = "/", MaxKeys = 2 });
        top.CommonPrefixes.Should().Equal("backups/", "scans/");
        top.IsTruncated.Should().BeTrue();
        var rest = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Delimiter = "/", MaxKeys = 2, ContinuationToken = top.NextContinuationToken });
        rest.S3Objects.Select(o => o.Key).Should().Equal("top.txt");
        rest.CommonPrefixes.Should().BeNullOrEmpty();

        var after = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, StartAfter = "backups/readme" });
        after.S3Objects.Select(o => o.Key).Should().Equal("scans/c1.json", "top.txt");

        var badToken = await FailsAsync(() => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, ContinuationToken = "not-a-token" }));
        badToken.ErrorCode.Should().Be("InvalidArgument");
    }

    [Fact]
    public async Task Keys_with_spaces_plus_signs_and_unicode_round_trip_and_copies_are_not_answered()
    {
        var s3 = await WithBucketAsync();
        const string key = "reports/a b+c/été #1.json";
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "odd" });

        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = "reports/a b+c/" })).S3Objects.Select(o => o.Key).Should().Equal(key);
        (await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key })).ContentLength.Should().Be(3);

        var copy = await FailsAsync(() => s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = Bucket, SourceKey = key, DestinationBucket = Bucket, DestinationKey = "copy.json" }));
        copy.ErrorCode.Should().Be("NotImplemented");
        copy.StatusCode.Should().Be(HttpStatusCode.NotImplemented);
    }

    [Fact]
    public async Task An_object_put_with_SSE_KMS_or_a_public_ACL_is_answered_as_S3_does()
    {
        var s3 = await WithBucketAsync();
        var kms = await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket, Key = "kms.txt", ContentBody = "secret",
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS,
            ServerSideEncryptionKeyManagementServiceKeyId = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555",
        });
        kms.ServerSideEncryptionMethod.Should().Be(ServerSideEncryptionMethod.AWSKMS);
        kms.ServerSideEncryptionKeyManagementServiceKeyId.Should().EndWith("key/11111111-2222-3333-4444-555555555555");

        var acl = await FailsAsync(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "public.txt", ContentBody = "x", CannedACL = S3CannedACL.PublicRead }));
        acl.ErrorCode.Should().Be("AccessControlListNotSupported");
    }
}
