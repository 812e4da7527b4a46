using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Storage;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InventoryItem))]
internal sealed partial class InventoryJsonContext : JsonSerializerContext;

/// <summary>
/// A cluster's inventory in the product table, one item per resource under the cluster's uid,
/// so a reused cluster name never inherits another cluster's resources.
/// </summary>
public sealed class DynamoDbInventoryStore(IAmazonDynamoDB dynamo, string tableName) : IInventoryStore
{
    private const string Document = "doc";

    /// <summary>BatchWriteItem takes at most 25 puts and deletes per call.</summary>
    public const int BatchSize = 25;

    /// <summary>Rounds of asking again for what DynamoDB left unprocessed (throttled) before giving up as transient.</summary>
    private const int UnprocessedRounds = 8;

    public async Task RecordAsync(Cluster cluster, InventoryItem item, CancellationToken ct) =>
        await dynamo.PutItemAsync(new PutItemRequest { TableName = tableName, Item = ItemOf(cluster, item) }, ct);

    public Task RecordManyAsync(Cluster cluster, IReadOnlyList<InventoryItem> items, CancellationToken ct) =>
        WriteManyAsync(items.Select(item => new WriteRequest { PutRequest = new PutRequest { Item = ItemOf(cluster, item) } }), ct);

    public Task ForgetManyAsync(Cluster cluster, IReadOnlyList<InventoryItem> items, CancellationToken ct) =>
        WriteManyAsync(items.Select(item => new WriteRequest { DeleteRequest = new DeleteRequest { Key = Key(cluster, ItemKey(cluster, item)) } }), ct);

    // In calls of 25, each one's unprocessed items (what DynamoDB throttled) asked again with exponential backoff, as
    // DynamoDB's documentation asks; a call returns only when every item is written.
    private async Task WriteManyAsync(IEnumerable<WriteRequest> writes, CancellationToken ct)
    {
        foreach (var chunk in writes.Chunk(BatchSize))
        {
            List<WriteRequest> pending = [.. chunk];
            for (var round = 0; pending.Count > 0; round++)
            {
                if (round == UnprocessedRounds)
                    throw new TransientCloudException($"DynamoDB left {pending.Count} inventory write(s) unprocessed after {UnprocessedRounds} rounds");
                if (round > 0)
                    await Task.Delay(TimeSpan.FromMilliseconds(50 * (1 << round)), ct);
                var response = await dynamo.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [tableName] = pending } }, ct);
                pending = response.UnprocessedItems?.GetValueOrDefault(tableName) ?? [];
            }
        }
    }

    private static Dictionary<string, AttributeValue> ItemOf(Cluster cluster, InventoryItem item) =>
        new(Key(cluster, ItemKey(cluster, item)))
        {
            [Document] = new(JsonSerializer.Serialize(item, InventoryJsonContext.Default.InventoryItem)),
        };

    public async Task<IReadOnlyList<InventoryItem>> ListAsync(Cluster cluster, CancellationToken ct)
    {
        var items = new List<InventoryItem>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :prefix)",
                ExpressionAttributeNames = new() { ["#pk"] = TableSchema.PartitionKey, ["#sk"] = TableSchema.SortKey },
                ExpressionAttributeValues = new()
                {
                    [":pk"] = new(Partition(cluster)),
                    [":prefix"] = new(Prefix(cluster)),
                },
                ExclusiveStartKey = start,
                ConsistentRead = true,
            }, ct);
            items.AddRange((response.Items ?? []).Select(i => JsonSerializer.Deserialize(i[Document].S, InventoryJsonContext.Default.InventoryItem)!));
            start = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
        return items;
    }

    public async Task ForgetAsync(Cluster cluster, InventoryItem item, CancellationToken ct) =>
        await dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = tableName, Key = Key(cluster, ItemKey(cluster, item)) }, ct);

    private static string Partition(Cluster cluster) => TableSchema.ProjectPartition(cluster.Scope.Tenant, cluster.Scope.Project);

    private static string Prefix(Cluster cluster) => $"INVENTORY#{cluster.Uid}#";

    private static string ItemKey(Cluster cluster, InventoryItem item) => $"{Prefix(cluster)}{item.Kind}#{item.Id}";

    private static Dictionary<string, AttributeValue> Key(Cluster cluster, string sortKey) => new()
    {
        [TableSchema.PartitionKey] = new(Partition(cluster)),
        [TableSchema.SortKey] = new(sortKey),
    };
}
