using System.Text.Json;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>The real AWS CLI against the local stack's one endpoint: DynamoDB, Step Functions and EC2 behind one URL.</summary>
[Collection(LocalStackCollection.Name)]
public sealed class AwsCliTests(LocalStackFixture stack)
{
    [Fact]
    public async Task The_AWS_CLI_reads_the_product_table_its_state_machines_and_a_clusters_execution_history_from_one_endpoint()
    {
        var scenario = await Scenario.StartAsync(stack, "cli");
        var created = await scenario.CreateAsync(Scenario.Cluster("seen-by-cli"));
        await scenario.WaitForStatusAsync("seen-by-cli", "Running");
        var uid = created["uid"]!.GetValue<string>();

        var tables = await AwsAsync("dynamodb", "list-tables");
        tables.GetProperty("TableNames").EnumerateArray().Select(t => t.GetString()).Should().Contain("palette-serverless");

        var machines = await AwsAsync("stepfunctions", "list-state-machines");
        machines.GetProperty("stateMachines").EnumerateArray().Select(m => m.GetProperty("name").GetString())
            .Should().Contain(["palette-provision-cluster", "palette-delete-cluster"]);

        var executionArn = $"arn:aws:states:us-east-1:000000000000:execution:palette-provision-cluster:provision-{uid}";
        var execution = await AwsAsync("stepfunctions", "describe-execution", "--execution-arn", executionArn);
        execution.GetProperty("status").GetString().Should().Be("SUCCEEDED");
        var history = await AwsAsync("stepfunctions", "get-execution-history", "--execution-arn", executionArn, "--max-items", "1000");
        var types = history.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        types.Should().Contain(["ExecutionStarted", "ParallelStateEntered", "WaitStateEntered", "ExecutionSucceeded"]);

        var vpcs = await AwsAsync("ec2", "describe-vpcs", "--filters", $"Name=tag:palette.serverless/cluster-uid,Values={uid}");
        vpcs.GetProperty("Vpcs").GetArrayLength().Should().Be(1);

        await scenario.DeleteAsync("seen-by-cli");
        await scenario.WaitForStatusAsync("seen-by-cli", "Deleted");
    }

    private Task<JsonElement> AwsAsync(params string[] arguments) => AwsCli.RunAsync(stack.Stack.Endpoint, arguments);
}
