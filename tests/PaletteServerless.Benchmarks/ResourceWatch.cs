using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Local;

namespace PaletteServerless.Benchmarks;

/// <summary>
/// Every resource id ever seen per cluster uid and type, from the local AWS inventory read
/// every 50 ms: a resource made twice shows even if the second was removed again later. And every
/// instance the product's inventory records as the replacement of another (its <c>replaces</c>
/// attribute, read from the product table every quarter second, before a delete forgets it).
/// </summary>
internal sealed class ResourceWatch
{
    private readonly ConcurrentDictionary<(string Uid, string Type), ConcurrentDictionary<string, string>> _seen = new();
    private readonly ConcurrentDictionary<string, string> _replacements = new();
    private readonly ConcurrentDictionary<string, bool> _instances = new();
    private readonly ConcurrentDictionary<string, bool> _interrupted = new();

    /// <summary>Instances EC2 interrupted, as its own record says, whether or not its warning was seen on the bus.</summary>
    public IReadOnlySet<string> Interrupted => _interrupted.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>Replacement instances recorded.</summary>
    public int Replacements => _replacements.Count;

    public bool IsSoakInstance(string instanceId) => _instances.ContainsKey(instanceId);

    public async Task WatchAsync(ProductDriver driver, CancellationToken ct)
    {
        var ticks = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                foreach (var resource in driver.Stack.LocalAws.Inventory().Resources)
                {
                    if (!resource.Tags.TryGetValue(ProductDriver.UidTag, out var uid))
                        continue;
                    var pool = resource.Tags.GetValueOrDefault("palette.serverless/pool");
                    _seen.GetOrAdd((uid, resource.Type), _ => new())[resource.Id] = pool is null ? resource.State : $"{resource.State}, pool {pool}";
                    if (resource.Type == "ec2:instance")
                        _instances[resource.Id] = true;
                }
                // An interruption whose warning went out while the stack was being swapped shows only in EC2's own
                // record of it (DescribeInstances reports it as state reason Server.SpotInstanceTermination).
                foreach (var world in driver.Stack.LocalAws.Store.Worlds)
                {
                    lock (driver.Stack.LocalAws.Store.Sync)
                    {
                        foreach (var instance in world.All<PaletteServerless.Local.Aws.Ec2.Instance>().Where(i => i.InterruptedAt is not null))
                            _interrupted[instance.Id] = true;
                    }
                }
                if (++ticks % 5 == 0)
                    await ReadReplacementsAsync(driver.Stack, ct);
            }
            catch (Exception ex) when (ex is InvalidOperationException or NullReferenceException or ObjectDisposedException
                or AmazonServiceException or HttpRequestException or IOException || ex is TaskCanceledException && !ct.IsCancellationRequested)
            {
                // The stack is being swapped.
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await Task.Delay(50, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Instance ids the product table records as replacing another (inventory items with a <c>replaces</c> attribute).</summary>
    private async Task ReadReplacementsAsync(LocalStack stack, CancellationToken ct)
    {
        using var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials(stack.Options.AccountId, "local"),
            new AmazonDynamoDBConfig { ServiceURL = stack.Endpoint.ToString(), AuthenticationRegion = stack.Options.Region, MaxErrorRetry = 0 });
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest
            {
                TableName = TableSchema.DefaultTableName,
                FilterExpression = "begins_with(#sk, :inventory) AND contains(#doc, :replaces)",
                ExpressionAttributeNames = new() { ["#sk"] = TableSchema.SortKey, ["#doc"] = "doc" },
                ExpressionAttributeValues = new() { [":inventory"] = new("INVENTORY#"), [":replaces"] = new($"\"{PaletteServerless.Aws.Cloud.Kinds.NodeRemediation.ReplacesAttribute}\"") },
                ExclusiveStartKey = start,
            }, ct);
            foreach (var item in page.Items ?? [])
            {
                var doc = JsonNode.Parse(item["doc"].S);
                if (doc?["id"]?.GetValue<string>() is { } id && doc["attributes"]?[PaletteServerless.Aws.Cloud.Kinds.NodeRemediation.ReplacesAttribute]?.GetValue<string>() is { } old)
                    _replacements[id] = old;
            }
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
    }

    /// <summary>
    /// "uid type: n (planned p)" for every cluster with more of a type than planned. Instances recorded as the
    /// replacement of another are not counted against the plan, and a spot node EC2 reclaimed that no recorded
    /// replacement names may be replaced once otherwise (an update restores its pool's count).
    /// </summary>
    public List<string> Duplicates(IReadOnlySet<string> uids, int zones, IReadOnlyDictionary<string, int> instances, IReadOnlySet<string> interrupted)
    {
        var replaced = _replacements.Values.ToHashSet(StringComparer.Ordinal);
        int? Planned(string uid, string type) => type switch
        {
            "ec2:vpc" or "ec2:internet-gateway" or "elasticloadbalancing:loadbalancer" => 1,
            "ec2:natgateway" => zones,
            "ec2:instance" => instances.GetValueOrDefault(uid)
                + (_seen.TryGetValue((uid, type), out var ids) ? ids.Keys.Count(id => interrupted.Contains(id) && !replaced.Contains(id)) : 0),
            _ => null,
        };
        List<string> Counted(string type, ConcurrentDictionary<string, string> ids) =>
            [.. ids.Keys.Where(id => type != "ec2:instance" || !_replacements.ContainsKey(id))];
        return [.. _seen
            .Where(kv => uids.Contains(kv.Key.Uid) && Planned(kv.Key.Uid, kv.Key.Type) is { } most && Counted(kv.Key.Type, kv.Value).Count > most)
            .Select(kv => $"{kv.Key.Uid} {kv.Key.Type}: {Counted(kv.Key.Type, kv.Value).Count} (planned {Planned(kv.Key.Uid, kv.Key.Type)}, " +
                $"{kv.Value.Count - Counted(kv.Key.Type, kv.Value).Count} replacements besides): " +
                string.Join(", ", kv.Value.Select(r => $"{r.Key} {r.Value}{(_replacements.TryGetValue(r.Key, out var old) ? $" (replaces {old})" : "")}{(interrupted.Contains(r.Key) ? " (interrupted)" : "")}")))];
    }
}
