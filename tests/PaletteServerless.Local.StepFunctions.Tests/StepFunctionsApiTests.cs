using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Api;
using PaletteServerless.Local.StepFunctions.Language;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>The AWS JSON 1.0 protocol of Step Functions, operation by operation.</summary>
public sealed class StepFunctionsApiTests : IAsyncLifetime
{
    private const string Account = "111122223333";
    private const string Region = "eu-west-1";
    private const string Definition = """{"StartAt":"Hello","States":{"Hello":{"Type":"Pass","Result":"World","ResultPath":"$.greeting","End":true}}}""";
    // The harness runs a million times faster than real time: this wait lasts 100 s.
    private const string WaitingDefinition = """{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":99999999,"End":true}}}""";

    private readonly EngineHarness _harness = new();
    private readonly StepFunctionsApi _api;

    public StepFunctionsApiTests() => _api = new StepFunctionsApi(_harness.Engine);

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private async Task<(int Status, JObject Body)> CallAsync(string operation, object request)
    {
        var (status, body) = await _api.HandleAsync(Account, Region, "AWSStepFunctions." + operation, JObject.FromObject(request).ToString(), default);
        return (status, (JObject)JsonText.Parse(body));
    }

    private async Task<JObject> OkAsync(string operation, object request)
    {
        var (status, body) = await CallAsync(operation, request);
        status.Should().Be(200, body.ToString());
        return body;
    }

    private async Task<string> ErrorAsync(string operation, object request)
    {
        var (status, body) = await CallAsync(operation, request);
        status.Should().Be(400);
        body["message"]!.ToString().Should().NotBeEmpty();
        return body["__type"]!.ToString();
    }

    private async Task<string> CreateAsync(string name, string definition = Definition) =>
        (await OkAsync("CreateStateMachine", new { name, definition, roleArn = "arn:aws:iam::111122223333:role/sfn" }))["stateMachineArn"]!.ToString();

    [Fact]
    public async Task CreateStateMachine_returns_the_ARN_in_the_callers_account_and_region_and_is_idempotent()
    {
        var arn = await CreateAsync("hello");
        arn.Should().Be($"arn:aws:states:{Region}:{Account}:stateMachine:hello");
        (await CreateAsync("hello")).Should().Be(arn);
        (await ErrorAsync("CreateStateMachine", new { name = "hello", definition = WaitingDefinition, roleArn = "arn:aws:iam::111122223333:role/sfn" }))
            .Should().Be("StateMachineAlreadyExists");
    }

    [Fact]
    public async Task CreateStateMachine_rejects_an_invalid_definition_with_the_reason()
    {
        var (status, body) = await CallAsync("CreateStateMachine", new { name = "bad", definition = """{"StartAt":"Nope","States":{"A":{"Type":"Succeed"}}}""", roleArn = "arn:aws:iam::1:role/r" });
        status.Should().Be(400);
        body["__type"]!.ToString().Should().Be("InvalidDefinition");
        body["message"]!.ToString().Should().Contain("Missing 'Next' target: Nope");
        (await ErrorAsync("CreateStateMachine", new { name = "bad name!", definition = Definition, roleArn = "arn:aws:iam::1:role/r" })).Should().Be("InvalidName");
        (await ErrorAsync("CreateStateMachine", new { name = "x", definition = Definition })).Should().Be("ValidationException");
    }

    [Fact]
    public async Task Describe_update_list_and_delete_state_machines()
    {
        var arn = await CreateAsync("machine-a");
        await CreateAsync("machine-b");
        var described = await OkAsync("DescribeStateMachine", new { stateMachineArn = arn });
        described["name"]!.ToString().Should().Be("machine-a");
        described["status"]!.ToString().Should().Be("ACTIVE");
        described["type"]!.ToString().Should().Be("STANDARD");
        described["definition"]!.ToString().Should().Be(Definition);
        described["creationDate"]!.Type.Should().Be(JTokenType.Float);

        (await OkAsync("UpdateStateMachine", new { stateMachineArn = arn, definition = WaitingDefinition }))["updateDate"].Should().NotBeNull();
        (await OkAsync("DescribeStateMachine", new { stateMachineArn = arn }))["definition"]!.ToString().Should().Be(WaitingDefinition);
        (await ErrorAsync("UpdateStateMachine", new { stateMachineArn = arn, definition = "{}" })).Should().Be("InvalidDefinition");

        var page1 = await OkAsync("ListStateMachines", new { maxResults = 1 });
        page1["stateMachines"]!.Should().HaveCount(1);
        var page2 = await OkAsync("ListStateMachines", new { maxResults = 1, nextToken = page1["nextToken"]!.ToString() });
        page2["stateMachines"]![0]!["name"]!.ToString().Should().Be("machine-b");
        page2["nextToken"].Should().BeNull();

        await OkAsync("DeleteStateMachine", new { stateMachineArn = arn });
        (await ErrorAsync("DescribeStateMachine", new { stateMachineArn = arn })).Should().Be("StateMachineDoesNotExist");
        (await ErrorAsync("DescribeStateMachine", new { stateMachineArn = "arn:aws:states:eu-west-1:1:activity:x" })).Should().Be("InvalidArn");
    }

    [Fact]
    public async Task StartExecution_is_idempotent_for_the_same_name_and_input_and_conflicts_otherwise()
    {
        var machine = await CreateAsync("waiting", WaitingDefinition);
        var first = await OkAsync("StartExecution", new { stateMachineArn = machine, name = "run-1", input = """{"a":1}""" });
        first["executionArn"]!.ToString().Should().Be($"arn:aws:states:{Region}:{Account}:execution:waiting:run-1");
        var again = await OkAsync("StartExecution", new { stateMachineArn = machine, name = "run-1", input = """{"a":1}""" });
        again["executionArn"]!.ToString().Should().Be(first["executionArn"]!.ToString());
        again["startDate"]!.Value<double>().Should().Be(first["startDate"]!.Value<double>());
        (await ErrorAsync("StartExecution", new { stateMachineArn = machine, name = "run-1", input = """{"a":2}""" })).Should().Be("ExecutionAlreadyExists");

        await OkAsync("StopExecution", new { executionArn = first["executionArn"]!.ToString(), error = "Stop", cause = "test" });
        (await ErrorAsync("StartExecution", new { stateMachineArn = machine, name = "run-1", input = """{"a":1}""" }))
            .Should().Be("ExecutionAlreadyExists", "a closed execution's name cannot be reused");
    }

    [Fact]
    public async Task StartExecution_validates_its_input()
    {
        var machine = await CreateAsync("m");
        (await ErrorAsync("StartExecution", new { stateMachineArn = machine, input = "{not json" })).Should().Be("InvalidExecutionInput");
        (await ErrorAsync("StartExecution", new { stateMachineArn = machine, name = "has space" })).Should().Be("InvalidName");
        (await ErrorAsync("StartExecution", new { stateMachineArn = machine.Replace(":m", ":other") })).Should().Be("StateMachineDoesNotExist");
    }

    [Fact]
    public async Task DescribeExecution_ListExecutions_and_GetExecutionHistory_show_a_finished_execution_as_AWS_does()
    {
        var machine = await CreateAsync("hello");
        var executionArn = (await OkAsync("StartExecution", new { stateMachineArn = machine, name = "e1", input = """{"who":"me"}""" }))["executionArn"]!.ToString();
        await _harness.Engine.WaitForCompletionAsync(executionArn, default);

        var described = await OkAsync("DescribeExecution", new { executionArn });
        described["status"]!.ToString().Should().Be("SUCCEEDED");
        described["input"]!.ToString().Should().Be("""{"who":"me"}""");
        described["output"]!.ToString().Should().Be("""{"who":"me","greeting":"World"}""");
        described["stateMachineArn"]!.ToString().Should().Be(machine);
        described["stopDate"]!.Value<double>().Should().BeGreaterThanOrEqualTo(described["startDate"]!.Value<double>());

        var listed = await OkAsync("ListExecutions", new { stateMachineArn = machine, statusFilter = "SUCCEEDED" });
        listed["executions"]!.Single()["name"]!.ToString().Should().Be("e1");
        (await OkAsync("ListExecutions", new { stateMachineArn = machine, statusFilter = "RUNNING" }))["executions"]!.Should().BeEmpty();

        var events = (JArray)(await OkAsync("GetExecutionHistory", new { executionArn }))["events"]!;
        events.Select(e => e["type"]!.ToString()).Should().Equal("ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded");
        events.Select(e => e["id"]!.Value<long>()).Should().Equal(1, 2, 3, 4);
        events.Select(e => e["previousEventId"]!.Value<long>()).Should().Equal(0, 1, 2, 3);
        events[0]!["executionStartedEventDetails"]!["input"]!.ToString().Should().Be("""{"who":"me"}""");
        events[0]!["executionStartedEventDetails"]!["roleArn"]!.ToString().Should().Be("arn:aws:iam::111122223333:role/sfn");
        events[1]!["stateEnteredEventDetails"]!["name"]!.ToString().Should().Be("Hello");
        events[2]!["stateExitedEventDetails"]!["output"]!.ToString().Should().Be("""{"who":"me","greeting":"World"}""");
        events[2]!["stateExitedEventDetails"]!["outputDetails"]!["truncated"]!.Value<bool>().Should().BeFalse();
        events[3]!["executionSucceededEventDetails"]!["output"].Should().NotBeNull();
        events[0]!["timestamp"]!.Type.Should().Be(JTokenType.Float);

        var reversed = (JArray)(await OkAsync("GetExecutionHistory", new { executionArn, reverseOrder = true, maxResults = 2 }))["events"]!;
        reversed.Select(e => e["type"]!.ToString()).Should().Equal("ExecutionSucceeded", "PassStateExited");
        var withoutData = (JArray)(await OkAsync("GetExecutionHistory", new { executionArn, includeExecutionData = false }))["events"]!;
        withoutData[0]!["executionStartedEventDetails"]!["input"].Should().BeNull();
    }

    [Fact]
    public async Task A_failed_execution_reports_error_and_cause()
    {
        var machine = await CreateAsync("failing", """{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"why"}}}""");
        var executionArn = (await OkAsync("StartExecution", new { stateMachineArn = machine }))["executionArn"]!.ToString();
        await _harness.Engine.WaitForCompletionAsync(executionArn, default);
        var described = await OkAsync("DescribeExecution", new { executionArn });
        (described["status"]!.ToString(), described["error"]!.ToString(), described["cause"]!.ToString()).Should().Be(("FAILED", "Boom", "why"));
        var events = (JArray)(await OkAsync("GetExecutionHistory", new { executionArn }))["events"]!;
        events.Select(e => e["type"]!.ToString()).Should().Equal("ExecutionStarted", "FailStateEntered", "ExecutionFailed");
        events[2]!["executionFailedEventDetails"]!["error"]!.ToString().Should().Be("Boom");
    }

    [Fact]
    public async Task Unknown_executions_operations_and_bodies_are_errors()
    {
        (await ErrorAsync("DescribeExecution", new { executionArn = $"arn:aws:states:{Region}:{Account}:execution:m:none" })).Should().Be("ExecutionDoesNotExist");
        (await ErrorAsync("GetExecutionHistory", new { executionArn = $"arn:aws:states:{Region}:{Account}:execution:m:none" })).Should().Be("ExecutionDoesNotExist");
        (await ErrorAsync("SendTaskSuccess", new { })).Should().Be("UnknownOperationException");
        var (status, body) = await _api.HandleAsync(Account, Region, "AWSStepFunctions.ListStateMachines", "[", default);
        status.Should().Be(400);
        body.Should().Contain("__type");
    }
}
