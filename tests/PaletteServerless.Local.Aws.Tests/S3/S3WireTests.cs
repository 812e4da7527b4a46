using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Amazon.S3.Model;

namespace PaletteServerless.Local.Aws.Tests.S3;

/// <summary>
/// S3's wire format as raw HTTP shows it: the payload forms SigV4 allows (a SHA-256, UNSIGNED-PAYLOAD,
/// aws-chunked streaming), the error document, and bodiless errors to HEAD. The local AWS does not
/// verify signatures, so a well-formed Authorization header is enough here.
/// </summary>
public sealed class S3WireTests : S3TestBase
{
    private const string Authorization = "AWS4-HMAC-SHA256 Credential=test/20261124/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0000";

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body = null, string? contentSha256 = "UNSIGNED-PAYLOAD", params (string Name, string Value)[] headers)
    {
        using var http = Host.Http();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Authorization", Authorization);
        request.Headers.TryAddWithoutValidation("x-amz-date", "20261124T120000Z");
        if (contentSha256 is not null)
            request.Headers.TryAddWithoutValidation("x-amz-content-sha256", contentSha256);
        if (body is not null)
            request.Content = new ByteArrayContent(body);
        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
                request.Content!.Headers.TryAddWithoutValidation(name, value);
        }
        return await http.SendAsync(request);
    }

    private async Task<string> ObjectTextAsync(string key)
    {
        var read = await S3.GetObjectAsync(new GetObjectRequest { BucketName = "wire-bucket", Key = key });
        using var reader = new StreamReader(read.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task An_aws_chunked_body_is_decoded_and_its_decoded_length_checked()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = "wire-bucket" });
        var chunked = Encoding.ASCII.GetBytes("5;chunk-signature=aaaa\r\nhello\r\n6;chunk-signature=bbbb\r\n world\r\n0;chunk-signature=cccc\r\nx-amz-checksum-crc32:DUoRhQ==\r\nx-amz-trailer-signature:dddd\r\n\r\n");

        var put = await SendAsync(HttpMethod.Put, "/wire-bucket/chunked.txt", chunked, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", "11"), ("x-amz-trailer", "x-amz-checksum-crc32"));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        (await ObjectTextAsync("chunked.txt")).Should().Be("hello world");

        var unsigned = Encoding.ASCII.GetBytes("3\r\nabc\r\n0\r\n\r\n");
        (await SendAsync(HttpMethod.Put, "/wire-bucket/unsigned.txt", unsigned, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", ("x-amz-decoded-content-length", "3"))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ObjectTextAsync("unsigned.txt")).Should().Be("abc");

        var shortBody = await SendAsync(HttpMethod.Put, "/wire-bucket/short.txt", chunked, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", ("x-amz-decoded-content-length", "12"));
        shortBody.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorAsync(shortBody)).Code.Should().Be("IncompleteBody");
    }

    [Fact]
    public async Task The_payload_hash_is_required_and_checked()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = "wire-bucket" });
        var body = Encoding.UTF8.GetBytes("payload");
        var hash = Convert.ToHexStringLower(SHA256.HashData(body));

        (await SendAsync(HttpMethod.Put, "/wire-bucket/hashed.txt", body, hash)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ObjectTextAsync("hashed.txt")).Should().Be("payload");

        var mismatch = await SendAsync(HttpMethod.Put, "/wire-bucket/hashed.txt", Encoding.UTF8.GetBytes("tampered"), hash);
        mismatch.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorAsync(mismatch)).Code.Should().Be("XAmzContentSHA256Mismatch");

        var missing = await SendAsync(HttpMethod.Put, "/wire-bucket/unhashed.txt", body, contentSha256: null);
        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var error = await ErrorAsync(missing);
        error.Code.Should().Be("InvalidRequest");
        error.Message.Should().Be("Missing required header for this request: x-amz-content-sha256");
        (await ObjectTextAsync("hashed.txt")).Should().Be("payload");
    }

    [Fact]
    public async Task Errors_are_S3_error_documents_and_HEAD_errors_have_no_body()
    {
        var missing = await SendAsync(HttpMethod.Get, "/absent-bucket?list-type=2");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var error = await ErrorAsync(missing);
        error.Code.Should().Be("NoSuchBucket");
        error.Document.Element("BucketName")!.Value.Should().Be("absent-bucket");
        error.Document.Element("RequestId")!.Value.Should().Be(missing.Headers.GetValues("x-amz-request-id").Single());

        var head = await SendAsync(HttpMethod.Head, "/absent-bucket");
        head.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await head.Content.ReadAsByteArrayAsync()).Should().BeEmpty();

        await S3.PutBucketAsync(new PutBucketRequest { BucketName = "wire-bucket" });
        var noLifecycle = await SendAsync(HttpMethod.Get, "/wire-bucket?lifecycle");
        noLifecycle.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ErrorAsync(noLifecycle)).Code.Should().Be("NoSuchLifecycleConfiguration");
        var noBucketLifecycle = await SendAsync(HttpMethod.Get, "/absent-bucket?lifecycle");
        (await ErrorAsync(noBucketLifecycle)).Code.Should().Be("NoSuchBucket");
        (await ErrorAsync(await SendAsync(HttpMethod.Get, "/absent-bucket?encryption"))).Code.Should().Be("NoSuchBucket");

        var unanswered = await SendAsync(HttpMethod.Get, "/absent-bucket?versioning");
        unanswered.StatusCode.Should().Be(HttpStatusCode.NotImplemented);
        (await ErrorAsync(unanswered)).Code.Should().Be("NotImplemented");
    }

    [Fact]
    public async Task A_configuration_put_without_a_checksum_is_refused()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = "wire-bucket" });
        var tagging = Encoding.UTF8.GetBytes("<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>");

        var refused = await SendAsync(HttpMethod.Put, "/wire-bucket?tagging", tagging);
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorAsync(refused)).Message.Should().Be("Missing required header for this request: Content-MD5");

        var badMd5 = await SendAsync(HttpMethod.Put, "/wire-bucket?tagging", tagging, headers: ("Content-MD5", Convert.ToBase64String(MD5.HashData("other"u8))));
        (await ErrorAsync(badMd5)).Code.Should().Be("BadDigest");

        var accepted = await SendAsync(HttpMethod.Put, "/wire-bucket?tagging", tagging, headers: ("Content-MD5", Convert.ToBase64String(MD5.HashData(tagging))));
        accepted.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Injected_throttling_is_S3s_503_SlowDown()
    {
        Host.Aws.Faults = new PaletteServerless.Local.Aws.Core.FaultInjector(new PaletteServerless.Local.Aws.Core.FaultProfile
        {
            Operations = new() { ["ListBuckets"] = new() { [PaletteServerless.Local.Aws.Core.FaultInjector.RequestLimitExceeded] = 1.0 } },
        }, 1);

        var throttled = await SendAsync(HttpMethod.Get, "/");

        throttled.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await ErrorAsync(throttled)).Code.Should().Be("SlowDown");
    }

    private static async Task<(string Code, string Message, XElement Document)> ErrorAsync(HttpResponseMessage response)
    {
        var document = XElement.Parse(await response.Content.ReadAsStringAsync());
        document.Name.LocalName.Should().Be("Error");
        return (document.Element("Code")!.Value, document.Element("Message")!.Value, document);
    }
}
