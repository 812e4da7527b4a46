using System.Text.Json.Nodes;
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
        var names = await cloud.Buckets.ListFoldersAsync(bucket, ScanLocation.Prefix + "/", ct);
        var records = new List<ScanRecord>();
        foreach (var name in names)
            records.Add(await ReadAsync(cloud.Buckets, bucket, name, ScanLocation.NodeRoles(cluster), ct));
        return [.. records.OrderByDescending(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>One scan from its role files: Completed with all of them, Running with some or none.</summary>
    public static async Task<ScanRecord> ReadAsync(IBackupBuckets buckets, string bucket, string name, IReadOnlyList<string> roles, CancellationToken ct)
    {
        int pass = 0, fail = 0, warn = 0;
        var failed = new List<ScanFinding>();
        var found = new List<string>();
        DateTimeOffset? completed = null;
        foreach (var role in roles)
        {
            if (await buckets.ReadAsync(bucket, ScanLocation.ResultKey(name, role), ct) is not { } stored)
                continue;
            completed = completed is null || stored.LastModified > completed ? stored.LastModified : completed;
            JsonNode? document;
            try
            {
                document = JsonNode.Parse(stored.Text);
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
