using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.S3;

/// <summary>
/// How IAM authorizes S3 calls (Service Authorization Reference, "Amazon S3", and each operation's
/// Permissions section in the S3 API reference): bucket operations on <c>arn:aws:s3:::bucket</c>,
/// object operations on <c>arn:aws:s3:::bucket/key</c>, ListBuckets on <c>*</c>. HeadBucket and
/// ListObjectsV2 are s3:ListBucket, HeadObject is s3:GetObject, DeleteObjects is s3:DeleteObject for
/// each key, and the Delete of a configuration is the Put action of that configuration
/// (s3:PutBucketTagging, s3:PutBucketPublicAccessBlock, s3:PutEncryptionConfiguration,
/// s3:PutLifecycleConfiguration). An object put or read under SSE-KMS with a customer managed key
/// also needs kms:GenerateDataKey or kms:Decrypt on that key, via S3.
/// </summary>
public sealed partial class S3Service
{
    public IReadOnlyList<AuthorizationCheck>? Authorizations(AwsCall call)
    {
        var request = S3Request.From(call.Request);
        var bucketName = request.Bucket ?? "";
        var bucketArn = BucketArn(bucketName);
        var bucket = request.Bucket is null ? null : Find(call.Aws, bucketName);
        var objectArn = $"{bucketArn}/{request.Key}";
        var checks = new List<AuthorizationCheck>();
        // What does not exist is not authorized on (S3 answers NoSuchBucket), except the bucket CreateBucket makes.
        if (call.Operation != "ListBuckets" && call.Operation != "CreateBucket" && (bucket is null || bucket.Account != call.Account))
            return checks;
        switch (call.Operation)
        {
            case "ListBuckets":
                checks.Add(AuthorizationCheck.Of("s3:ListAllMyBuckets", "*"));
                break;
            case "CreateBucket":
                checks.Add(AuthorizationCheck.Of("s3:CreateBucket", bucketArn, AuthorizationContext.Empty().With("s3:LocationConstraint", call.Region)));
                break;
            case "HeadBucket":
                checks.Add(AuthorizationCheck.Of("s3:ListBucket", bucketArn));
                break;
            case "ListObjectsV2":
            {
                // Each key is present only when the request carries its parameter.
                var context = AuthorizationContext.Empty();
                if (request.Query["prefix"] is { } prefix)
                    context.With("s3:prefix", prefix);
                if (request.Query["delimiter"] is { } delimiter)
                    context.With("s3:delimiter", delimiter);
                if (request.Query["max-keys"] is { } maxKeys)
                    context.With("s3:max-keys", maxKeys);
                checks.Add(AuthorizationCheck.Of("s3:ListBucket", bucketArn, context));
                break;
            }
            case "PutObject":
            {
                var context = AuthorizationContext.Empty();
                if (call.Request.Header("x-amz-server-side-encryption") is { } algorithm)
                    context.With("s3:x-amz-server-side-encryption", algorithm);
                if (call.Request.Header("x-amz-server-side-encryption-aws-kms-key-id") is { } keyId)
                    context.With("s3:x-amz-server-side-encryption-aws-kms-key-id", keyId);
                if (call.Request.Header("x-amz-storage-class") is { } storageClass)
                    context.With("s3:x-amz-storage-class", storageClass);
                checks.Add(AuthorizationCheck.Of("s3:PutObject", objectArn, context));
                if (call.Request.Header("x-amz-tagging") is { Length: > 0 })
                    checks.Add(AuthorizationCheck.Of("s3:PutObjectTagging", objectArn));
                var (sse, key, bucketKey) = Encryption(call, bucket!);
                checks.AddRange(KeyUse(call, "kms:GenerateDataKey", sse, key, bucketKey ? bucketArn : objectArn));
                break;
            }
            case "GetObject":
            case "HeadObject":
                checks.Add(AuthorizationCheck.Of("s3:GetObject", objectArn));
                if (bucket!.Objects.TryGetValue(request.Key!, out var item))
                    checks.AddRange(KeyUse(call, "kms:Decrypt", item.ServerSideEncryption, item.KmsKeyId, item.BucketKeyEnabled ? bucketArn : objectArn));
                break;
            case "DeleteObject":
                checks.Add(AuthorizationCheck.Of("s3:DeleteObject", objectArn));
                break;
            case "DeleteObjects":
                checks.AddRange(DeletedKeys(call).Distinct(StringComparer.Ordinal).Select(k => AuthorizationCheck.Of("s3:DeleteObject", $"{bucketArn}/{k}")));
                break;
            default:
                if (BucketAction(call.Operation) is not { } action)
                    return null;
                checks.Add(AuthorizationCheck.Of(action, bucketArn));
                break;
        }
        return checks;
    }

    private static string? BucketAction(string operation) => operation switch
    {
        "DeleteBucket" => "s3:DeleteBucket",
        "GetBucketLocation" => "s3:GetBucketLocation",
        "PutBucketTagging" or "DeleteBucketTagging" => "s3:PutBucketTagging",
        "GetBucketTagging" => "s3:GetBucketTagging",
        "PutPublicAccessBlock" or "DeletePublicAccessBlock" => "s3:PutBucketPublicAccessBlock",
        "GetPublicAccessBlock" => "s3:GetBucketPublicAccessBlock",
        "PutBucketEncryption" or "DeleteBucketEncryption" => "s3:PutEncryptionConfiguration",
        "GetBucketEncryption" => "s3:GetEncryptionConfiguration",
        "PutBucketLifecycleConfiguration" or "DeleteBucketLifecycle" => "s3:PutLifecycleConfiguration",
        "GetBucketLifecycleConfiguration" => "s3:GetLifecycleConfiguration",
        _ => null,
    };

    // The keys of a DeleteObjects body; a body that does not parse is refused by the call itself.
    private static IEnumerable<string> DeletedKeys(AwsCall call)
    {
        try
        {
            return [.. S3Xml.Parse(S3Request.Payload(call.Request), "Delete").Children("Object").Select(o => o.ChildText("Key")).OfType<string>()];
        }
        catch (AwsErrorException)
        {
            return [];
        }
    }

    /// <summary>
    /// S3's call to KMS for the caller under SSE-KMS. The AWS managed key aws/s3 allows every
    /// principal of the account through S3, so only customer managed keys are checked, with
    /// kms:ViaService and the encryption context S3 uses (the object's ARN, or the bucket's with an S3 Bucket Key).
    /// </summary>
    private static IEnumerable<AuthorizationCheck> KeyUse(AwsCall call, string action, string algorithm, string? keyId, string contextArn)
    {
        if (algorithm == "AES256" || keyId is null || call.Aws.Iam?.KeyArnOf(call.Account, call.Region, keyId) is not { } keyArn)
            yield break;
        var context = AuthorizationContext.Empty()
            .With("kms:ViaService", $"s3.{call.Region}.amazonaws.com")
            .With("kms:CallerAccount", call.Account)
            .With("kms:EncryptionContext:aws:s3:arn", contextArn)
            .With("kms:EncryptionContextKeys", "aws:s3:arn");
        yield return AuthorizationCheck.Of(action, keyArn, context);
    }
}
