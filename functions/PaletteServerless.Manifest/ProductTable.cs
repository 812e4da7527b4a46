namespace PaletteServerless.Manifest;

/// <summary>
/// The key schema of the product's one DynamoDB table: the CDK app declares the table from it and
/// the local stack creates it from it. Both keys are strings.
/// </summary>
public static class ProductTable
{
    public const string DefaultName = "palette-serverless";
    public const string PartitionKey = "pk";
    public const string SortKey = "sk";
    /// <summary>Epoch seconds after which DynamoDB's TTL removes the item (deleted clusters: 72 h).</summary>
    public const string TimeToLiveAttribute = "expiresAt";
}
