using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>
/// Redeploying the product while workflows run (docs/operations.md): as on AWS, an execution runs the definition it
/// started with to its end; only executions started after the update run the new one.
/// </summary>
public sealed class UpgradeWhileRunningTests
{
    private const string Before = """{"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":60,"Next":"Which"},"Which":{"Type":"Pass","Result":"before","End":true}}}""";
    private const string After = """{"StartAt":"Which","States":{"Which":{"Type":"Pass","Result":"after","End":true}}}""";

    [Fact]
    public async Task A_running_execution_keeps_its_definition_when_the_state_machine_is_redeployed_and_the_next_one_runs_the_new()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        await using var harness = new EngineHarness(clock);
        var machine = await harness.Engine.PutStateMachineAsync(EngineHarness.Account, EngineHarness.Region, "upgraded", Before, EngineHarness.RoleArn, default);
        var running = await harness.Engine.StartExecutionAsync(machine, "old", "{}", default);
        await harness.WaitForHistoryAsync(running.ExecutionArn, h => h.Any(e => e.Type == "WaitStateEntered"));

        // The redeploy: the same state machine, a changed definition (UpdateStateMachine, as CloudFormation calls it).
        var updated = await harness.Engine.PutStateMachineAsync(EngineHarness.Account, EngineHarness.Region, "upgraded", After, EngineHarness.RoleArn, default);
        updated.StateMachineArn.Should().Be(machine.StateMachineArn);
        clock.Advance(TimeSpan.FromSeconds(60));
        var done = await harness.Engine.WaitForCompletionAsync(running.ExecutionArn, new CancellationTokenSource(30_000).Token);
        done!.Status.Should().Be(ExecutionStatus.Succeeded);
        JsonText.Parse(done.Output!).ToString().Should().Be("before", "a running execution keeps the definition it started with");

        var next = await harness.Engine.StartExecutionAsync(updated, "new", "{}", default);
        var nextDone = await harness.Engine.WaitForCompletionAsync(next.ExecutionArn, new CancellationTokenSource(30_000).Token);
        JsonText.Parse(nextDone!.Output!).ToString().Should().Be("after", "an execution started after the redeploy runs the new definition");
    }

    [Fact]
    public async Task Tracing_and_logging_configuration_are_accepted_as_a_deployment_sends_them_and_ignored()
    {
        await using var harness = new EngineHarness();
        var api = new PaletteServerless.Local.StepFunctions.Api.StepFunctionsApi(harness.Engine);
        var request = new Newtonsoft.Json.Linq.JObject
        {
            ["name"] = "traced",
            ["definition"] = After,
            ["roleArn"] = EngineHarness.RoleArn,
            ["tracingConfiguration"] = new Newtonsoft.Json.Linq.JObject { ["enabled"] = true },
            ["loggingConfiguration"] = new Newtonsoft.Json.Linq.JObject { ["level"] = "ALL", ["includeExecutionData"] = false },
        };
        var (status, body) = await api.HandleAsync(EngineHarness.Account, EngineHarness.Region, "AWSStepFunctions.CreateStateMachine", request.ToString(), default);
        status.Should().Be(200, body);
        var arn = (string)Newtonsoft.Json.Linq.JObject.Parse(body)["stateMachineArn"]!;
        var update = new Newtonsoft.Json.Linq.JObject { ["stateMachineArn"] = arn, ["definition"] = Before, ["tracingConfiguration"] = new Newtonsoft.Json.Linq.JObject { ["enabled"] = true } };
        (await api.HandleAsync(EngineHarness.Account, EngineHarness.Region, "AWSStepFunctions.UpdateStateMachine", update.ToString(), default)).StatusCode.Should().Be(200);
    }
}
