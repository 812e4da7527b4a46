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

    public async Task RecordAsync(Cluster cluster, InventoryItem item, CancellationToken ct) =>
        await dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tableName,
            Item = new Dictionary<string, AttributeValue>(Key(cluster, ItemKey(cluster, item)))
            {
                [Document] = new(JsonSerializer.Serialize(item, InventoryJsonContext.Default.InventoryItem)),
            },
        }, ct);

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
