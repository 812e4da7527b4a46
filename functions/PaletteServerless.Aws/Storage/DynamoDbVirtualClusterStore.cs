using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.VirtualClusters;

namespace PaletteServerless.Aws.Storage;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VirtualCluster))]
internal sealed partial class VirtualClusterStoreJsonContext : JsonSerializerContext;

/// <summary>
/// Virtual clusters in the product table: in the project's partition, one item per virtual cluster under its host
/// cluster's uid (<c>VCLUSTER#&lt;uid&gt;#&lt;name&gt;</c>, as events, kubeconfig records and the inventory are keyed), so a
/// cluster of a reused name never inherits another's, and one Query lists a cluster's in name order.
/// </summary>
public sealed class DynamoDbVirtualClusterStore(IAmazonDynamoDB dynamo, string tableName) : IVirtualClusterStore
{
    private const string Document = "doc";
    private const string Prefix = "VCLUSTER#";

    public async Task<IReadOnlyList<VirtualCluster>> ListAsync(Cluster cluster, CancellationToken ct)
    {
        var records = new List<VirtualCluster>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :prefix)",
                ExpressionAttributeNames = new() { ["#pk"] = TableSchema.PartitionKey, ["#sk"] = TableSchema.SortKey },
                ExpressionAttributeValues = new() { [":pk"] = new(Partition(cluster)), [":prefix"] = new(ClusterPrefix(cluster)) },
                ExclusiveStartKey = start,
                ConsistentRead = true,
            }, ct);
            records.AddRange((response.Items ?? []).Select(i => JsonSerializer.Deserialize(i[Document].S, VirtualClusterStoreJsonContext.Default.VirtualCluster)!));
            start = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
        return records;
    }

    public async Task<VirtualCluster?> GetAsync(Cluster cluster, string name, CancellationToken ct)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = Key(cluster, name), ConsistentRead = true }, ct);
        return response.Item is { Count: > 0 } item ? JsonSerializer.Deserialize(item[Document].S, VirtualClusterStoreJsonContext.Default.VirtualCluster) : null;
    }

    public async Task CreateAsync(Cluster cluster, VirtualCluster record, CancellationToken ct)
    {
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = Item(cluster, record),
                ConditionExpression = "attribute_not_exists(#pk)",
                ExpressionAttributeNames = new() { ["#pk"] = TableSchema.PartitionKey },
            }, ct);
        }
        catch (ConditionalCheckFailedException)
        {
            throw new ConflictException($"a virtual cluster named '{record.Name}' already exists in cluster '{cluster.Name}'");
        }
    }

    public async Task PutAsync(Cluster cluster, VirtualCluster record, CancellationToken ct) =>
        await dynamo.PutItemAsync(new PutItemRequest { TableName = tableName, Item = Item(cluster, record) }, ct);

    public async Task RemoveAsync(Cluster cluster, string name, CancellationToken ct) =>
        await dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = tableName, Key = Key(cluster, name) }, ct);

    public async Task RemoveAllAsync(Cluster cluster, CancellationToken ct)
    {
        foreach (var record in await ListAsync(cluster, ct))
            await RemoveAsync(cluster, record.Name, ct);
    }

    private static string Partition(Cluster cluster) => TableSchema.ProjectPartition(cluster.Scope.Tenant, cluster.Scope.Project);

    private static string ClusterPrefix(Cluster cluster) => $"{Prefix}{cluster.Uid}#";

    private static Dictionary<string, AttributeValue> Key(Cluster cluster, string name) => new()
    {
        [TableSchema.PartitionKey] = new(Partition(cluster)),
        [TableSchema.SortKey] = new(ClusterPrefix(cluster) + name),
    };

    private static Dictionary<string, AttributeValue> Item(Cluster cluster, VirtualCluster record) => new(Key(cluster, record.Name))
    {
        [Document] = new(JsonSerializer.Serialize(record, VirtualClusterStoreJsonContext.Default.VirtualCluster)),
    };
}
