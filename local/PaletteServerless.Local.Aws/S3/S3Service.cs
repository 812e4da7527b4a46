using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.S3;

/// <summary>
/// Amazon S3 (REST with XML bodies, signing name <c>s3</c>) for general purpose buckets: buckets
/// with their Region rules, unversioned objects, ListObjectsV2, bucket tagging, Block Public
/// Access, default encryption and lifecycle expiration, with the errors and statuses of the S3 API
/// reference. Requests come path-style (as SDKs send them to a custom endpoint with
/// ForcePathStyle) or virtual-hosted-style; payloads as SigV4 sends them, aws-chunked included.
/// </summary>
public sealed partial class S3Service : ILocalAwsService, IRestService, IAuthorizesRequests, ITicks
{
    public string ServiceName => "s3";
    public AwsProtocol Protocol => AwsProtocol.RestXml;
    public string RouteKey => "s3";
    public AwsErrorStyle ErrorStyle => AwsErrorStyle.S3;
    public string? XmlNamespace => S3Xml.Namespace;
    public string ThrottlingErrorCode => "SlowDown";

    // The commercial Regions a bucket can be created in (the LocationConstraint enumeration of the S3 API reference).
    private static readonly HashSet<string> Regions = new(StringComparer.Ordinal)
    {
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ca-central-1",
        "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
        "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    };

    // General purpose bucket naming rules (S3 User Guide, "General purpose bucket naming rules").
    [GeneratedRegex(@"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketNameShape();

    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex IpAddressShape();

    private static readonly string[] ReservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
    private static readonly string[] ReservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

    public string OperationOf(LocalAwsRequest request)
    {
        var operation = S3Request.From(request).Operation(request.Method);
        // A PUT with x-amz-copy-source is CopyObject, which the local S3 does not answer.
        return operation == "PutObject" && request.Header("x-amz-copy-source") is not null ? throw S3Request.NotImplemented("CopyObject") : operation;
    }

    public Task<LocalAwsResponse> HandleAsync(AwsCall call, CancellationToken cancellationToken)
    {
        var request = S3Request.From(call.Request);
        lock (call.Aws.Store.Sync)
        {
            return Task.FromResult(call.Operation switch
            {
                "ListBuckets" => ListBuckets(call),
                "CreateBucket" => CreateBucket(call, request.Bucket!),
                "HeadBucket" => HeadBucket(call, request.Bucket!),
                "DeleteBucket" => DeleteBucket(call, request.Bucket!),
                "GetBucketLocation" => GetBucketLocation(call, request.Bucket!),
                "PutObject" => PutObject(call, Bucket(call, request.Bucket!), request.Key!),
                "GetObject" => GetObject(call, Bucket(call, request.Bucket!), request.Key!, withBody: true),
                "HeadObject" => GetObject(call, Bucket(call, request.Bucket!), request.Key!, withBody: false),
                "DeleteObject" => DeleteObject(call, Bucket(call, request.Bucket!), request.Key!),
                "DeleteObjects" => DeleteObjects(call, Bucket(call, request.Bucket!)),
                "ListObjectsV2" => ListObjectsV2(call, Bucket(call, request.Bucket!), request.Query),
                _ => Configure(call, Bucket(call, request.Bucket!)),
            });
        }
    }

    /// <summary>Expires what the lifecycle rules of every bucket say is due, as time passes.</summary>
    public void Tick(LocalAws aws, DateTimeOffset now)
    {
        foreach (var world in aws.Store.Worlds)
            foreach (var bucket in world.All<S3Bucket>())
                ExpireObjects(bucket, now);
    }

    /// <summary>
    /// Removes the objects whose lifecycle expiration is due. S3 queues expired objects for removal
    /// and removes them asynchronously; the local S3 removes them at the first tick or call at or
    /// after the midnight (UTC) they expire, so a read never sees an expired object.
    /// </summary>
    public static int ExpireObjects(S3Bucket bucket, DateTimeOffset now)
    {
        if (bucket.Lifecycle is not { Count: > 0 } rules)
            return 0;
        var expired = bucket.Objects.Values
            .Where(o => rules.Any(r => r.Applies(o) && r.ExpiresAt(o) <= now))
            .Select(o => o.Key)
            .ToList();
        foreach (var key in expired)
            bucket.Objects.Remove(key);
        return expired.Count;
    }

    /// <summary>Every bucket of every account, by name (bucket names are global).</summary>
    public static S3Bucket? Find(LocalAws aws, string name) =>
        aws.Store.Worlds.Select(w => w.Find<S3Bucket>(name)).FirstOrDefault(b => b is not null);

    /// <summary>
    /// The bucket a call names, as S3 finds it: none is NoSuchBucket, another account's is
    /// AccessDenied (the local S3 has no bucket policies or ACLs to grant it), a request signed for
    /// another Region than the bucket's is AuthorizationHeaderMalformed naming the right one.
    /// </summary>
    internal static S3Bucket Bucket(AwsCall call, string name, bool anyRegion = false)
    {
        var bucket = Find(call.Aws, name) ?? throw NoSuchBucket(name);
        if (bucket.Account != call.Account)
            throw new AwsErrorException("AccessDenied", "Access Denied", 403);
        if (!anyRegion && bucket.Region != call.Region)
        {
            throw new AwsErrorException("AuthorizationHeaderMalformed",
                $"The authorization header is malformed; the region '{call.Region}' is wrong; expecting '{bucket.Region}'")
            {
                Details = [new("Region", bucket.Region)],
            };
        }
        ExpireObjects(bucket, call.Now);
        return bucket;
    }

    internal static AwsErrorException NoSuchBucket(string name) =>
        new("NoSuchBucket", "The specified bucket does not exist", 404) { Details = [new("BucketName", name)] };

    internal static string BucketArn(string name) => "arn:aws:s3:::" + name;

    /// <summary>The canonical user id of an account (S3's 64 hex digits), stable per account.</summary>
    internal static string CanonicalId(string account) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("s3-owner/" + account)));

    internal static void CheckBucketName(string name)
    {
        var valid = BucketNameShape().IsMatch(name)
            && !name.Contains("..", StringComparison.Ordinal)
            && !IpAddressShape().IsMatch(name)
            && !ReservedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))
            && !ReservedSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal));
        if (!valid)
            throw new AwsErrorException("InvalidBucketName", "The specified bucket is not valid.") { Details = [new("BucketName", name)] };
    }

    private static LocalAwsResponse ListBuckets(AwsCall call)
    {
        var prefix = call.Request.RawQueryString.Length > 0 ? QueryParameters.Parse(call.Request.RawQueryString)["prefix"] : null;
        var buckets = call.Aws.Store.Worlds
            .Where(w => w.Account == call.Account)
            .SelectMany(w => w.All<S3Bucket>())
            .Where(b => prefix is null || b.Id.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(b => b.Id, StringComparer.Ordinal);
        var xml = new XmlBuilder().Open("ListAllMyBucketsResult", S3Xml.Namespace)
            .Open("Owner").Element("ID", CanonicalId(call.Account)).Close()
            .Open("Buckets");
        foreach (var bucket in buckets)
            xml.Open("Bucket").Element("Name", bucket.Id).Element("CreationDate", S3Xml.Timestamp(bucket.CreatedAt)).Element("BucketRegion", bucket.Region).Close();
        xml.Close().Element("Prefix", prefix).Close();
        return S3Xml.Ok(xml, call.RequestId);
    }

    /// <summary>
    /// CreateBucket with the LocationConstraint rules: in us-east-1 none may be given (the Region is
    /// the default); in any other Region it must name that Region (EU is eu-west-1's old name).
    /// Creating a bucket you own again is BucketAlreadyOwnedByYou, except in us-east-1, where S3
    /// answers 200 for compatibility; a bucket another account owns is BucketAlreadyExists.
    /// </summary>
    private static LocalAwsResponse CreateBucket(AwsCall call, string name)
    {
        CheckBucketName(name);
        var payload = S3Request.Payload(call.Request);
        string? constraint = null;
        if (payload.Length > 0)
        {
            var configuration = S3Xml.Parse(payload, "CreateBucketConfiguration");
            constraint = configuration.ChildText("LocationConstraint");
            if (constraint is not null && configuration.Child("Bucket") is not null)
                throw S3Request.NotImplemented("directory buckets");
        }
        if (constraint == "EU")
            constraint = "eu-west-1";
        if (constraint is not null && !Regions.Contains(constraint))
            throw new AwsErrorException("InvalidLocationConstraint", "The specified location-constraint is not valid") { Details = [new("LocationConstraint", constraint)] };
        if (call.Region == "us-east-1" && constraint is not null)
        {
            throw constraint == "us-east-1"
                ? new AwsErrorException("InvalidLocationConstraint", "The specified location-constraint is not valid") { Details = [new("LocationConstraint", constraint)] }
                : new AwsErrorException("IllegalLocationConstraintException", $"The {constraint} location constraint is incompatible for the region specific endpoint this request was sent to.");
        }
        if (call.Region != "us-east-1" && constraint != call.Region)
        {
            throw new AwsErrorException("IllegalLocationConstraintException", constraint is null
                ? "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."
                : $"The {constraint} location constraint is incompatible for the region specific endpoint this request was sent to.");
        }
        if (call.Request.Header("x-amz-acl") is { } acl && acl is not ("private" or "bucket-owner-full-control"))
            throw new AwsErrorException("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
        if (Find(call.Aws, name) is { } existing)
        {
            if (existing.Account != call.Account)
                throw new AwsErrorException("BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", 409) { Details = [new("BucketName", name)] };
            if (call.Region != "us-east-1" || existing.Region != "us-east-1")
                throw new AwsErrorException("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", 409) { Details = [new("BucketName", name)] };
            return S3Xml.Empty(call.RequestId, headers: new Dictionary<string, string> { ["Location"] = "/" + name });
        }
        var bucket = new S3Bucket { Id = name, Type = S3Bucket.ResourceType, Arn = BucketArn(name) };
        bucket.SetState("available", call.Now);
        call.World.Add(bucket, call.Now);
        return S3Xml.Empty(call.RequestId, headers: new Dictionary<string, string> { ["Location"] = "/" + name });
    }

    private static LocalAwsResponse HeadBucket(AwsCall call, string name)
    {
        var bucket = Bucket(call, name, anyRegion: true);
        return S3Xml.Empty(call.RequestId, headers: new Dictionary<string, string>
        {
            ["x-amz-bucket-region"] = bucket.Region,
            ["x-amz-access-point-alias"] = "false",
        });
    }

    private static LocalAwsResponse DeleteBucket(AwsCall call, string name)
    {
        var bucket = Bucket(call, name);
        if (bucket.Objects.Count > 0)
            throw new AwsErrorException("BucketNotEmpty", "The bucket you tried to delete is not empty", 409) { Details = [new("BucketName", name)] };
        call.Aws.Store.World(bucket.Account, bucket.Region).Remove(bucket.Id);
        return S3Xml.Empty(call.RequestId, 204);
    }

    /// <summary>The Region of a bucket; us-east-1 is the empty constraint (S3's oldest convention).</summary>
    private static LocalAwsResponse GetBucketLocation(AwsCall call, string name)
    {
        var bucket = Bucket(call, name, anyRegion: true);
        var region = bucket.Region == "us-east-1" ? null : bucket.Region;
        var xml = new XmlBuilder();
        if (region is null)
            xml.Raw($"<LocationConstraint xmlns=\"{S3Xml.Namespace}\"/>");
        else
            xml.Open("LocationConstraint", S3Xml.Namespace).Raw(AwsErrors.Escape(region)).Close();
        return S3Xml.Ok(xml, call.RequestId);
    }
}
