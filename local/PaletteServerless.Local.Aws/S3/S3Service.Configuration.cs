using System.Xml.Linq;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.S3;

/// <summary>Bucket configurations: tagging, Block Public Access, default encryption and lifecycle.</summary>
public sealed partial class S3Service
{
    private const int MaxBucketTags = 50;
    private const int MaxLifecycleRules = 1000;

    private static LocalAwsResponse Configure(AwsCall call, S3Bucket bucket) => call.Operation switch
    {
        "PutBucketTagging" => PutBucketTagging(call, bucket),
        "GetBucketTagging" => GetBucketTagging(call, bucket),
        "DeleteBucketTagging" => Deleted(call, () => { bucket.Tags.Clear(); bucket.HasTagSet = false; }),
        "PutPublicAccessBlock" => PutPublicAccessBlock(call, bucket),
        "GetPublicAccessBlock" => GetPublicAccessBlock(call, bucket),
        "DeletePublicAccessBlock" => Deleted(call, () => bucket.PublicAccessBlock = null),
        "PutBucketEncryption" => PutBucketEncryption(call, bucket),
        "GetBucketEncryption" => GetBucketEncryption(call, bucket),
        // Since January 2023 deleting the configuration returns the bucket to SSE-S3; it never has none.
        "DeleteBucketEncryption" => Deleted(call, () => bucket.Encryption = S3DefaultEncryption.SseS3),
        "PutBucketLifecycleConfiguration" => PutBucketLifecycle(call, bucket),
        "GetBucketLifecycleConfiguration" => GetBucketLifecycle(call, bucket),
        "DeleteBucketLifecycle" => Deleted(call, () => bucket.Lifecycle = null),
        _ => throw S3Request.NotImplemented(call.Operation),
    };

    private static LocalAwsResponse Deleted(AwsCall call, Action delete)
    {
        delete();
        return S3Xml.Empty(call.RequestId, 204);
    }

    /// <summary>The body of a Put that S3 requires a checksum for, checked and parsed.</summary>
    private static XElement Document(AwsCall call, string root)
    {
        var payload = S3Request.Payload(call.Request);
        S3Request.RequireChecksum(call.Request);
        S3Request.CheckContentMd5(call.Request, payload);
        return S3Xml.Parse(payload, root);
    }

    private static LocalAwsResponse PutBucketTagging(AwsCall call, S3Bucket bucket)
    {
        var tagSet = Document(call, "Tagging").Child("TagSet") ?? throw S3Xml.Malformed();
        var tags = S3Xml.Tags(tagSet.Children("Tag"), MaxBucketTags);
        bucket.Tags = tags;
        bucket.HasTagSet = true;
        return S3Xml.Empty(call.RequestId, 204);
    }

    private static LocalAwsResponse GetBucketTagging(AwsCall call, S3Bucket bucket)
    {
        if (!bucket.HasTagSet || bucket.Tags.Count == 0)
            throw new AwsErrorException("NoSuchTagSet", "The TagSet does not exist", 404) { Details = [new("BucketName", bucket.Id)] };
        var xml = new XmlBuilder().Open("Tagging", S3Xml.Namespace).Open("TagSet");
        foreach (var (key, value) in bucket.Tags)
            xml.Open("Tag").Element("Key", key).Element("Value", value).Close();
        return S3Xml.Ok(xml.Close().Close(), call.RequestId);
    }

    private static LocalAwsResponse PutPublicAccessBlock(AwsCall call, S3Bucket bucket)
    {
        var document = Document(call, "PublicAccessBlockConfiguration");
        bucket.PublicAccessBlock = new S3PublicAccessBlock(
            document.ChildBool("BlockPublicAcls"), document.ChildBool("IgnorePublicAcls"),
            document.ChildBool("BlockPublicPolicy"), document.ChildBool("RestrictPublicBuckets"));
        return S3Xml.Empty(call.RequestId);
    }

    private static LocalAwsResponse GetPublicAccessBlock(AwsCall call, S3Bucket bucket)
    {
        var block = bucket.PublicAccessBlock
            ?? throw new AwsErrorException("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", 404) { Details = [new("BucketName", bucket.Id)] };
        var xml = new XmlBuilder().Open("PublicAccessBlockConfiguration", S3Xml.Namespace)
            .Element("BlockPublicAcls", block.BlockPublicAcls)
            .Element("IgnorePublicAcls", block.IgnorePublicAcls)
            .Element("BlockPublicPolicy", block.BlockPublicPolicy)
            .Element("RestrictPublicBuckets", block.RestrictPublicBuckets);
        return S3Xml.Ok(xml.Close(), call.RequestId);
    }

    /// <summary>One rule: SSE-S3 (AES256), SSE-KMS (aws:kms, with an optional key) or DSSE-KMS, and the S3 Bucket Key.</summary>
    private static LocalAwsResponse PutBucketEncryption(AwsCall call, S3Bucket bucket)
    {
        var rules = Document(call, "ServerSideEncryptionConfiguration").Children("Rule").ToList();
        if (rules.Count != 1 || rules[0].Child("ApplyServerSideEncryptionByDefault") is not { } defaults)
            throw S3Xml.Malformed();
        var algorithm = defaults.ChildText("SSEAlgorithm");
        if (algorithm is not ("AES256" or "aws:kms" or "aws:kms:dsse"))
            throw S3Xml.Malformed();
        var keyId = defaults.ChildText("KMSMasterKeyID") is { Length: > 0 } key ? key : null;
        if (algorithm == "AES256" && keyId is not null)
            throw new AwsErrorException("InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse");
        bucket.Encryption = new S3DefaultEncryption(algorithm, keyId, rules[0].ChildBool("BucketKeyEnabled"));
        return S3Xml.Empty(call.RequestId);
    }

    /// <summary>
    /// Every bucket has default encryption since January 2023 (SSE-S3 unless configured), so S3 no
    /// longer answers ServerSideEncryptionConfigurationNotFoundError for a general purpose bucket;
    /// neither does the local S3.
    /// </summary>
    private static LocalAwsResponse GetBucketEncryption(AwsCall call, S3Bucket bucket)
    {
        var encryption = bucket.Encryption;
        var xml = new XmlBuilder().Open("ServerSideEncryptionConfiguration", S3Xml.Namespace).Open("Rule")
            .Open("ApplyServerSideEncryptionByDefault").Element("SSEAlgorithm", encryption.Algorithm).Element("KMSMasterKeyID", encryption.KmsKeyId).Close()
            .Element("BucketKeyEnabled", encryption.BucketKeyEnabled);
        return S3Xml.Ok(xml.Close().Close(), call.RequestId);
    }

    /// <summary>
    /// Lifecycle rules with an Expiration in Days, filtered by Prefix, Tag or And (prefix and tags);
    /// the whole configuration replaces the last. Other actions (transitions, noncurrent versions,
    /// an expiration Date) are not answered by the local S3.
    /// </summary>
    private static LocalAwsResponse PutBucketLifecycle(AwsCall call, S3Bucket bucket)
    {
        var rules = new List<S3LifecycleRule>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in Document(call, "LifecycleConfiguration").Children("Rule"))
        {
            var id = rule.ChildText("ID");
            if (id is { Length: > 255 })
                throw new AwsErrorException("InvalidArgument", "ID length should not exceed allowed limit of 255");
            if (id is not null && !ids.Add(id))
                throw new AwsErrorException("InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule");
            var enabled = rule.ChildText("Status") switch
            {
                "Enabled" => true,
                "Disabled" => false,
                _ => throw S3Xml.Malformed(),
            };
            var (prefix, tags, hasFilter) = Filter(rule);
            foreach (var action in rule.Elements().Select(e => e.Name.LocalName).Where(n => n is not ("ID" or "Status" or "Filter" or "Prefix" or "Expiration")))
                throw S3Request.NotImplemented($"the lifecycle action {action}");
            var expiration = rule.Child("Expiration") ?? throw new AwsErrorException("InvalidRequest", "At least one action needs to be specified in a rule");
            if (expiration.Child("Date") is not null || expiration.Child("ExpiredObjectDeleteMarker") is not null)
                throw S3Request.NotImplemented("an Expiration by Date or of delete markers");
            if (!int.TryParse(expiration.ChildText("Days"), out var days))
                throw S3Xml.Malformed();
            if (days <= 0)
                throw new AwsErrorException("InvalidArgument", "'Days' for Expiration action must be a positive integer");
            rules.Add(new S3LifecycleRule(id, enabled, prefix, tags, days, hasFilter));
        }
        if (rules.Count is 0 or > MaxLifecycleRules)
            throw S3Xml.Malformed();
        bucket.Lifecycle = rules;
        return S3Xml.Empty(call.RequestId, headers: new Dictionary<string, string> { ["x-amz-transition-default-minimum-object-size"] = "all_storage_classes_128K" });
    }

    /// <summary>A rule's filter: a Filter (Prefix, Tag, or And of both) or the legacy rule-level Prefix, not both.</summary>
    private static (string Prefix, Dictionary<string, string> Tags, bool HasFilter) Filter(XElement rule)
    {
        var filter = rule.Child("Filter");
        var legacyPrefix = rule.ChildText("Prefix");
        if (filter is not null && legacyPrefix is not null)
            throw S3Xml.Malformed();
        if (filter is null)
            return (legacyPrefix ?? "", new Dictionary<string, string>(StringComparer.Ordinal), false);
        var and = filter.Child("And");
        var tagElements = and is null ? filter.Children("Tag") : and.Children("Tag");
        var prefix = (and ?? filter).ChildText("Prefix") ?? "";
        var members = filter.Elements().Count();
        if (members > 1 || (and is not null && and.Elements().Count() < 2))
            throw S3Xml.Malformed();
        var tags = S3Xml.Tags(tagElements, MaxBucketTags);
        return (prefix, tags, true);
    }

    private static LocalAwsResponse GetBucketLifecycle(AwsCall call, S3Bucket bucket)
    {
        var rules = bucket.Lifecycle
            ?? throw new AwsErrorException("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", 404) { Details = [new("BucketName", bucket.Id)] };
        var xml = new XmlBuilder().Open("LifecycleConfiguration", S3Xml.Namespace);
        foreach (var rule in rules)
        {
            xml.Open("Rule").Element("ID", rule.Id);
            if (rule.HasFilter)
            {
                xml.Open("Filter");
                if (rule.Tags.Count == 0)
                    xml.Element("Prefix", rule.Prefix);
                else if (rule.Tags.Count == 1 && rule.Prefix.Length == 0)
                    xml.Open("Tag").Element("Key", rule.Tags.First().Key).Element("Value", rule.Tags.First().Value).Close();
                else
                {
                    xml.Open("And").Element("Prefix", rule.Prefix.Length == 0 ? null : rule.Prefix);
                    foreach (var (key, value) in rule.Tags)
                        xml.Open("Tag").Element("Key", key).Element("Value", value).Close();
                    xml.Close();
                }
                xml.Close();
            }
            else
            {
                xml.Element("Prefix", rule.Prefix);
            }
            xml.Element("Status", rule.Enabled ? "Enabled" : "Disabled")
                .Open("Expiration").Element("Days", rule.Days).Close()
                .Close();
        }
        return S3Xml.Ok(xml.Close(), call.RequestId);
    }
}
