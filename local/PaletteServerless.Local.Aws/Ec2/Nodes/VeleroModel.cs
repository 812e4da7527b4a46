using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;
using PaletteServerless.Local.Aws.S3;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>
/// Velero's part of a cluster, as the in-cluster agent's document asks it: once the Velero chart is installed, each
/// operation of the document's <c>backup.operations</c> the agent has not created yet becomes a Backup or a Restore,
/// which Velero's server runs with the node's own credentials (no secret: the instance role) against the backup
/// storage location the chart's values give (bucket, prefix, region). A backup uploads what Velero's object store
/// layout has for it under <c>&lt;prefix&gt;/backups/&lt;name&gt;/</c>: the log, the resources tarball, the resource
/// list, the results, the (empty) volume snapshot and pod volume lists and last <c>velero-backup.json</c>, the
/// Backup object with its status. A restore reads that document back (s3:GetObject) and uploads
/// <c>&lt;prefix&gt;/restores/&lt;name&gt;/restore-&lt;name&gt;-logs.gz</c> and <c>-results.gz</c> (errors when the
/// backup is missing or not Completed). Every call is one IAM decision as the node's role: refused, the operation
/// fails as Velero's would (a backup PartiallyFailed is never uploaded: nothing reaches the bucket); undecided, it
/// is taken again at the agent's next run.
/// </summary>
public static class VeleroModel
{
    /// <summary>What one agent run did with the document's operations: true when an IAM answer is awaited.</summary>
    public static bool Operate(AwsWorld world, Instance instance, AgentState state, JsonObject document, DateTimeOffset at, NodeCredentials? credentials)
    {
        if (document["backup"] is not JsonObject backup || !state.Installed.Contains("velero", StringComparer.Ordinal))
            return false;
        var bucketName = backup["bucket"]?.ToString() ?? "";
        var prefix = (backup["prefix"]?.ToString() ?? "").Trim('/');
        foreach (var operation in (backup["operations"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = operation["name"]?.ToString() ?? "";
            if (name.Length == 0 || state.Operations.Contains(name, StringComparer.Ordinal))
                continue;
            var bucket = world.Find<S3Bucket>(bucketName);
            var answer = operation["kind"]?.ToString() == "restore"
                ? Restore(instance, bucket, bucketName, prefix, name, operation["backup"]?.ToString() ?? "", at, credentials)
                : Backup(instance, bucket, bucketName, prefix, name, operation["ttlHours"]?.GetValue<int>() ?? 720, state, at, credentials);
            if (answer == NodeCallAnswer.Pending)
                return true;
            state.Operations.Add(name);
        }
        return false;
    }

    private static NodeCallAnswer Backup(Instance instance, S3Bucket? bucket, string bucketName, string prefix, string name, int ttlHours, AgentState state, DateTimeOffset at, NodeCredentials? credentials)
    {
        var dir = $"{prefix}/backups/{name}/";
        var metadata = new JsonObject
        {
            ["kind"] = "Backup",
            ["apiVersion"] = "velero.io/v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "velero" },
            ["spec"] = new JsonObject { ["ttl"] = $"{ttlHours}h0m0s", ["storageLocation"] = "default", ["snapshotVolumes"] = false },
            ["status"] = new JsonObject
            {
                ["version"] = 1, ["formatVersion"] = "1.1.0", ["phase"] = "Completed",
                ["expiration"] = Stamp(at.AddHours(ttlHours)), ["startTimestamp"] = Stamp(at), ["completionTimestamp"] = Stamp(at),
                ["progress"] = new JsonObject { ["totalItems"] = state.Installed.Count, ["itemsBackedUp"] = state.Installed.Count },
            },
        };
        // Uploaded in Velero's order: the metadata document last, so a backup is listed only once all of it is there.
        (string Key, byte[] Body)[] objects =
        [
            (dir + name + "-logs.gz", Gzip($"time=\"{Stamp(at)}\" level=info msg=\"Backup completed\" backup=velero/{name}\n")),
            (dir + name + ".tar.gz", Tarball(state.Installed)),
            (dir + name + "-resource-list.json.gz", Gzip(new JsonObject { ["v1/Namespace"] = new JsonArray([.. state.Installed.Select(p => (JsonNode)p)]) }.ToJsonString())),
            (dir + name + "-results.gz", Gzip("{\"errors\":{},\"warnings\":{}}")),
            (dir + name + "-volumesnapshots.json.gz", Gzip("[]")),
            (dir + name + "-podvolumebackups.json.gz", Gzip("[]")),
            (dir + "velero-backup.json", Encoding.UTF8.GetBytes(metadata.ToJsonString())),
        ];
        return PutAll(instance, bucket, bucketName, objects, at, credentials);
    }

    private static NodeCallAnswer Restore(Instance instance, S3Bucket? bucket, string bucketName, string prefix, string name, string backupName, DateTimeOffset at, NodeCredentials? credentials)
    {
        var metadataKey = $"{prefix}/backups/{backupName}/velero-backup.json";
        var read = Ask(instance, credentials, AuthorizationCheck.Of("s3:GetObject", $"arn:aws:s3:::{bucketName}/{metadataKey}"));
        if (read == NodeCallAnswer.Pending)
            return read;
        string? error = null;
        if (read == NodeCallAnswer.Refused || bucket is null)
            error = $"error getting backup {backupName}: AccessDenied or NoSuchBucket";
        else if (!bucket.Objects.TryGetValue(metadataKey, out var found))
            error = $"backup.velero.io \"{backupName}\" not found";
        else if (JsonNode.Parse(found.Body)?["status"]?["phase"]?.ToString() != "Completed")
            error = $"backup {backupName} is not Completed: it cannot be restored";
        var dir = $"{prefix}/restores/{name}/";
        var results = new JsonObject
        {
            ["errors"] = error is null ? new JsonObject() : new JsonObject { ["velero"] = new JsonArray(error) },
            ["warnings"] = new JsonObject(),
        };
        (string Key, byte[] Body)[] objects =
        [
            (dir + $"restore-{name}-logs.gz", Gzip($"time=\"{Stamp(at)}\" level=info msg=\"restore {(error is null ? "completed" : "failed")}\" restore=velero/{name}\n")),
            (dir + $"restore-{name}-results.gz", Gzip(results.ToJsonString())),
        ];
        return PutAll(instance, bucket, bucketName, objects, at, credentials);
    }

    /// <summary>PutObject of each, as the node's role: all decided and allowed, then stored in order; else nothing.</summary>
    internal static NodeCallAnswer PutAll(Instance instance, S3Bucket? bucket, string bucketName, (string Key, byte[] Body)[] objects, DateTimeOffset at, NodeCredentials? credentials)
    {
        var answer = Ask(instance, credentials, [.. objects.Select(o => AuthorizationCheck.Of("s3:PutObject", $"arn:aws:s3:::{bucketName}/{o.Key}"))]);
        if (answer != NodeCallAnswer.Allowed || bucket is null || bucket.Account != instance.Account)
            return answer == NodeCallAnswer.Pending ? answer : NodeCallAnswer.Refused;
        foreach (var (key, body) in objects)
        {
            bucket.Objects[key] = new S3Object
            {
                Key = key,
                Body = body,
                ETag = "\"" + Convert.ToHexStringLower(MD5.HashData(body)) + "\"",
                LastModified = at,
                ContentType = key.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream",
                ServerSideEncryption = bucket.Encryption.Algorithm,
                KmsKeyId = bucket.Encryption.KmsKeyId,
                BucketKeyEnabled = bucket.Encryption.BucketKeyEnabled,
            };
        }
        return NodeCallAnswer.Allowed;
    }

    private static NodeCallAnswer Ask(Instance instance, NodeCredentials? credentials, params AuthorizationCheck[] checks) =>
        credentials?.Answer(instance, checks, out _) ?? NodeCallAnswer.Allowed;

    /// <summary>Velero's tarball: <c>metadata/version</c>, then one file per resource it backed up (here the releases the agent installed).</summary>
    private static byte[] Tarball(IEnumerable<string> releases)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            void Add(string path, string content)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
                tar.WriteEntry(entry);
            }
            Add("metadata/version", "1.1.0\n");
            foreach (var release in releases)
                Add($"resources/namespaces/cluster/{release}.json", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = release } }.ToJsonString());
        }
        return output.ToArray();
    }

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(text));
        return output.ToArray();
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
