using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// The scans in a cluster's bucket, read as kube-bench writes its JSON (<c>--json</c>): <c>Totals</c> with
/// <c>total_pass</c>, <c>total_fail</c>, <c>total_warn</c>, and <c>Controls[].tests[].results[]</c> with each check's
/// <c>test_number</c>, <c>test_desc</c> and <c>status</c>. One file per node role; a scan is Completed with all of them.
/// </summary>
public sealed class ScanCatalog(ICloudSessionOpener sessions, IInventoryStore inventory, TimeProvider clock, string? function = null) : IScanCatalog
{
    private readonly string _function = function ?? FunctionCatalog.Api.Name;

    public async Task<IReadOnlyList<ScanRecord>> ListAsync(Cluster cluster, CloudAccount account, CancellationToken ct)
    {
        using var cloud = await sessions.OpenAsync(account, cluster.Definition.Cloud.Region, SessionScope.OfCluster(_function, cluster, $"scans-{cluster.Uid}"), ct);
        var resources = await ClusterResources.LoadAsync(cluster, cloud, inventory, clock, ct);
        if (cluster.Definition.Cloud.Placement.IsDynamic && resources.Find(Domain.Provisioning.ResourceKinds.Vpc) is null)
            return [];
        if (ScanLocation.Bucket(cluster, DesiredStateKind.VpcOf(resources)) is not { } bucket)
            return [];
        var names = await S3Folders.ListAsync(cloud.S3, bucket, ScanLocation.Prefix + "/", ct);
        var records = new List<ScanRecord>();
        foreach (var name in names)
            records.Add(await ReadAsync(cloud.S3, bucket, name, ScanLocation.NodeRoles(cluster), ct));
        return [.. records.OrderByDescending(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>One scan from its role files: Completed with all of them, Running with some or none.</summary>
    public static async Task<ScanRecord> ReadAsync(IAmazonS3 s3, string bucket, string name, IReadOnlyList<string> roles, CancellationToken ct)
    {
        int pass = 0, fail = 0, warn = 0;
        var failed = new List<ScanFinding>();
        var found = new List<string>();
        DateTimeOffset? completed = null;
        foreach (var role in roles)
        {
            JsonNode? document;
            try
            {
                using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = ScanLocation.ResultKey(name, role) }, ct);
                using var reader = new StreamReader(response.ResponseStream);
                document = JsonNode.Parse(await reader.ReadToEndAsync(ct));
                var at = response.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero) : (DateTimeOffset?)null;
                completed = completed is null || at > completed ? at : completed;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "NoSuchKey" or "NoSuchBucket")
            {
                continue;
            }
            catch (System.Text.Json.JsonException)
            {
                document = null;
            }
            found.Add(role);
            var totals = document?["Totals"];
            pass += Count(totals, "total_pass");
            fail += Count(totals, "total_fail");
            warn += Count(totals, "total_warn");
            foreach (var result in (document?["Controls"] as JsonArray ?? []).SelectMany(c => c?["tests"] as JsonArray ?? []).SelectMany(t => t?["results"] as JsonArray ?? []))
            {
                if (result?["status"]?.ToString() == "FAIL")
                    failed.Add(new ScanFinding(result["test_number"]?.ToString() ?? "", result["test_desc"]?.ToString() ?? "", role));
            }
        }
        var done = found.Count == roles.Count;
        return new ScanRecord(name, done ? "Completed" : "Running", done ? completed : null, pass, fail, warn, failed, found, $"s3://{bucket}/{ScanLocation.Prefix}/{name}");
    }

    private static int Count(JsonNode? totals, string name) => totals?[name] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
}
