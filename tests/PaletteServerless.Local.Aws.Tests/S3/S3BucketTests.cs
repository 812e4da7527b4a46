using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace PaletteServerless.Local.Aws.Tests.S3;

/// <summary>Buckets through the real AmazonS3Client: names, Regions, ownership and the errors S3 answers.</summary>
public sealed class S3BucketTests : S3TestBase
{
    [Fact]
    public async Task A_bucket_is_created_listed_located_headed_and_deleted()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = "backups-one" });
        var europe = Client(region: "eu-west-1");
        await europe.PutBucketAsync(new PutBucketRequest { BucketName = "backups-two", BucketRegionName = "eu-west-1" });

        var list = await S3.ListBucketsAsync(new ListBucketsRequest());
        list.Buckets.Select(b => (b.BucketName, b.BucketRegion)).Should().Equal(("backups-one", "us-east-1"), ("backups-two", "eu-west-1"));
        (await S3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = "backups-one" })).Location.Value.Should().BeEmpty();
        (await S3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = "backups-two" })).Location.Value.Should().Be("eu-west-1");
        (await europe.HeadBucketAsync(new HeadBucketRequest { BucketName = "backups-two" })).BucketRegion.Should().Be("eu-west-1");

        (await europe.DeleteBucketAsync(new DeleteBucketRequest { BucketName = "backups-two" })).HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        (await S3.ListBucketsAsync(new ListBucketsRequest())).Buckets.Select(b => b.BucketName).Should().Equal("backups-one");
        Host.Aws.Inventory().Resources.Should().ContainSingle(r => r.Type == "s3:bucket" && r.Arn == "arn:aws:s3:::backups-one" && r.Region == "us-east-1");
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper-case")]
    [InlineData("-starts-with-hyphen")]
    [InlineData("ends-with-dot.")]
    [InlineData("two..dots")]
    [InlineData("192.168.5.4")]
    [InlineData("xn--reserved-prefix")]
    [InlineData("reserved-suffix-s3alias")]
    [InlineData("under_score")]
    public async Task A_name_outside_the_naming_rules_is_InvalidBucketName(string name)
    {
        var error = await FailsAsync(() => S3.PutBucketAsync(new PutBucketRequest { BucketName = name }));
        error.ErrorCode.Should().Be("InvalidBucketName");
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        error.Message.Should().Be("The specified bucket is not valid.");
        (await S3.ListBucketsAsync(new ListBucketsRequest())).Buckets.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task The_location_constraint_must_match_the_Region_and_be_absent_in_us_east_1()
    {
        // (The SDK leaves out a us-east-1 constraint itself; the CLI tests send one.)
        var europe = Client(region: "eu-west-1");
        var unspecified = await FailsAsync(() => europe.PutBucketAsync(new PutBucketRequest { BucketName = "no-constraint" }));
        unspecified.ErrorCode.Should().Be("IllegalLocationConstraintException");
        unspecified.Message.Should().Be("The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.");

        var mismatch = await FailsAsync(() => europe.PutBucketAsync(new PutBucketRequest { BucketName = "other-constraint", BucketRegionName = "us-west-2" }));
        mismatch.ErrorCode.Should().Be("IllegalLocationConstraintException");
        mismatch.Message.Should().Contain("us-west-2");

        var unknown = await FailsAsync(() => europe.PutBucketAsync(new PutBucketRequest { BucketName = "bad-constraint", BucketRegionName = "moon-east-1" }));
        unknown.ErrorCode.Should().Be("InvalidLocationConstraint");

        await europe.PutBucketAsync(new PutBucketRequest { BucketName = "eu-alias", BucketRegionName = "EU" });
        (await S3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = "eu-alias" })).Location.Value.Should().Be("eu-west-1");
    }

    [Fact]
    public async Task Creating_an_existing_name_depends_on_owner_and_Region()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = "legacy-east" });
        // us-east-1 answers 200 to its owner for compatibility.
        (await S3.PutBucketAsync(new PutBucketRequest { BucketName = "legacy-east" })).HttpStatusCode.Should().Be(HttpStatusCode.OK);

        var europe = Client(region: "eu-west-1");
        await europe.PutBucketAsync(new PutBucketRequest { BucketName = "owned-west", BucketRegionName = "eu-west-1" });
        var again = await FailsAsync(() => europe.PutBucketAsync(new PutBucketRequest { BucketName = "owned-west", BucketRegionName = "eu-west-1" }));
        again.ErrorCode.Should().Be("BucketAlreadyOwnedByYou");
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);

        var stranger = Client(accessKeyId: "111122223333");
        var taken = await FailsAsync(() => stranger.PutBucketAsync(new PutBucketRequest { BucketName = "legacy-east" }));
        taken.ErrorCode.Should().Be("BucketAlreadyExists");
        taken.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_missing_bucket_is_NoSuchBucket_and_another_accounts_is_AccessDenied()
    {
        var missing = await FailsAsync(() => S3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = "never-made" }));
        missing.ErrorCode.Should().Be("NoSuchBucket");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        missing.Message.Should().Be("The specified bucket does not exist");
        var head = await FailsAsync(() => S3.HeadBucketAsync(new HeadBucketRequest { BucketName = "never-made" }));
        head.StatusCode.Should().Be(HttpStatusCode.NotFound);

        await S3.PutBucketAsync(new PutBucketRequest { BucketName = "mine-only" });
        var stranger = Client(accessKeyId: "111122223333");
        var denied = await FailsAsync(() => stranger.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "mine-only" }));
        denied.ErrorCode.Should().Be("AccessDenied");
        denied.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await stranger.ListBucketsAsync(new ListBucketsRequest())).Buckets.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task A_bucket_with_objects_is_BucketNotEmpty_and_a_request_signed_for_another_Region_names_the_right_one()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = "full-bucket" });
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = "full-bucket", Key = "a.txt", ContentBody = "a" });

        var full = await FailsAsync(() => S3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = "full-bucket" }));
        full.ErrorCode.Should().Be("BucketNotEmpty");
        full.StatusCode.Should().Be(HttpStatusCode.Conflict);

        var wrongRegion = await FailsAsync(() => Client(region: "eu-west-1").ListObjectsV2Async(new ListObjectsV2Request { BucketName = "full-bucket" }));
        wrongRegion.ErrorCode.Should().Be("AuthorizationHeaderMalformed");
        wrongRegion.Message.Should().Contain("expecting 'us-east-1'");

        await S3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = "full-bucket", Key = "a.txt" });
        (await S3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = "full-bucket" })).HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Virtual_hosted_style_requests_reach_the_same_bucket()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = "hosted-style" });
        var port = new Uri(Host.Url).Port;
        // bucket.localhost names no address here: every connection goes to the host, the Host header keeps the bucket.
        var hosted = Client(pathStyle: false, serviceUrl: $"http://localhost:{port}", httpClientFactory: new LoopbackClientFactory(port));

        await hosted.PutObjectAsync(new PutObjectRequest { BucketName = "hosted-style", Key = "dir/file.txt", ContentBody = "hello" });

        var listed = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "hosted-style" });
        listed.S3Objects.Select(o => o.Key).Should().Equal("dir/file.txt");
        var read = await hosted.GetObjectAsync(new GetObjectRequest { BucketName = "hosted-style", Key = "dir/file.txt" });
        using var reader = new StreamReader(read.ResponseStream);
        (await reader.ReadToEndAsync()).Should().Be("hello");
    }

    private sealed class LoopbackClientFactory(int port) : Amazon.Runtime.HttpClientFactory
    {
        public override HttpClient CreateHttpClient(Amazon.Runtime.IClientConfig clientConfig) =>
            new(new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                    await socket.ConnectAsync(IPAddress.Loopback, port, ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                },
            });
    }
}
