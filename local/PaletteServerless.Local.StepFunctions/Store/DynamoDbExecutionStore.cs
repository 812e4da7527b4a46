using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;

namespace PaletteServerless.Local.StepFunctions.Store;

/// <summary>
/// The durable store in (local) DynamoDB, one table of its own, created when missing.
/// Items: "STATEMACHINE"/arn per state machine and "EXECUTION"/arn per execution (the record as JSON
/// plus the attributes conditions and filters need), so that listing is a Query that never reads
/// history; "EX#arn"/"EV#0000000001" per history event.
/// dynalite has no transactions, so a save writes the events first and then the record with a
/// single-item condition on its version; events past the record's HistoryCount are ignored.
/// </summary>
public sealed class DynamoDbExecutionStore(IAmazonDynamoDB dynamo, string tableName = DynamoDbExecutionStore.DefaultTableName) : IExecutionStore
{
    public const string DefaultTableName = "palette-local-stepfunctions";

    private const string MachinesPartition = "STATEMACHINE";
    private const string ExecutionsPartition = "EXECUTION";
    private const string EventPrefix = "EV#";

    /// <summary>Creates the table when it does not exist and waits until it is ACTIVE.</summary>
    public async Task EnsureTableAsync(CancellationToken ct)
    {
        try
        {
            await dynamo.DescribeTableAsync(tableName, ct);
        }
        catch (ResourceNotFoundException)
        {
            try
            {
                await dynamo.CreateTableAsync(new CreateTableRequest
                {
                    TableName = tableName,
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                    AttributeDefinitions = [new("pk", ScalarAttributeType.S), new("sk", ScalarAttributeType.S)],
                    KeySchema = [new("pk", KeyType.HASH), new("sk", KeyType.RANGE)],
                }, ct);
            }
            catch (ResourceInUseException)
            {
                // Someone else created it at the same time.
            }
        }
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var table = await dynamo.DescribeTableAsync(tableName, ct);
            if (table.Table.TableStatus == TableStatus.ACTIVE)
                return;
            await Task.Delay(50, ct);
        }
        throw new TimeoutException($"Table {tableName} did not become ACTIVE.");
    }

    private static Dictionary<string, AttributeValue> Key(string pk, string sk) => new()
    {
        ["pk"] = new AttributeValue(pk),
        ["sk"] = new AttributeValue(sk),
    };

    private static string HistoryKey(string executionArn) => "EX#" + executionArn;
    private static string EventKey(long id) => EventPrefix + id.ToString("D10", CultureInfo.InvariantCulture);

    // ---- state machines -------------------------------------------------------------------------

    public async Task PutStateMachineAsync(StateMachineRecord machine, CancellationToken ct)
    {
        var item = Key(MachinesPartition, machine.StateMachineArn);
        item["record"] = new AttributeValue(JsonConvert.SerializeObject(machine));
        await dynamo.PutItemAsync(new PutItemRequest { TableName = tableName, Item = item }, ct);
    }

    public async Task<StateMachineRecord?> GetStateMachineAsync(string stateMachineArn, CancellationToken ct)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = Key(MachinesPartition, stateMachineArn), ConsistentRead = true }, ct);
        return response.Item is { Count: > 0 } item ? JsonConvert.DeserializeObject<StateMachineRecord>(item["record"].S, JsonText.SerializerSettings) : null;
    }

    public async Task<IReadOnlyList<StateMachineRecord>> ListStateMachinesAsync(CancellationToken ct) =>
        (await QueryPartitionAsync(MachinesPartition, null, null, ct))
            .Select(item => JsonConvert.DeserializeObject<StateMachineRecord>(item["record"].S, JsonText.SerializerSettings)!)
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();

    public async Task DeleteStateMachineAsync(string stateMachineArn, CancellationToken ct) =>
        await dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = tableName, Key = Key(MachinesPartition, stateMachineArn) }, ct);

    // ---- executions -----------------------------------------------------------------------------

    private static Dictionary<string, AttributeValue> ExecutionItem(ExecutionRecord execution)
    {
        var item = Key(ExecutionsPartition, execution.ExecutionArn);
        item["stateMachineArn"] = new AttributeValue(execution.StateMachineArn);
        item["status"] = new AttributeValue(execution.Status);
        item["version"] = new AttributeValue { N = execution.Version.ToString(CultureInfo.InvariantCulture) };
        item["record"] = new AttributeValue(JsonConvert.SerializeObject(execution));
        return item;
    }

    private static ExecutionRecord ToExecution(Dictionary<string, AttributeValue> item) =>
        JsonConvert.DeserializeObject<ExecutionRecord>(item["record"].S, JsonText.SerializerSettings)!;

    public async Task<ExecutionRecord?> TryCreateExecutionAsync(ExecutionRecord execution, IReadOnlyList<HistoryEvent> events, CancellationToken ct)
    {
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = ExecutionItem(execution),
                ConditionExpression = "attribute_not_exists(sk)",
            }, ct);
        }
        catch (ConditionalCheckFailedException)
        {
            return await GetExecutionAsync(execution.ExecutionArn, ct);
        }
        // The record wins the name first, so a second start never overwrites the first one's events.
        await WriteEventsAsync(execution.ExecutionArn, events, ct);
        return null;
    }

    public async Task SaveExecutionAsync(ExecutionRecord execution, IReadOnlyList<HistoryEvent> newEvents, CancellationToken ct)
    {
        await WriteEventsAsync(execution.ExecutionArn, newEvents, ct);
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = ExecutionItem(execution),
                ConditionExpression = "version = :previous",
                ExpressionAttributeValues = new() { [":previous"] = new AttributeValue { N = (execution.Version - 1).ToString(CultureInfo.InvariantCulture) } },
            }, ct);
        }
        catch (ConditionalCheckFailedException)
        {
            throw new ConcurrentUpdateException($"Execution {execution.ExecutionArn} was changed by someone else.");
        }
    }

    private async Task WriteEventsAsync(string executionArn, IReadOnlyList<HistoryEvent> events, CancellationToken ct)
    {
        foreach (var batch in events.Chunk(25))
        {
            var requests = batch.Select(e =>
            {
                var item = Key(HistoryKey(executionArn), EventKey(e.Id));
                item["event"] = new AttributeValue(SerializeEvent(e));
                return new WriteRequest(new PutRequest(item));
            }).ToList();
            var pending = new Dictionary<string, List<WriteRequest>> { [tableName] = requests };
            for (var attempt = 0; pending.Count > 0 && pending.TryGetValue(tableName, out var left) && left.Count > 0; attempt++)
            {
                if (attempt > 0)
                    await Task.Delay(Math.Min(500, 10 * attempt), ct);
                var response = await dynamo.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, ct);
                pending = response.UnprocessedItems ?? [];
            }
        }
    }

    public async Task<ExecutionRecord?> GetExecutionAsync(string executionArn, CancellationToken ct)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = Key(ExecutionsPartition, executionArn), ConsistentRead = true }, ct);
        return response.Item is { Count: > 0 } item ? ToExecution(item) : null;
    }

    public async Task<IReadOnlyList<ExecutionRecord>> ListExecutionsAsync(string? stateMachineArn, string? status, CancellationToken ct) =>
        (await QueryPartitionAsync(ExecutionsPartition, stateMachineArn, status, ct)).Select(ToExecution).OrderByDescending(e => e.StartDate).ToList();

    public async Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string executionArn, CancellationToken ct)
    {
        var execution = await GetExecutionAsync(executionArn, ct);
        if (execution is null)
            return [];
        var events = new List<HistoryEvent>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var response = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "pk = :pk AND begins_with(sk, :events)",
                ExpressionAttributeValues = new()
                {
                    [":pk"] = new AttributeValue(HistoryKey(executionArn)),
                    [":events"] = new AttributeValue(EventPrefix),
                },
                ConsistentRead = true,
                ExclusiveStartKey = startKey,
            }, ct);
            events.AddRange((response.Items ?? []).Select(item => DeserializeEvent(item["event"].S)));
            startKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (startKey is not null && events.Count < execution.HistoryCount);
        return events.Where(e => e.Id <= execution.HistoryCount).ToList();
    }

    private async Task<List<Dictionary<string, AttributeValue>>> QueryPartitionAsync(string partition, string? stateMachineArn, string? status, CancellationToken ct)
    {
        var filters = new List<string>();
        var values = new Dictionary<string, AttributeValue> { [":pk"] = new AttributeValue(partition) };
        var names = new Dictionary<string, string>();
        if (stateMachineArn is not null)
        {
            filters.Add("stateMachineArn = :machine");
            values[":machine"] = new AttributeValue(stateMachineArn);
        }
        if (status is not null)
        {
            // "status" is a DynamoDB reserved word.
            filters.Add("#status = :status");
            values[":status"] = new AttributeValue(status);
            names["#status"] = "status";
        }
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var response = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "pk = :pk",
                FilterExpression = filters.Count > 0 ? string.Join(" AND ", filters) : null,
                ExpressionAttributeValues = values,
                ExpressionAttributeNames = names.Count > 0 ? names : null,
                ExclusiveStartKey = startKey,
                ConsistentRead = true,
            }, ct);
            items.AddRange(response.Items ?? []);
            startKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (startKey is not null);
        return items;
    }

    private static string SerializeEvent(HistoryEvent e) => JsonText.Print(new JObject
    {
        ["id"] = e.Id,
        ["previousEventId"] = e.PreviousEventId,
        ["timestamp"] = e.Timestamp.ToString("O", CultureInfo.InvariantCulture),
        ["type"] = e.Type,
        ["detailsName"] = e.DetailsName,
        ["details"] = e.Details,
    });

    private static HistoryEvent DeserializeEvent(string json)
    {
        var e = (JObject)JsonText.Parse(json);
        return new HistoryEvent(
            (long)e["id"]!,
            (long)e["previousEventId"]!,
            DateTimeOffset.Parse((string)e["timestamp"]!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            (string)e["type"]!,
            (string?)e["detailsName"],
            e["details"] as JObject);
    }
}
