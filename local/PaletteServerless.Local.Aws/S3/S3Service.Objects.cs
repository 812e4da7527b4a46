using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Web;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.S3;

/// <summary>Objects: PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects and ListObjectsV2.</summary>
public sealed partial class S3Service
{
    private const int MaxKeyLength = 1024;
    private const int MaxKeysPerPage = 1000;
    private const int MaxObjectTags = 10;
    private const int MaxMetadataBytes = 2048;

    private static LocalAwsResponse PutObject(AwsCall call, S3Bucket bucket, string key)
    {
        if (Encoding.UTF8.GetByteCount(key) > MaxKeyLength)
            throw new AwsErrorException("KeyTooLongError", "Your key is too long") { Details = [new("Key", key)] };
        var payload = S3Request.Payload(call.Request);
        S3Request.CheckContentMd5(call.Request, payload);
        if (call.Request.Header("x-amz-acl") is { } acl && acl is not ("private" or "bucket-owner-full-control"))
            throw new AwsErrorException("AccessControlListNotSupported", "The bucket does not allow ACLs");
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in call.Request.Headers.Where(h => h.Key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase)))
            metadata[name["x-amz-meta-".Length..].ToLowerInvariant()] = value;
        if (metadata.Sum(m => Encoding.UTF8.GetByteCount(m.Key) + Encoding.UTF8.GetByteCount(m.Value)) > MaxMetadataBytes)
            throw new AwsErrorException("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.");
        var (algorithm, keyId, bucketKey) = Encryption(call, bucket);
        var storageClass = call.Request.Header("x-amz-storage-class") ?? "STANDARD";
        if (storageClass is not ("STANDARD" or "STANDARD_IA" or "ONEZONE_IA" or "INTELLIGENT_TIERING" or "GLACIER" or "DEEP_ARCHIVE" or "GLACIER_IR" or "REDUCED_REDUNDANCY"))
            throw new AwsErrorException("InvalidStorageClass", "The storage class you specified is not valid");
        var item = new S3Object
        {
            Key = key,
            Body = payload,
            ETag = "\"" + Convert.ToHexStringLower(MD5.HashData(payload)) + "\"",
            LastModified = call.Now,
            ContentType = call.Request.Header("Content-Type") is { Length: > 0 } type ? type : "binary/octet-stream",
            StorageClass = storageClass,
            Metadata = metadata,
            Tags = ObjectTags(call.Request.Header("x-amz-tagging")),
            ServerSideEncryption = algorithm,
            KmsKeyId = keyId,
            BucketKeyEnabled = bucketKey,
        };
        bucket.Objects[key] = item;
        var headers = EncryptionHeaders(item);
        headers["ETag"] = item.ETag;
        return S3Xml.Empty(call.RequestId, headers: headers);
    }

    /// <summary>The object's encryption: the request's x-amz-server-side-encryption headers, else the bucket's default.</summary>
    private static (string Algorithm, string? KeyId, bool BucketKey) Encryption(AwsCall call, S3Bucket bucket)
    {
        var algorithm = call.Request.Header("x-amz-server-side-encryption");
        var keyId = call.Request.Header("x-amz-server-side-encryption-aws-kms-key-id");
        if (algorithm is null)
        {
            if (keyId is not null)
                throw new AwsErrorException("InvalidArgument", "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms");
            return (bucket.Encryption.Algorithm, bucket.Encryption.KmsKeyId, bucket.Encryption.BucketKeyEnabled);
        }
        if (algorithm is not ("AES256" or "aws:kms" or "aws:kms:dsse"))
            throw new AwsErrorException("InvalidArgument", "The encryption method specified is not supported");
        if (algorithm == "AES256" && keyId is not null)
            throw new AwsErrorException("InvalidArgument", "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms");
        var bucketKey = call.Request.Header("x-amz-server-side-encryption-bucket-key-enabled") is { } enabled
            ? string.Equals(enabled, "true", StringComparison.OrdinalIgnoreCase)
            : bucket.Encryption.BucketKeyEnabled && algorithm == bucket.Encryption.Algorithm;
        return (algorithm, algorithm == "AES256" ? null : keyId ?? (algorithm == bucket.Encryption.Algorithm ? bucket.Encryption.KmsKeyId : null), algorithm != "AES256" && bucketKey);
    }

    private static Dictionary<string, string> EncryptionHeaders(S3Object item)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["x-amz-server-side-encryption"] = item.ServerSideEncryption };
        if (item.KmsKeyId is not null)
            headers["x-amz-server-side-encryption-aws-kms-key-id"] = item.KmsKeyId;
        if (item.BucketKeyEnabled)
            headers["x-amz-server-side-encryption-bucket-key-enabled"] = "true";
        return headers;
    }

    /// <summary>The URL-encoded tag set of x-amz-tagging (<c>k1=v1&amp;k2=v2</c>).</summary>
    private static Dictionary<string, string> ObjectTags(string? header)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(header))
            return tags;
        foreach (var pair in header.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var key = HttpUtility.UrlDecode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : HttpUtility.UrlDecode(pair[(equals + 1)..]);
            if (key.Length is 0 or > 128 || value.Length > 256)
                throw new AwsErrorException("InvalidTag", "The TagKey you have provided is invalid");
            if (!tags.TryAdd(key, value))
                throw new AwsErrorException("InvalidTag", "Cannot provide multiple Tags with the same key");
        }
        if (tags.Count > MaxObjectTags)
            throw new AwsErrorException("BadRequest", $"Object tags cannot be greater than {MaxObjectTags}");
        return tags;
    }

    /// <summary>GetObject (with a single <c>bytes=</c> range) and HeadObject, which answers the same headers without a body.</summary>
    private static LocalAwsResponse GetObject(AwsCall call, S3Bucket bucket, string key, bool withBody)
    {
        if (!bucket.Objects.TryGetValue(key, out var item))
            throw new AwsErrorException("NoSuchKey", "The specified key does not exist.", 404) { Details = [new("Key", key)] };
        var headers = S3Xml.Headers(call.RequestId);
        foreach (var (name, value) in EncryptionHeaders(item))
            headers[name] = value;
        headers["ETag"] = item.ETag;
        headers["Last-Modified"] = S3Xml.HttpDate(item.LastModified);
        headers["Accept-Ranges"] = "bytes";
        foreach (var (name, value) in item.Metadata)
            headers["x-amz-meta-" + name] = value;
        if (item.Tags.Count > 0)
            headers["x-amz-tagging-count"] = item.Tags.Count.ToString(CultureInfo.InvariantCulture);
        if (item.StorageClass != "STANDARD")
            headers["x-amz-storage-class"] = item.StorageClass;
        if (bucket.Lifecycle?.FirstOrDefault(r => r.Applies(item)) is { } rule)
            headers["x-amz-expiration"] = $"expiry-date=\"{S3Xml.HttpDate(rule.ExpiresAt(item))}\", rule-id=\"{rule.Id ?? ""}\"";
        var body = item.Body;
        var status = 200;
        if (call.Request.Header("Range") is { } range && Range(range, body.Length) is { } slice)
        {
            headers["Content-Range"] = $"bytes {slice.Start}-{slice.End}/{body.Length}";
            body = body[slice.Start..(slice.End + 1)];
            status = 206;
        }
        headers["Content-Length"] = body.Length.ToString(CultureInfo.InvariantCulture);
        return new LocalAwsResponse(status, item.ContentType, withBody ? body : [], headers);
    }

    /// <summary>A single byte range (<c>bytes=a-b</c>, <c>bytes=a-</c>, <c>bytes=-n</c>); anything else is the whole object, as HTTP allows.</summary>
    private static (int Start, int End)? Range(string header, int length)
    {
        if (!header.StartsWith("bytes=", StringComparison.Ordinal) || header.Contains(',', StringComparison.Ordinal))
            return null;
        var parts = header["bytes=".Length..].Split('-');
        if (parts.Length != 2)
            return null;
        int start, end;
        if (parts[0].Length == 0 && int.TryParse(parts[1], out var suffix))
            (start, end) = (Math.Max(0, length - suffix), length - 1);
        else if (int.TryParse(parts[0], out start))
            end = parts[1].Length == 0 ? length - 1 : int.TryParse(parts[1], out var last) ? Math.Min(last, length - 1) : -1;
        else
            return null;
        if (start >= length || end < start)
            throw new AwsErrorException("InvalidRange", "The requested range is not satisfiable", 416) { Details = [new("RangeRequested", header), new("ActualObjectSize", length.ToString(CultureInfo.InvariantCulture))] };
        return (start, end);
    }

    /// <summary>DeleteObject answers 204 whether or not the key existed (the bucket is unversioned).</summary>
    private static LocalAwsResponse DeleteObject(AwsCall call, S3Bucket bucket, string key)
    {
        bucket.Objects.Remove(key);
        return S3Xml.Empty(call.RequestId, 204);
    }

    private static LocalAwsResponse DeleteObjects(AwsCall call, S3Bucket bucket)
    {
        var payload = S3Request.Payload(call.Request);
        S3Request.RequireChecksum(call.Request);
        S3Request.CheckContentMd5(call.Request, payload);
        var document = S3Xml.Parse(payload, "Delete");
        var keys = document.Children("Object").Select(o => o.ChildText("Key") ?? throw S3Xml.Malformed()).ToList();
        if (keys.Count is 0 or > MaxKeysPerPage)
            throw S3Xml.Malformed();
        var quiet = document.ChildBool("Quiet");
        var xml = new XmlBuilder().Open("DeleteResult", S3Xml.Namespace);
        foreach (var key in keys)
        {
            bucket.Objects.Remove(key);
            if (!quiet)
                xml.Open("Deleted").Element("Key", key).Close();
        }
        return S3Xml.Ok(xml.Close(), call.RequestId);
    }

    /// <summary>
    /// ListObjectsV2: keys in UTF-8 binary order, rolled up to CommonPrefixes at the delimiter, at
    /// most max-keys (1000) keys and prefixes a page, continued with an opaque token; with
    /// encoding-type=url the keys and prefixes are URL-encoded, as the AWS CLI asks.
    /// </summary>
    private static LocalAwsResponse ListObjectsV2(AwsCall call, S3Bucket bucket, QueryParameters query)
    {
        var prefix = query["prefix"] ?? "";
        var delimiter = query["delimiter"] is { Length: > 0 } d ? d : null;
        var encodingType = query["encoding-type"];
        if (encodingType is not (null or "url"))
            throw new AwsErrorException("InvalidArgument", "Invalid Encoding Method specified in Request") { Details = [new("ArgumentName", "encoding-type"), new("ArgumentValue", encodingType)] };
        var maxKeys = MaxKeysPerPage;
        if (query["max-keys"] is { } maxText && (!int.TryParse(maxText, out maxKeys) || maxKeys < 0))
            throw new AwsErrorException("InvalidArgument", "Provided max-keys not an integer or within integer range") { Details = [new("ArgumentName", "max-keys"), new("ArgumentValue", maxText)] };
        maxKeys = Math.Min(maxKeys, MaxKeysPerPage);
        var token = query["continuation-token"];
        var after = query["start-after"];
        if (token is not null)
            after = DecodeToken(token);

        var ordered = bucket.Objects.Values
            .Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(o => o.Key, StringComparer.Ordinal);
        var contents = new List<S3Object>();
        var prefixes = new List<string>();
        string? last = null;
        var truncated = false;
        foreach (var item in ordered)
        {
            if (after is not null && string.CompareOrdinal(item.Key, after) <= 0)
                continue;
            var common = delimiter is null ? null : CommonPrefix(item.Key, prefix, delimiter);
            if (common is not null && prefixes.Count > 0 && prefixes[^1] == common)
                continue;
            if (common is not null && after is not null && after.StartsWith(common, StringComparison.Ordinal))
                continue;
            if (contents.Count + prefixes.Count >= maxKeys)
            {
                truncated = true;
                break;
            }
            if (common is not null)
            {
                prefixes.Add(common);
                last = common + "\uffff";
            }
            else
            {
                contents.Add(item);
                last = item.Key;
            }
        }
        string Encode(string value) => encodingType == "url" ? Uri.EscapeDataString(value).Replace("%2F", "/", StringComparison.Ordinal) : value;
        var xml = new XmlBuilder().Open("ListBucketResult", S3Xml.Namespace)
            .Element("Name", bucket.Id)
            .Element("Prefix", Encode(prefix))
            .Element("Delimiter", delimiter is null ? null : Encode(delimiter))
            .Element("MaxKeys", maxKeys)
            .Element("EncodingType", encodingType)
            .Element("KeyCount", contents.Count + prefixes.Count)
            .Element("IsTruncated", truncated)
            .Element("ContinuationToken", token)
            .Element("NextContinuationToken", truncated && last is not null ? EncodeToken(last) : null)
            .Element("StartAfter", query["start-after"] is { } startAfter ? Encode(startAfter) : null);
        var fetchOwner = query["fetch-owner"] == "true";
        foreach (var item in contents)
        {
            xml.Open("Contents").Element("Key", Encode(item.Key)).Element("LastModified", S3Xml.Timestamp(item.LastModified))
                .Element("ETag", item.ETag).Element("Size", item.Body.LongLength).Element("StorageClass", item.StorageClass);
            if (fetchOwner)
                xml.Open("Owner").Element("ID", CanonicalId(bucket.Account)).Close();
            xml.Close();
        }
        foreach (var common in prefixes)
            xml.Open("CommonPrefixes").Element("Prefix", Encode(common)).Close();
        return S3Xml.Ok(xml.Close(), call.RequestId);
    }

    private static string? CommonPrefix(string key, string prefix, string delimiter)
    {
        var at = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
        return at < 0 ? null : key[..(at + delimiter.Length)];
    }

    private static string EncodeToken(string lastKey) => Convert.ToBase64String(Encoding.UTF8.GetBytes("v2:" + lastKey));

    private static string DecodeToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("v2:", StringComparison.Ordinal))
                return text[3..];
        }
        catch (FormatException)
        {
        }
        throw new AwsErrorException("InvalidArgument", "The continuation token provided is incorrect") { Details = [new("ArgumentName", "continuation-token"), new("ArgumentValue", token)] };
    }
}
