using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Resources;
using PaletteServerless.Testing;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>events:putEvents against a loopback server that records requests; dynamodb:* against dynalite.</summary>
public sealed class ServiceIntegrationTests(DynaliteFixture dynalite) : IClassFixture<DynaliteFixture>
{
    /// <summary>A one-route HTTP server on loopback that answers with a fixed response and keeps what it received.</summary>
    private sealed class RecordingServer : IDisposable
    {
        private readonly HttpListener _listener = LoopbackHttpListener.Start();
        private readonly Task _loop;

        public RecordingServer(int status, string response)
        {
            Endpoint = LoopbackHttpListener.Url(_listener);
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception) when (!_listener.IsListening)
                    {
                        return;
                    }
                    using var reader = new StreamReader(context.Request.InputStream);
                    Requests.Add((context.Request.Headers["X-Amz-Target"]!, context.Request.Headers["Authorization"]!, context.Request.ContentType!, await reader.ReadToEndAsync()));
                    context.Response.StatusCode = status;
                    var bytes = System.Text.Encoding.UTF8.GetBytes(response);
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            });
        }

        public Uri Endpoint { get; }
        public System.Collections.Concurrent.ConcurrentBag<(string Target, string Authorization, string ContentType, string Body)> Requests { get; } = [];

        public void Dispose()
        {
            // Close alone: Stop then Close removes the endpoint twice, and the second removal rebinds
            // the port for a moment ("Address already in use" when another test took it meanwhile).
            _listener.Close();
        }
    }

    [Fact]
    public async Task PutEvents_posts_a_signed_JSON_1_1_request_with_the_detail_as_a_string()
    {
        using var server = new RecordingServer(200, """{"Entries":[{"EventId":"e-1"}],"FailedEntryCount":0}""");
        using var integrations = new AwsServiceIntegrations(server.Endpoint);
        await using var harness = new EngineHarness(extraResources: integrations);
        var output = await harness.OutputAsync("""
            {"StartAt":"Publish","States":{"Publish":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents",
              "Parameters":{"Entries":[{"Source":"palette.clusters","DetailType":"ClusterStatusChanged","EventBusName":"default","Detail":{"id.$":"$.id","status":"Running"}}]},"End":true}}}
            """, """{"id":"c-1"}""");
        output["Entries"]![0]!["EventId"]!.ToString().Should().Be("e-1");

        var request = server.Requests.Single();
        request.Target.Should().Be("AWSEvents.PutEvents");
        request.ContentType.Should().StartWith("application/x-amz-json-1.1");
        request.Authorization.Should().StartWith($"AWS4-HMAC-SHA256 Credential={EngineHarness.Account}/").And.Contain($"/{EngineHarness.Region}/events/aws4_request");
        var entry = JsonText.Parse(request.Body)["Entries"]![0]!;
        entry["Detail"]!.Type.Should().Be(JTokenType.String);
        JsonText.Parse(entry["Detail"]!.ToString())["id"]!.ToString().Should().Be("c-1");
    }

    [Fact]
    public async Task EventBridge_errors_become_EventBridge_prefixed_errors()
    {
        using var server = new RecordingServer(400, """{"__type":"ResourceNotFoundException","message":"Event bus nope does not exist."}""");
        using var integrations = new AwsServiceIntegrations(server.Endpoint);
        await using var harness = new EngineHarness(extraResources: integrations);
        var result = await harness.RunAsync("""
            {"StartAt":"Publish","States":{"Publish":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents",
              "Parameters":{"Entries":[{"Source":"s","DetailType":"d","EventBusName":"nope","Detail":{}}]},"End":true}}}
            """);
        result.Error.Should().Be("EventBridge.ResourceNotFoundException");
        result.Cause.Should().Contain("Event bus nope does not exist.");
    }

    [Fact]
    public async Task DynamoDB_put_get_update_and_delete_run_against_the_local_DynamoDB()
    {
        var table = "items-" + Guid.NewGuid().ToString("N")[..8];
        using var client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"),
            new AmazonDynamoDBConfig { ServiceURL = dynalite.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = table,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("id", ScalarAttributeType.S)],
            KeySchema = [new("id", KeyType.HASH)],
        });
        while ((await client.DescribeTableAsync(table)).Table.TableStatus != TableStatus.ACTIVE)
            await Task.Delay(20);

        using var integrations = new AwsServiceIntegrations(dynalite.Endpoint);
        await using var harness = new EngineHarness(extraResources: integrations);
        var definition = """
            {"StartAt":"Put","States":{
              "Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem",
                     "Parameters":{"TableName":"TABLE","Item":{"id":{"S.$":"$.id"},"status":{"S":"Pending"}},"ConditionExpression":"attribute_not_exists(id)"},
                     "ResultPath":null,"Next":"Update"},
              "Update":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:updateItem",
                     "Parameters":{"TableName":"TABLE","Key":{"id":{"S.$":"$.id"}},"UpdateExpression":"SET #s = :s","ExpressionAttributeNames":{"#s":"status"},
                                   "ExpressionAttributeValues":{":s":{"S":"Running"}},"ReturnValues":"ALL_NEW"},
                     "ResultPath":"$.updated","Next":"Get"},
              "Get":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem",
                     "Parameters":{"TableName":"TABLE","Key":{"id":{"S.$":"$.id"}}},"ResultSelector":{"status.$":"$.Item.status.S"},"ResultPath":"$.got","Next":"Delete"},
              "Delete":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:deleteItem",
                     "Parameters":{"TableName":"TABLE","Key":{"id":{"S.$":"$.id"}}},"ResultPath":"$.deleted","End":true}}}
            """.Replace("TABLE", table);
        var output = await harness.OutputAsync(definition, """{"id":"c-1"}""");
        output["updated"]!["Attributes"]!["status"]!["S"]!.ToString().Should().Be("Running");
        output["got"]!["status"]!.ToString().Should().Be("Running");
        output["deleted"]!["SdkHttpMetadata"]!["HttpStatusCode"]!.Value<int>().Should().Be(200);
        (await client.GetItemAsync(table, new() { ["id"] = new AttributeValue("c-1") })).Item.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task A_failed_condition_is_DynamoDB_ConditionalCheckFailedException_and_can_be_caught()
    {
        using var integrations = new AwsServiceIntegrations(dynalite.Endpoint);
        await using var harness = new EngineHarness(extraResources: integrations);
        var table = "cond-" + Guid.NewGuid().ToString("N")[..8];
        using var client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"),
            new AmazonDynamoDBConfig { ServiceURL = dynalite.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = table, BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("id", ScalarAttributeType.S)], KeySchema = [new("id", KeyType.HASH)],
        });
        while ((await client.DescribeTableAsync(table)).Table.TableStatus != TableStatus.ACTIVE)
            await Task.Delay(20);
        await client.PutItemAsync(table, new() { ["id"] = new AttributeValue("taken") });

        var output = await harness.OutputAsync("""
            {"StartAt":"Put","States":{
              "Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem",
                     "Parameters":{"TableName":"TABLE","Item":{"id":{"S":"taken"}},"ConditionExpression":"attribute_not_exists(id)"},
                     "Catch":[{"ErrorEquals":["DynamoDB.ConditionalCheckFailedException"],"Next":"Exists"}],"End":true},
              "Exists":{"Type":"Pass","End":true}}}
            """.Replace("TABLE", table));
        output["Error"]!.ToString().Should().Be("DynamoDB.ConditionalCheckFailedException");
        output["Cause"]!.ToString().Should().Contain("ConditionalCheckFailedException");
    }
}
