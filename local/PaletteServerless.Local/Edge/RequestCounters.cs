using System.Collections.Concurrent;

namespace PaletteServerless.Local.Edge;

/// <summary>
/// How many requests of each operation reached the edge ("DynamoDB_20120810.PutItem",
/// "2016-11-15/RunInstances", ...): what the benchmarks report as AWS API calls and table writes.
/// </summary>
public sealed class RequestCounters
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Count(string operation) => _counts.AddOrUpdate(operation, 1, (_, n) => n + 1);

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts);

    /// <summary>Table writes: PutItem, UpdateItem, DeleteItem (and batch writes) to DynamoDB.</summary>
    public static bool IsDynamoDbWrite(string operation) =>
        operation is "DynamoDB_20120810.PutItem" or "DynamoDB_20120810.UpdateItem" or "DynamoDB_20120810.DeleteItem" or "DynamoDB_20120810.BatchWriteItem";

    /// <summary>Calls to the cloud the product manages (EC2, ELBv2, STS, EventBridge, tagging), not to its own table or engine.</summary>
    public static bool IsCloudCall(string operation) =>
        !operation.StartsWith("DynamoDB_", StringComparison.Ordinal) && !operation.StartsWith("AWSStepFunctions.", StringComparison.Ordinal);
}
