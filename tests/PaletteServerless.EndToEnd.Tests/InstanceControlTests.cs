using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using PaletteServerless.Aws.Clients;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// A function of the test, run as the local stack runs the product's: EventBridge invokes it
/// asynchronously with the event envelope, and it keeps what it received.
/// </summary>
public sealed class EventProbeFunction
{
    public static readonly ConcurrentQueue<string> Received = new();
    public static readonly SemaphoreSlim Arrived = new(0);

    public async Task<Stream> HandleAsync(Stream input)
    {
        using var reader = new StreamReader(input);
        Received.Enqueue(await reader.ReadToEndAsync());
        Arrived.Release();
        return new MemoryStream("{}"u8.ToArray());
    }
}

/// <summary>The /local/ec2/instances control routes of the host, and aws.ec2 events reaching a Lambda target on the default bus.</summary>
[Collection(LocalStackCollection.Name)]
public sealed class InstanceControlTests(LocalStackFixture stack)
{
    private const string Region = "eu-central-1";
    private const string Account = "000000000000";
    private static readonly JsonTypeInfo<JsonNode> NodeJson = (JsonTypeInfo<JsonNode>)JsonSerializerOptions.Default.GetTypeInfo(typeof(JsonNode));

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string path, string body = "")
    {
        using var http = new HttpClient { BaseAddress = stack.Stack.Endpoint };
        using var response = await http.PostAsync(path, LocalStackFixture.Json(body));
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    private static async Task<string> StateAsync(AmazonEC2Client ec2, string instanceId) =>
        (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] })).Reservations.Single().Instances.Single().State.Name.Value;

    private static async Task WaitForStateAsync(AmazonEC2Client ec2, string instanceId, string state)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await StateAsync(ec2, instanceId) != state)
            await Task.Delay(50, timeout.Token);
    }

    [Fact]
    public async Task An_interrupted_spot_instance_warns_a_lambda_target_then_terminates_and_the_routes_refuse_what_does_not_apply()
    {
        var functionArn = $"arn:aws:lambda:{Region}:{Account}:function:e2e-event-probe";
        stack.Stack.Functions.Register(functionArn, $"{typeof(EventProbeFunction).Assembly.GetName().Name}::{typeof(EventProbeFunction).FullName}::HandleAsync");
        using (var events = new AwsJsonProtocolClient(AwsService.EventBridge, "1.1",
            new AwsClientOptions(Region) { Endpoint = stack.Stack.Endpoint, Credentials = new BasicAWSCredentials(Account, "e2e") }))
        {
            await events.InvokeAsync("AWSEvents.PutRule", new JsonObject
            {
                ["Name"] = "e2e-spot-warnings",
                ["EventPattern"] = """{"source":["aws.ec2"],"detail-type":["EC2 Spot Instance Interruption Warning"]}""",
            }, NodeJson, NodeJson, CancellationToken.None);
            await events.InvokeAsync("AWSEvents.PutTargets", new JsonObject
            {
                ["Rule"] = "e2e-spot-warnings",
                ["Targets"] = new JsonArray(new JsonObject { ["Id"] = "probe", ["Arn"] = functionArn }),
            }, NodeJson, NodeJson, CancellationToken.None);
        }
        using var ec2 = stack.Ec2(Account, Region);
        var vpcId = (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.40.0.0/16" })).Vpc.VpcId;
        var subnetId = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpcId, CidrBlock = "10.40.1.0/24", AvailabilityZone = "eu-central-1a" })).Subnet.SubnetId;
        async Task<string> RunAsync(bool spot) => (await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = "ami-0c7217cdde317cfec", InstanceType = "t3.small", MinCount = 1, MaxCount = 1, SubnetId = subnetId,
            InstanceMarketOptions = spot ? new InstanceMarketOptionsRequest { MarketType = "spot" } : null,
        })).Reservation.Instances.Single().InstanceId;
        var spotId = await RunAsync(spot: true);
        var onDemandId = await RunAsync(spot: false);
        await WaitForStateAsync(ec2, spotId, "running");
        await WaitForStateAsync(ec2, onDemandId, "running");

        var interrupted = await PostAsync($"/local/ec2/instances/{spotId}/interrupt");

        interrupted.Status.Should().Be(HttpStatusCode.OK, interrupted.Body.ToJsonString());
        (await EventProbeFunction.Arrived.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the rule's Lambda target is invoked");
        var warning = JsonNode.Parse(EventProbeFunction.Received.Single())!;
        warning["detail-type"]!.GetValue<string>().Should().Be("EC2 Spot Instance Interruption Warning");
        warning["detail"]!["instance-id"]!.GetValue<string>().Should().Be(spotId);
        warning["region"]!.GetValue<string>().Should().Be(Region);
        await WaitForStateAsync(ec2, spotId, "terminated");
        lock (stack.Events)
        {
            stack.Events.Select(e => JsonNode.Parse(e)!).Where(e => e["detail"]?["instance-id"]?.GetValue<string>() == spotId && e["detail"]?["state"] is not null)
                .Select(e => e["detail"]!["state"]!.GetValue<string>()).Should().Equal("pending", "running", "shutting-down", "terminated");
        }

        (await PostAsync($"/local/ec2/instances/{onDemandId}/interrupt")).Status.Should().Be(HttpStatusCode.BadRequest);
        (await PostAsync("/local/ec2/instances/i-0000000000000dead/stop")).Status.Should().Be(HttpStatusCode.NotFound);
        var impaired = await PostAsync($"/local/ec2/instances/{onDemandId}/status", """{"status":"impaired","check":"system"}""");
        impaired.Status.Should().Be(HttpStatusCode.OK);
        var status = (await ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [onDemandId] })).InstanceStatuses.Single();
        status.SystemStatus.Status.Value.Should().Be("impaired");
        (await PostAsync($"/local/ec2/instances/{onDemandId}/terminate")).Body["state"]!.GetValue<string>().Should().Be("shutting-down");
        await WaitForStateAsync(ec2, onDemandId, "terminated");
    }
}
