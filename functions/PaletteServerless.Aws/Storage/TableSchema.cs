using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Storage;

/// <summary>
/// The product's one DynamoDB table, defined once: the local stack creates it from here and the CDK
/// app declares it from here. Items of a project share a partition, so one project's data is one
/// key range and can never be read with another project's key. The key names are
/// <see cref="ProductTable"/>'s, which the CDK app reads too.
/// </summary>
public static class TableSchema
{
    public const string PartitionKey = ProductTable.PartitionKey;
    public const string SortKey = ProductTable.SortKey;
    public const string TimeToLiveAttribute = ProductTable.TimeToLiveAttribute;
    public const string DefaultTableName = ProductTable.DefaultName;

    public static string ProjectPartition(string tenant, string project) => $"TENANT#{tenant}#PROJECT#{project}";

    public static CreateTableRequest CreateTableRequest(string tableName) => new()
    {
        TableName = tableName,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        KeySchema =
        [
            new KeySchemaElement(PartitionKey, KeyType.HASH),
            new KeySchemaElement(SortKey, KeyType.RANGE),
        ],
        AttributeDefinitions =
        [
            new AttributeDefinition(PartitionKey, ScalarAttributeType.S),
            new AttributeDefinition(SortKey, ScalarAttributeType.S),
        ],
    };

    /// <summary>Creates the table when it is missing and waits until it is ACTIVE (the local stack's start-up).</summary>
    public static async Task EnsureCreatedAsync(IAmazonDynamoDB dynamo, string tableName, CancellationToken ct)
    {
        try
        {
            await dynamo.CreateTableAsync(CreateTableRequest(tableName), ct);
        }
        catch (ResourceInUseException)
        {
            // Already there (a persisted local stack restarting).
        }
        for (var i = 0; i < 600; i++)
        {
            var table = await dynamo.DescribeTableAsync(tableName, ct);
            if (table.Table.TableStatus == TableStatus.ACTIVE)
                return;
            await Task.Delay(50, ct);
        }
        throw new TimeoutException($"table {tableName} did not become ACTIVE");
    }
}
