using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.S3;

/// <summary>
/// What <c>GET /local/s3</c> shows: every bucket of every account with its Region, tags,
/// configurations and objects (key, size, last modified, and when lifecycle expires it), so a person
/// or a test sees what S3 holds without credentials of each account.
/// </summary>
public static class S3View
{
    public static JsonObject Of(LocalAws aws)
    {
        var now = aws.Clock.GetUtcNow();
        var buckets = new JsonArray();
        lock (aws.Store.Sync)
        {
            foreach (var bucket in aws.Store.Worlds.SelectMany(w => w.All<S3Bucket>()).OrderBy(b => b.Id, StringComparer.Ordinal))
            {
                S3Service.ExpireObjects(bucket, now);
                var objects = new JsonArray();
                foreach (var item in bucket.Objects.Values.OrderBy(o => o.Key, StringComparer.Ordinal))
                {
                    var expiresAt = bucket.Lifecycle?.Where(r => r.Applies(item)).Select(r => (DateTimeOffset?)r.ExpiresAt(item)).Min();
                    objects.Add(new JsonObject
                    {
                        ["key"] = item.Key,
                        ["size"] = item.Body.LongLength,
                        ["lastModified"] = item.LastModified,
                        ["serverSideEncryption"] = item.ServerSideEncryption,
                        ["expiresAt"] = expiresAt,
                    });
                }
                var tags = new JsonObject();
                foreach (var (key, value) in bucket.Tags)
                    tags[key] = value;
                buckets.Add(new JsonObject
                {
                    ["name"] = bucket.Id,
                    ["account"] = bucket.Account,
                    ["region"] = bucket.Region,
                    ["createdAt"] = bucket.CreatedAt,
                    ["tags"] = tags,
                    ["encryption"] = new JsonObject { ["algorithm"] = bucket.Encryption.Algorithm, ["kmsKeyId"] = bucket.Encryption.KmsKeyId, ["bucketKeyEnabled"] = bucket.Encryption.BucketKeyEnabled },
                    ["publicAccessBlocked"] = bucket.PublicAccessBlock is { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
                    ["lifecycle"] = bucket.Lifecycle is null ? null : new JsonArray([.. bucket.Lifecycle.Select(r => (JsonNode)new JsonObject
                    {
                        ["id"] = r.Id, ["enabled"] = r.Enabled, ["prefix"] = r.Prefix, ["expirationDays"] = r.Days,
                    })]),
                    ["objects"] = objects,
                });
            }
        }
        return new JsonObject { ["buckets"] = buckets };
    }
}
