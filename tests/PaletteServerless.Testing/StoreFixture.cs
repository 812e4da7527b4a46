using Amazon.DynamoDBv2;
using Amazon.Runtime;
using PaletteServerless.Aws.Storage;
using Xunit;

namespace PaletteServerless.Testing;

/// <summary>A real dynalite with the product's table, shared by the tests of one class (an xunit class fixture). Tests keep apart by tenant.</summary>
public sealed class StoreFixture : IAsyncLifetime
{
    public const string TableName = TableSchema.DefaultTableName;

    private readonly DynaliteFixture _dynalite = new();
    private AmazonDynamoDBClient? _dynamo;

    public IAmazonDynamoDB Dynamo => _dynamo ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        await _dynalite.InitializeAsync();
        _dynamo = new AmazonDynamoDBClient(
            new BasicAWSCredentials("test", "test"),
            new AmazonDynamoDBConfig { ServiceURL = _dynalite.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        await TableSchema.EnsureCreatedAsync(_dynamo, TableName, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _dynamo?.Dispose();
        await _dynalite.DisposeAsync();
    }
}
