using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Resources;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>Whole definitions mixing Retry, Catch, Map, Parallel and intrinsics, and engine-level contracts.</summary>
public sealed class SpecificationScenarioTests : IAsyncLifetime
{
    private readonly EngineHarness _harness = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_definition_with_Retry_Catch_Map_Parallel_and_intrinsics_gives_the_specified_output()
    {
        var key = Guid.NewGuid().ToString();
        var output = await _harness.OutputAsync("""
            {"StartAt":"Prepare","States":{
              "Prepare":{"Type":"Pass","Parameters":{"id.$":"States.Format('cluster-{}', $.n)","zones.$":"States.StringSplit($.zones, ',')","key.$":"$.key"},"Next":"Work"},
              "Work":{"Type":"Parallel","ResultPath":"$.work","Next":"Summarize","Branches":[
                {"StartAt":"PerZone","States":{"PerZone":{"Type":"Map","ItemsPath":"$.zones",
                   "ItemSelector":{"zone.$":"$$.Map.Item.Value","position.$":"$$.Map.Item.Index"},
                   "ItemProcessor":{"StartAt":"Subnet","States":{"Subnet":{"Type":"Pass","Parameters":{"subnet.$":"States.Format('{}-{}', $.zone, $.position)"},"OutputPath":"$.subnet","End":true}}},
                   "End":true}}},
                {"StartAt":"Flaky","States":{"Flaky":{"Type":"Task","Resource":"FN_FailThenSucceed","Parameters":{"key.$":"$.key","failures":2},
                   "Retry":[{"ErrorEquals":["TimeoutException"],"IntervalSeconds":1,"MaxAttempts":2}],"ResultSelector":{"attempts.$":"$.attempts"},"End":true}}},
                {"StartAt":"Broken","States":{"Broken":{"Type":"Task","Resource":"FN_Fail",
                   "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Recovered"}],"End":true},
                   "Recovered":{"Type":"Pass","Parameters":{"recovered.$":"$.error.Error"},"End":true}}}]},
              "Summarize":{"Type":"Pass","Parameters":{
                  "id.$":"$.id",
                  "subnets.$":"$.work[0]",
                  "subnetCount.$":"States.ArrayLength($.work[0])",
                  "attempts.$":"$.work[1].attempts",
                  "recovered.$":"$.work[2].recovered",
                  "hash.$":"States.Hash($.id, 'MD5')"},"End":true}}}
            """, $$"""{"n":7,"zones":"a,b,c","key":"{{key}}"}""");

        JsonText.Print(output).Should().Be(
            """{"id":"cluster-7","subnets":["a-0","b-1","c-2"],"subnetCount":3,"attempts":3,"recovered":"InvalidOperationException","hash":"HASH"}"""
                .Replace("HASH", Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData("cluster-7"u8.ToArray()))));
    }

    private sealed class BrokenResource : ITaskResource
    {
        public bool Handles(string resource) => resource == "arn:aws:states:::broken:call";
        public Task<JToken> InvokeAsync(TaskRequest request, CancellationToken ct) => throw new IOException("disk on fire");
    }

    [Fact]
    public async Task A_resource_failing_outside_the_error_contract_fails_its_task_catchably()
    {
        await using var harness = new EngineHarness(extraResources: new BrokenResource());
        var output = await harness.OutputAsync("""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::broken:call","Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"C"}],"End":true},"C":{"Type":"Succeed"}}}
            """);
        output["Error"]!.ToString().Should().Be(StatesErrors.TaskFailed);
        output["Cause"]!.ToString().Should().Contain("disk on fire");
    }

    [Fact]
    public async Task An_unserved_resource_fails_the_execution()
    {
        var result = await _harness.RunAsync("""{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}""");
        result.Error.Should().Be(StatesErrors.Runtime);
        result.Cause.Should().Contain("sqs:sendMessage");
    }

    [Fact]
    public async Task PutStateMachine_creates_then_replaces_a_definition_and_validates_it()
    {
        var first = await _harness.Engine.PutStateMachineAsync("000000000000", "us-east-1", "provision", """{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}""", "arn:aws:iam::000000000000:role/r", default);
        var second = await _harness.Engine.PutStateMachineAsync("000000000000", "us-east-1", "provision", """{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}""", "arn:aws:iam::000000000000:role/r", default);
        second.StateMachineArn.Should().Be(first.StateMachineArn);
        second.CreationDate.Should().Be(first.CreationDate);
        (await _harness.Store.GetStateMachineAsync(first.StateMachineArn, default))!.Definition.Should().Contain("\"B\"");
        await FluentActions.Awaiting(() => _harness.Engine.PutStateMachineAsync("000000000000", "us-east-1", "bad", "{}", "r", default))
            .Should().ThrowAsync<InvalidDefinitionException>();
    }

    [Fact]
    public async Task Starting_with_input_that_is_not_JSON_is_refused()
    {
        var machine = await _harness.CreateMachineAsync("""{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}""");
        await FluentActions.Awaiting(() => _harness.Engine.StartExecutionAsync(machine, "x", "{oops", default)).Should().ThrowAsync<ArgumentException>();
        (await _harness.Store.GetExecutionAsync(Execution.StepFunctionsEngine.ExecutionArn(machine.StateMachineArn, "x"), default)).Should().BeNull();
    }

    [Fact]
    public async Task Disposing_the_engine_leaves_running_executions_running_in_the_store()
    {
        var store = new InMemoryExecutionStore();
        string arn;
        await using (var harness = new EngineHarness(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(), store))
        {
            arn = (await harness.StartAsync("""{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}""")).ExecutionArn;
            await harness.WaitForHistoryAsync(arn, h => h.Any(e => e.Type == "WaitStateEntered"));
        }
        (await store.GetExecutionAsync(arn, default))!.Status.Should().Be(ExecutionStatus.Running);
    }
}
