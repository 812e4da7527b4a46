using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.S3;

/// <summary>
/// What an S3 REST request addresses: the bucket (from a virtual-hosted-style host,
/// <c>bucket.s3.region.amazonaws.com</c> or <c>bucket.localhost</c>, else the first path segment
/// of a path-style request), the key, and the subresource of the query (<c>?tagging</c>,
/// <c>?lifecycle</c>, ...), from which the operation follows as the S3 API reference lays it out.
/// </summary>
public sealed partial record S3Request(string? Bucket, string? Key, QueryParameters Query)
{
    // The subresources that name a bucket operation; any other subresource is not answered here.
    private static readonly string[] BucketSubresources = ["tagging", "publicAccessBlock", "encryption", "lifecycle", "location", "delete"];

    private static readonly string[] OtherSubresources =
    [
        "acl", "policy", "cors", "website", "versioning", "versions", "logging", "notification", "replication", "uploads", "uploadId",
        "object-lock", "retention", "legal-hold", "accelerate", "requestPayment", "ownershipControls", "analytics", "metrics",
        "inventory", "intelligent-tiering", "attributes", "restore", "select", "torrent", "policyStatus", "partNumber",
    ];

    [GeneratedRegex(@"^(?<bucket>[a-z0-9][a-z0-9.\-]*?)\.(s3([.\-][a-z0-9\-]+)*\.amazonaws\.com|localhost)$")]
    private static partial Regex VirtualHost();

    public static S3Request From(LocalAwsRequest request)
    {
        var query = QueryParameters.Parse(request.RawQueryString);
        var path = request.Path.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        var host = (request.Header("Host") ?? "").Split(':')[0].ToLowerInvariant();
        string? bucket;
        string rest;
        if (VirtualHost().Match(host) is { Success: true } virtualHost)
        {
            bucket = virtualHost.Groups["bucket"].Value;
            rest = path.TrimStart('/');
            // A path-style request to the local endpoint whose host is only "localhost" keeps its bucket in the path.
        }
        else
        {
            var trimmed = path.TrimStart('/');
            var slash = trimmed.IndexOf('/');
            bucket = slash < 0 ? trimmed : trimmed[..slash];
            rest = slash < 0 ? "" : trimmed[(slash + 1)..];
            if (bucket.Length == 0)
                bucket = null;
        }
        return new S3Request(bucket, rest.Length == 0 ? null : rest, query);
    }

    /// <summary>The operation (the S3 API reference's names); NotImplemented for what the local S3 does not answer.</summary>
    public string Operation(string method)
    {
        var subresource = BucketSubresources.FirstOrDefault(Query.Has);
        var other = OtherSubresources.FirstOrDefault(Query.Has);
        if (other is not null || (Key is not null && subresource is not null))
            throw NotImplemented($"the {other ?? subresource} subresource");
        if (Bucket is null)
            return method == "GET" ? "ListBuckets" : throw new AwsErrorException("MethodNotAllowed", "The specified method is not allowed against this resource.", 405);
        if (Key is not null)
        {
            return method switch
            {
                "PUT" => "PutObject",
                "GET" => "GetObject",
                "HEAD" => "HeadObject",
                "DELETE" => "DeleteObject",
                _ => throw new AwsErrorException("MethodNotAllowed", "The specified method is not allowed against this resource.", 405),
            };
        }
        return (method, subresource) switch
        {
            ("PUT", null) => "CreateBucket",
            ("HEAD", null) => "HeadBucket",
            ("DELETE", null) => "DeleteBucket",
            ("GET", null) => Query["list-type"] == "2" ? "ListObjectsV2" : throw NotImplemented("ListObjects (version 1); use ListObjectsV2"),
            ("POST", "delete") => "DeleteObjects",
            ("PUT", "tagging") => "PutBucketTagging",
            ("GET", "tagging") => "GetBucketTagging",
            ("DELETE", "tagging") => "DeleteBucketTagging",
            ("PUT", "publicAccessBlock") => "PutPublicAccessBlock",
            ("GET", "publicAccessBlock") => "GetPublicAccessBlock",
            ("DELETE", "publicAccessBlock") => "DeletePublicAccessBlock",
            ("PUT", "encryption") => "PutBucketEncryption",
            ("GET", "encryption") => "GetBucketEncryption",
            ("DELETE", "encryption") => "DeleteBucketEncryption",
            ("PUT", "lifecycle") => "PutBucketLifecycleConfiguration",
            ("GET", "lifecycle") => "GetBucketLifecycleConfiguration",
            ("DELETE", "lifecycle") => "DeleteBucketLifecycle",
            ("GET", "location") => "GetBucketLocation",
            _ => throw new AwsErrorException("MethodNotAllowed", "The specified method is not allowed against this resource.", 405),
        };
    }

    public static AwsErrorException NotImplemented(string what) =>
        new("NotImplemented", $"A header you provided implies functionality that is not implemented (the local S3 does not answer {what}).", 501);

    /// <summary>
    /// The payload as sent: SigV4 signs it as a SHA-256 (checked), <c>UNSIGNED-PAYLOAD</c>, or one of
    /// the streaming forms whose body is aws-chunked (decoded here, chunk signatures and trailing
    /// checksums read past, the decoded length checked against <c>x-amz-decoded-content-length</c>).
    /// </summary>
    public static byte[] Payload(LocalAwsRequest request)
    {
        var presigned = QueryParameters.Parse(request.RawQueryString).Has("X-Amz-Credential");
        var declared = request.Header("x-amz-content-sha256");
        if (declared is null)
        {
            if (presigned)
                return request.Body;
            throw new AwsErrorException("InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
        }
        switch (declared)
        {
            case "UNSIGNED-PAYLOAD":
                return request.Body;
            case "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
            case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD":
            case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
            case "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD":
            case "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER":
                return DecodeChunks(request);
        }
        if (declared.Length != 64 || !declared.All(Uri.IsHexDigit))
            throw new AwsErrorException("InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.");
        var computed = Convert.ToHexStringLower(SHA256.HashData(request.Body));
        if (!string.Equals(computed, declared, StringComparison.OrdinalIgnoreCase))
            throw new AwsErrorException("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
            {
                Details = [new("ClientComputedContentSHA256", declared), new("S3ComputedContentSHA256", computed)],
            };
        return request.Body;
    }

    private static byte[] DecodeChunks(LocalAwsRequest request)
    {
        var body = request.Body;
        using var decoded = new MemoryStream();
        var position = 0;
        while (true)
        {
            var lineEnd = IndexOfCrLf(body, position);
            if (lineEnd < 0)
                throw Incomplete();
            var header = Encoding.ASCII.GetString(body, position, lineEnd - position);
            var sizeText = header.Split(';')[0].Trim();
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out var size) || size < 0)
                throw Incomplete();
            position = lineEnd + 2;
            if (size == 0)
                break;
            if (position + size + 2 > body.Length)
                throw Incomplete();
            decoded.Write(body, position, size);
            position += size + 2;
        }
        // What follows the last chunk are trailers (x-amz-checksum-*, x-amz-trailer-signature) and an empty line.
        if (request.Header("x-amz-decoded-content-length") is { } length && long.TryParse(length, out var expected) && expected != decoded.Length)
            throw Incomplete();
        return decoded.ToArray();
    }

    private static AwsErrorException Incomplete() =>
        new("IncompleteBody", "The request body terminated unexpectedly");

    private static int IndexOfCrLf(byte[] body, int from)
    {
        for (var i = from; i + 1 < body.Length; i++)
        {
            if (body[i] == '\r' && body[i + 1] == '\n')
                return i;
        }
        return -1;
    }

    /// <summary>Checks a Content-MD5 header against the payload: InvalidDigest if it is no MD5, BadDigest if it differs.</summary>
    public static void CheckContentMd5(LocalAwsRequest request, byte[] payload)
    {
        if (request.Header("Content-MD5") is not { } md5)
            return;
        byte[] digest;
        try
        {
            digest = Convert.FromBase64String(md5);
        }
        catch (FormatException)
        {
            throw new AwsErrorException("InvalidDigest", "The Content-MD5 you specified was invalid.");
        }
        if (digest.Length != 16)
            throw new AwsErrorException("InvalidDigest", "The Content-MD5 you specified was invalid.");
        if (!digest.AsSpan().SequenceEqual(MD5.HashData(payload)))
            throw new AwsErrorException("BadDigest", "The Content-MD5 you specified did not match what we received.");
    }

    /// <summary>
    /// Operations whose model requires a checksum (DeleteObjects and the Put of tagging, public
    /// access block, encryption and lifecycle): without Content-MD5 or an x-amz-checksum-* value
    /// S3 refuses them.
    /// </summary>
    public static void RequireChecksum(LocalAwsRequest request)
    {
        var hasChecksum = request.Header("Content-MD5") is not null
            || request.Headers.Keys.Any(h => h.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase))
            || request.Header("x-amz-trailer") is { } trailer && trailer.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase);
        if (!hasChecksum)
            throw new AwsErrorException("InvalidRequest", "Missing required header for this request: Content-MD5");
    }
}
