using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using PaletteServerless.Domain;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Aws.Storage;

/// <summary>
/// The stores on the one table. Each item keeps its record as a JSON document plus the few
/// attributes conditions need (version, status, expiresAt). Every write is a single-item
/// conditional write (DynamoDB-compatible servers without transactions work the same).
/// </summary>
public sealed partial class DynamoDbStore(IAmazonDynamoDB dynamo, string tableName, TimeProvider clock)
    : IClusterStore, ICloudAccountStore, IProfileStore, IRunningClusters, IKubeconfigRecords
{
    /// <summary>How long a Deleted cluster stays visible with includeDeleted=true.</summary>
    public static readonly TimeSpan DeletedRetention = TimeSpan.FromHours(72);
    /// <summary>Events are a recent history, as Kubernetes events are; they expire on their own.</summary>
    public static readonly TimeSpan EventRetention = TimeSpan.FromDays(30);

    private const string Document = "doc";
    private const string VersionAttribute = "version";
    private const string StatusAttribute = "status";
    private const string ClusterPrefix = "CLUSTER#";
    private const string AccountPrefix = "ACCOUNT#";
    private const string ProfilePrefix = "PROFILE#";
    private const string EventPrefix = "EVENT#";
    private const string KubeconfigPrefix = "KUBECONFIG#";

    /// <summary>An issued certificate's record outlives the certificate by this much, for whoever asks who held access lately.</summary>
    public static readonly TimeSpan KubeconfigRecordRetention = TimeSpan.FromDays(30);

    // ---- clusters ----

    async Task<Cluster?> IClusterStore.GetAsync(ProjectScope scope, string name, CancellationToken ct) =>
        await GetDocumentAsync(scope, ClusterPrefix + name, StoreJsonContext.Default.Cluster, ct);

    async Task IClusterStore.CreateAsync(Cluster cluster, CancellationToken ct)
    {
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = ClusterItem(cluster),
                // A name is free when no item holds it or when the cluster holding it is Deleted.
                ConditionExpression = "attribute_not_exists(#pk) OR #status = :deleted",
                ExpressionAttributeNames = new() { ["#pk"] = TableSchema.PartitionKey, ["#status"] = StatusAttribute },
                ExpressionAttributeValues = new() { [":deleted"] = new AttributeValue(ClusterStatus.Deleted) },
            }, ct);
        }
        catch (ConditionalCheckFailedException)
        {
            throw new ConflictException($"a cluster named '{cluster.Name}' already exists in project '{cluster.Scope.Project}'");
        }
    }

    async Task<Cluster> IClusterStore.UpdateAsync(Cluster cluster, long expectedVersion, CancellationToken ct)
    {
        var updated = cluster with { Version = expectedVersion + 1 };
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = ClusterItem(updated),
                ConditionExpression = "#version = :expected",
                ExpressionAttributeNames = new() { ["#version"] = VersionAttribute },
                ExpressionAttributeValues = new() { [":expected"] = Number(expectedVersion) },
            }, ct);
        }
        catch (ConditionalCheckFailedException)
        {
            throw new ConflictException($"cluster '{cluster.Name}' was changed by someone else (version {expectedVersion} is stale); read it again and retry");
        }
        return updated;
    }

    async Task<Page<Cluster>> IClusterStore.ListAsync(ProjectScope scope, bool includeDeleted, string? cursor, int limit, CancellationToken ct) =>
        await QueryAsync(scope, ClusterPrefix, StoreJsonContext.Default.Cluster, cursor, limit,
            includeDeleted ? null : c => c.Status != ClusterStatus.Deleted, ct);

    async Task<bool> IClusterStore.AnyLiveUsesAsync(ProjectScope scope, Func<ClusterSpec, bool> uses, CancellationToken ct)
    {
        string? cursor = null;
        do
        {
            var page = await QueryAsync(scope, ClusterPrefix, StoreJsonContext.Default.Cluster, cursor, 100, c => ClusterStatus.IsLive(c.Status), ct);
            if (page.Items.Any(c => uses(c.Spec)))
                return true;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return false;
    }

    async Task IClusterStore.AddEventAsync(Cluster cluster, ClusterEvent clusterEvent, CancellationToken ct)
    {
        var item = Item(cluster.Scope, EventKey(cluster, clusterEvent), JsonSerializer.Serialize(clusterEvent, StoreJsonContext.Default.ClusterEvent));
        item[TableSchema.TimeToLiveAttribute] = Number((clusterEvent.At + EventRetention).ToUnixTimeSeconds());
        await dynamo.PutItemAsync(new PutItemRequest { TableName = tableName, Item = item }, ct);
    }

    async Task<Page<ClusterEvent>> IClusterStore.ListEventsAsync(Cluster cluster, string? cursor, int limit, CancellationToken ct) =>
        await QueryAsync(cluster.Scope, $"{EventPrefix}{cluster.Uid}#", StoreJsonContext.Default.ClusterEvent, cursor, limit, null, ct);

    // ---- issued kubeconfigs ----

    async Task IKubeconfigRecords.AddAsync(Cluster cluster, KubeconfigRecord record, CancellationToken ct)
    {
        // Zero-padded ticks sort by issue time; the serial number keeps two issues of one tick apart.
        var key = $"{KubeconfigPrefix}{cluster.Uid}#{record.IssuedAt.UtcTicks.ToString("D20", CultureInfo.InvariantCulture)}#{record.SerialNumber}";
        var item = Item(cluster.Scope, key, JsonSerializer.Serialize(record, StoreJsonContext.Default.KubeconfigRecord));
        item[TableSchema.TimeToLiveAttribute] = Number((record.ExpiresAt + KubeconfigRecordRetention).ToUnixTimeSeconds());
        await dynamo.PutItemAsync(new PutItemRequest { TableName = tableName, Item = item }, ct);
    }

    async Task<Page<KubeconfigRecord>> IKubeconfigRecords.ListAsync(Cluster cluster, string? issuedTo, string? cursor, int limit, CancellationToken ct) =>
        await QueryAsync(cluster.Scope, $"{KubeconfigPrefix}{cluster.Uid}#", StoreJsonContext.Default.KubeconfigRecord, cursor, limit,
            issuedTo is null ? null : r => r.IssuedBy == issuedTo, ct);

    /// <summary>
    /// Every Running cluster of every tenant: a Scan filtered on the status attribute, read page by page. Only the
    /// periodic health check asks this, once every few minutes.
    /// </summary>
    Task<IReadOnlyList<Cluster>> IRunningClusters.ListRunningAsync(CancellationToken ct) => ScanClustersAsync(ClusterStatus.Running, ct);

    /// <summary>Every cluster of every tenant but the Deleted ones (the scheduled check, every few minutes).</summary>
    Task<IReadOnlyList<Cluster>> IRunningClusters.ListLiveAsync(CancellationToken ct) => ScanClustersAsync(null, ct);

    private async Task<IReadOnlyList<Cluster>> ScanClustersAsync(string? status, CancellationToken ct)
    {
        var clusters = new List<Cluster>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var response = await dynamo.ScanAsync(new ScanRequest
            {
                TableName = tableName,
                FilterExpression = status is null ? "begins_with(#sk, :prefix) AND #status <> :status" : "begins_with(#sk, :prefix) AND #status = :status",
                ExpressionAttributeNames = new() { ["#sk"] = TableSchema.SortKey, ["#status"] = StatusAttribute },
                ExpressionAttributeValues = new() { [":prefix"] = new AttributeValue(ClusterPrefix), [":status"] = new AttributeValue(status ?? ClusterStatus.Deleted) },
                ExclusiveStartKey = startKey,
                ConsistentRead = true,
            }, ct);
            clusters.AddRange((response.Items ?? []).Select(item => JsonSerializer.Deserialize(item[Document].S, StoreJsonContext.Default.Cluster)!));
            startKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (startKey is not null);
        return clusters;
    }

    // ---- cloud accounts ----

    Task<CloudAccount?> ICloudAccountStore.GetAsync(ProjectScope scope, string name, CancellationToken ct) =>
        GetDocumentAsync(scope, AccountPrefix + name, StoreJsonContext.Default.CloudAccount, ct);

    Task ICloudAccountStore.CreateAsync(ProjectScope scope, CloudAccount account, CancellationToken ct) =>
        PutNewAsync(scope, AccountPrefix + account.Name, JsonSerializer.Serialize(account, StoreJsonContext.Default.CloudAccount),
            $"a cloud account named '{account.Name}' already exists in project '{scope.Project}'", ct);

    async Task<Page<CloudAccount>> ICloudAccountStore.ListAsync(ProjectScope scope, string? cursor, int limit, CancellationToken ct) =>
        await QueryAsync(scope, AccountPrefix, StoreJsonContext.Default.CloudAccount, cursor, limit, null, ct);

    Task<bool> ICloudAccountStore.DeleteAsync(ProjectScope scope, string name, CancellationToken ct) =>
        DeleteExistingAsync(scope, AccountPrefix + name, ct);

    // ---- shared ----

    private Dictionary<string, AttributeValue> ClusterItem(Cluster cluster)
    {
        var item = Item(cluster.Scope, ClusterPrefix + cluster.Name, JsonSerializer.Serialize(cluster, StoreJsonContext.Default.Cluster));
        item[VersionAttribute] = Number(cluster.Version);
        item[StatusAttribute] = new AttributeValue(cluster.Status);
        if (cluster.Status == ClusterStatus.Deleted)
            item[TableSchema.TimeToLiveAttribute] = Number(((cluster.DeletedAt ?? clock.GetUtcNow()) + DeletedRetention).ToUnixTimeSeconds());
        return item;
    }

    private static string EventKey(Cluster cluster, ClusterEvent clusterEvent) =>
        // Zero-padded ticks sort chronologically; the id keeps two events of one tick apart.
        $"{EventPrefix}{cluster.Uid}#{clusterEvent.At.UtcTicks.ToString("D20", CultureInfo.InvariantCulture)}#{clusterEvent.Id}";

    private static Dictionary<string, AttributeValue> Item(ProjectScope scope, string sortKey, string json) => new()
    {
        [TableSchema.PartitionKey] = new AttributeValue(TableSchema.ProjectPartition(scope.Tenant, scope.Project)),
        [TableSchema.SortKey] = new AttributeValue(sortKey),
        [Document] = new AttributeValue(json),
    };

    private static Dictionary<string, AttributeValue> Key(ProjectScope scope, string sortKey) => new()
    {
        [TableSchema.PartitionKey] = new AttributeValue(TableSchema.ProjectPartition(scope.Tenant, scope.Project)),
        [TableSchema.SortKey] = new AttributeValue(sortKey),
    };

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private async Task<T?> GetDocumentAsync<T>(ProjectScope scope, string sortKey, JsonTypeInfo<T> type, CancellationToken ct)
        where T : class
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = Key(scope, sortKey), ConsistentRead = true }, ct);
        return response.Item is { Count: > 0 } item ? JsonSerializer.Deserialize(item[Document].S, type) : null;
    }

    private async Task PutNewAsync(ProjectScope scope, string sortKey, string json, string conflictMessage, CancellationToken ct)
    {
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = Item(scope, sortKey, json),
                ConditionExpression = "attribute_not_exists(#pk)",
                ExpressionAttributeNames = new() { ["#pk"] = TableSchema.PartitionKey },
            }, ct);
        }
        catch (ConditionalCheckFailedException)
        {
            throw new ConflictException(conflictMessage);
        }
    }

    private async Task<bool> DeleteExistingAsync(ProjectScope scope, string sortKey, CancellationToken ct)
    {
        try
        {
            await dynamo.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = tableName,
                Key = Key(scope, sortKey),
                ConditionExpression = "attribute_exists(#pk)",
                ExpressionAttributeNames = new() { ["#pk"] = TableSchema.PartitionKey },
            }, ct);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private async Task<Page<T>> QueryAsync<T>(
        ProjectScope scope, string sortKeyPrefix, JsonTypeInfo<T> type, string? cursor, int limit, Func<T, bool>? keep, CancellationToken ct)
    {
        var partition = TableSchema.ProjectPartition(scope.Tenant, scope.Project);
        var startKey = Cursor.Decode(cursor, partition, sortKeyPrefix);
        var items = new List<T>();
        // A filter may drop items from a page, so read on until the page is full or the range ends.
        do
        {
            var response = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :prefix)",
                ExpressionAttributeNames = new() { ["#pk"] = TableSchema.PartitionKey, ["#sk"] = TableSchema.SortKey },
                ExpressionAttributeValues = new() { [":pk"] = new AttributeValue(partition), [":prefix"] = new AttributeValue(sortKeyPrefix) },
                ExclusiveStartKey = startKey,
                Limit = limit - items.Count,
                ConsistentRead = true,
            }, ct);
            foreach (var item in response.Items ?? [])
            {
                var record = JsonSerializer.Deserialize(item[Document].S, type)!;
                if (keep is null || keep(record))
                    items.Add(record);
            }
            startKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (startKey is not null && items.Count < limit);
        return new Page<T>(items, Cursor.Encode(startKey));
    }
}
