using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Local.StepFunctions.Execution;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>AWS's payload and history quotas, and durable executions that resume after a restart.</summary>
public sealed class LimitsAndResumeTests : IAsyncLifetime
{
    private readonly EngineHarness _harness = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_state_output_over_256_KiB_fails_with_DataLimitExceeded()
    {
        var result = await _harness.RunAsync("""
            {"StartAt":"Grow","States":{"Grow":{"Type":"Pass","Parameters":{"a.$":"$.s","b.$":"$.s"},"End":true}}}
            """, $$"""{"s":"{{new string('x', 140_000)}}"}""");
        result.Error.Should().Be(StatesErrors.DataLimitExceeded);
    }

    [Fact]
    public async Task DataLimitExceeded_is_not_caught_by_States_ALL()
    {
        var result = await _harness.RunAsync("""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"FN_Echo","Parameters":{"a.$":"$.s","b.$":"$.s"},
               "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},"Caught":{"Type":"Succeed"}}}
            """, $$"""{"s":"{{new string('x', 140_000)}}"}""");
        result.Error.Should().Be(StatesErrors.DataLimitExceeded);
    }

    [Fact]
    public async Task An_execution_that_reaches_25000_history_events_fails()
    {
        var result = await _harness.RunAsync("""
            {"StartAt":"Loop","States":{
              "Loop":{"Type":"Pass","Next":"Again"},
              "Again":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"End"}],"Default":"Loop"},
              "End":{"Type":"Succeed"}}}
            """);
        result.Status.Should().Be(ExecutionStatus.Failed);
        result.Cause.Should().Contain("maximum number of history events (25000)");
        var history = await _harness.Engine.GetHistoryAsync(result.ExecutionArn, default);
        history.Should().HaveCount(StepFunctionsEngine.MaxHistoryEvents);
        history[^1].Type.Should().Be("ExecutionFailed");
    }

    [Fact]
    public async Task A_new_engine_over_the_same_store_finishes_an_execution_stopped_mid_Wait_with_the_time_left()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        var store = new InMemoryExecutionStore();
        const string definition = """
            {"StartAt":"Before","States":{
              "Before":{"Type":"Pass","Result":"done before","ResultPath":"$.before","Next":"Wait15Minutes"},
              "Wait15Minutes":{"Type":"Wait","Seconds":900,"Next":"After"},
              "After":{"Type":"Pass","Result":"done after","ResultPath":"$.after","End":true}}}
            """;
        string executionArn;
        await using (var first = new EngineHarness(clock, store))
        {
            executionArn = (await first.StartAsync(definition, """{"id":1}""")).ExecutionArn;
            await first.WaitForHistoryAsync(executionArn, h => h.Any(e => e.Type == "WaitStateEntered"));
            await WaitForAsync(async () => (await store.GetExecutionAsync(executionArn, default))!.Checkpoint?.WaitUntil is not null);
            clock.Advance(TimeSpan.FromSeconds(300));
        }

        var stopped = await store.GetExecutionAsync(executionArn, default);
        stopped!.Status.Should().Be(ExecutionStatus.Running, "stopping the engine does not end its executions");

        await using var second = new EngineHarness(clock, store);
        await second.Engine.StartAsync(default);
        await Task.Delay(20);
        clock.Advance(TimeSpan.FromSeconds(599));
        await Task.Delay(30);
        (await store.GetExecutionAsync(executionArn, default))!.Status.Should().Be(ExecutionStatus.Running, "one second of the wait is left");
        clock.Advance(TimeSpan.FromSeconds(1));
        await WaitForAsync(async () => (await store.GetExecutionAsync(executionArn, default))!.Status != ExecutionStatus.Running);

        var done = await store.GetExecutionAsync(executionArn, default);
        done!.Status.Should().Be(ExecutionStatus.Succeeded);
        done.Output.Should().Be("""{"id":1,"before":"done before","after":"done after"}""");
        var history = await store.GetHistoryAsync(executionArn, default);
        history.Select(e => e.Type).Should().Equal(
            "ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered", "WaitStateExited",
            "PassStateEntered", "PassStateExited", "ExecutionSucceeded");
        history.Select(e => e.Id).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        (history.Single(e => e.Type == "WaitStateExited").Timestamp - history.Single(e => e.Type == "WaitStateEntered").Timestamp)
            .Should().Be(TimeSpan.FromSeconds(900));
    }

    [Fact]
    public async Task Parallel_branches_resume_where_they_were_and_finished_branches_are_not_run_again()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        var store = new InMemoryExecutionStore();
        var key = Guid.NewGuid().ToString();
        const string definition = """
            {"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[
              {"StartAt":"Once","States":{"Once":{"Type":"Task","Resource":"FN_FailThenSucceed","Parameters":{"key.$":"$.key","failures":0},"End":true}}},
              {"StartAt":"Poll","States":{
                 "Poll":{"Type":"Wait","Seconds":100,"Next":"Nested"},
                 "Nested":{"Type":"Parallel","End":true,"Branches":[
                    {"StartAt":"Inner","States":{"Inner":{"Type":"Wait","Seconds":10,"Next":"Ready"},"Ready":{"Type":"Pass","Result":"ready","End":true}}}]}}}]}}}
            """;
        string executionArn;
        await using (var first = new EngineHarness(clock, store))
        {
            executionArn = (await first.StartAsync(definition, $$"""{"key":"{{key}}"}""")).ExecutionArn;
            await WaitForAsync(async () => (await store.GetExecutionAsync(executionArn, default))!.Checkpoint is { Branches: [{ Output: not null }, { WaitUntil: not null }] });
            clock.Advance(TimeSpan.FromSeconds(40));
        }

        await using (var second = new EngineHarness(clock, store))
        {
            await second.Engine.StartAsync(default);
            await Task.Delay(20);
            clock.Advance(TimeSpan.FromSeconds(60));
            // Now inside the nested Parallel's Wait: stop once more there.
            await WaitForAsync(async () => (await store.GetExecutionAsync(executionArn, default))!.Checkpoint is { Branches: [_, { Branches: [{ WaitUntil: not null }] }] });
            clock.Advance(TimeSpan.FromSeconds(5));
        }

        await using var third = new EngineHarness(clock, store);
        await third.Engine.StartAsync(default);
        await Task.Delay(20);
        (await store.GetExecutionAsync(executionArn, default))!.Status.Should().Be(ExecutionStatus.Running, "5 of the inner 10 seconds are left");
        clock.Advance(TimeSpan.FromSeconds(5));
        await WaitForAsync(async () => (await store.GetExecutionAsync(executionArn, default))!.Status != ExecutionStatus.Running);

        var done = await store.GetExecutionAsync(executionArn, default);
        done!.Status.Should().Be(ExecutionStatus.Succeeded, done.Cause);
        done.Output.Should().Be("""[{"attempts":1},["ready"]]""");
        TestFunctions.Calls[key].Should().Be(1, "the finished branch is not run again");
        var history = await store.GetHistoryAsync(executionArn, default);
        history.Count(e => e.Type == "ParallelStateEntered").Should().Be(2);
        history.Count(e => e.Type == "WaitStateEntered").Should().Be(2);
        history.Count(e => e.Type == "WaitStateExited").Should().Be(2);
        history.Select(e => e.Id).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        history.Should().OnlyContain(e => e.PreviousEventId < e.Id);
    }

    [Fact]
    public async Task Map_iterations_resume_where_they_were_and_finished_iterations_are_not_run_again()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        var store = new InMemoryExecutionStore();
        var run = Guid.NewGuid().ToString();
        const string definition = """
            {"StartAt":"Each","States":{"Each":{"Type":"Map","End":true,
               "ItemSelector":{"key.$":"States.Format('{}-{}', $.run, $$.Map.Item.Index)","wait.$":"$$.Map.Item.Value","failures":0},
               "ItemsPath":"$.waits",
               "ItemProcessor":{"StartAt":"Call","States":{
                  "Call":{"Type":"Task","Resource":"FN_FailThenSucceed","ResultPath":"$.result","Next":"Pause"},
                  "Pause":{"Type":"Wait","SecondsPath":"$.wait","Next":"Done"},
                  "Done":{"Type":"Pass","InputPath":"$.result.attempts","End":true}}}}}}
            """;
        string executionArn;
        await using (var first = new EngineHarness(clock, store))
        {
            executionArn = (await first.StartAsync(definition, $$"""{"run":"{{run}}","waits":[10,100,100]}""")).ExecutionArn;
            await WaitForAsync(async () => (await store.GetExecutionAsync(executionArn, default))!.Checkpoint is
                { Branches: [{ WaitUntil: not null }, { WaitUntil: not null }, { WaitUntil: not null }] });
            clock.Advance(TimeSpan.FromSeconds(10));
            await WaitForAsync(async () => (await store.GetExecutionAsync(executionArn, default))!.Checkpoint is { Branches: [{ Output: not null }, _, _] });
            clock.Advance(TimeSpan.FromSeconds(50));
        }

        await using var second = new EngineHarness(clock, store);
        await second.Engine.StartAsync(default);
        await Task.Delay(20);
        clock.Advance(TimeSpan.FromSeconds(39));
        await Task.Delay(30);
        (await store.GetExecutionAsync(executionArn, default))!.Status.Should().Be(ExecutionStatus.Running, "one second of the long waits is left");
        clock.Advance(TimeSpan.FromSeconds(1));
        await WaitForAsync(async () => (await store.GetExecutionAsync(executionArn, default))!.Status != ExecutionStatus.Running);

        var done = await store.GetExecutionAsync(executionArn, default);
        done!.Status.Should().Be(ExecutionStatus.Succeeded, done.Cause);
        done.Output.Should().Be("[1,1,1]", "every item's task ran exactly once");
        var history = await store.GetHistoryAsync(executionArn, default);
        history.Count(e => e.Type == "MapIterationStarted").Should().Be(3);
        history.Count(e => e.Type == "MapIterationSucceeded").Should().Be(3);
        history.Count(e => e.Type == "LambdaFunctionScheduled").Should().Be(3);
        history.Select(e => e.Id).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task A_running_execution_whose_definition_no_longer_parses_fails_and_the_others_still_resume()
    {
        var store = new InMemoryExecutionStore();
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        ExecutionRecord Running(string name, string definition) => new(
            $"arn:aws:states:us-east-1:000000000000:execution:m:{name}", "arn:aws:states:us-east-1:000000000000:stateMachine:m", name, "{}", definition,
            "arn:aws:iam::000000000000:role/r", ExecutionStatus.Running, clock.GetUtcNow(), null, null, null, null, null, 0, 1);
        await store.TryCreateExecutionAsync(Running("broken", """{"StartAt":"Gone","States":{}}"""), [], default);
        await store.TryCreateExecutionAsync(Running("fine", """{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}"""), [], default);

        await using var engine = new StepFunctionsEngine(store, new Resources.TaskResourceRegistry(), clock);
        await engine.StartAsync(default);
        (await engine.WaitForCompletionAsync("arn:aws:states:us-east-1:000000000000:execution:m:fine", default))!.Status.Should().Be(ExecutionStatus.Succeeded);
        var broken = await store.GetExecutionAsync("arn:aws:states:us-east-1:000000000000:execution:m:broken", default);
        (broken!.Status, broken.Error).Should().Be((ExecutionStatus.Failed, StatesErrors.Runtime));
    }

    [Fact]
    public async Task Stopping_an_execution_that_no_engine_runs_closes_it_in_the_store()
    {
        var store = new InMemoryExecutionStore();
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        const string arn = "arn:aws:states:us-east-1:000000000000:execution:m:idle";
        await store.TryCreateExecutionAsync(new ExecutionRecord(arn, "arn:aws:states:us-east-1:000000000000:stateMachine:m", "idle", "{}",
            """{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}""", "arn:aws:iam::000000000000:role/r", ExecutionStatus.Running,
            clock.GetUtcNow(), null, null, null, null, null, 1, 1), [new HistoryEvent(1, 0, clock.GetUtcNow(), "ExecutionStarted", null, null)], default);

        await using var engine = new StepFunctionsEngine(store, new Resources.TaskResourceRegistry(), clock);
        var stopped = await engine.StopExecutionAsync(arn, "Stop", null, default);
        (stopped!.Status, stopped.Error, stopped.Cause).Should().Be((ExecutionStatus.Aborted, "Stop", null));
        (await store.GetHistoryAsync(arn, default)).Select(e => e.Type).Should().Equal("ExecutionStarted", "ExecutionAborted");
    }

    [Fact]
    public async Task Stopping_an_execution_aborts_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        await using var harness = new EngineHarness(clock);
        var started = await harness.StartAsync("""{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}""");
        await harness.WaitForHistoryAsync(started.ExecutionArn, h => h.Any(e => e.Type == "WaitStateEntered"));
        var stopped = await harness.Engine.StopExecutionAsync(started.ExecutionArn, "Cancelled", "by test", default);
        (stopped!.Status, stopped.Error, stopped.Cause).Should().Be((ExecutionStatus.Aborted, "Cancelled", "by test"));
        (await harness.Engine.GetHistoryAsync(started.ExecutionArn, default))[^1].Type.Should().Be("ExecutionAborted");
    }

    [Fact]
    public async Task Stopping_an_execution_does_not_wait_for_a_handler_that_never_returns()
    {
        var started = await _harness.StartAsync("""{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"FN_Hang","End":true}}}""");
        await _harness.WaitForHistoryAsync(started.ExecutionArn, h => h.Any(e => e.Type == "LambdaFunctionStarted"));
        var stopped = await _harness.Engine.StopExecutionAsync(started.ExecutionArn, null, null, new CancellationTokenSource(30_000).Token);
        stopped!.Status.Should().Be(ExecutionStatus.Aborted);
    }

    [Fact]
    public async Task A_time_scale_shortens_waits()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        var store = new InMemoryExecutionStore();
        await using var engine = new StepFunctionsEngine(store, new Resources.TaskResourceRegistry(), clock, timeScale: 60);
        var machine = new StateMachineRecord("arn:aws:states:us-east-1:000000000000:stateMachine:m", "m",
            """{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":600,"End":true}}}""", "arn:aws:iam::000000000000:role/r", "STANDARD", clock.GetUtcNow());
        var started = await engine.StartExecutionAsync(machine, "e", "{}", default);
        await WaitForAsync(async () => (await store.GetExecutionAsync(started.ExecutionArn, default))!.Checkpoint?.WaitUntil is not null);
        clock.Advance(TimeSpan.FromSeconds(10));
        var done = await engine.WaitForCompletionAsync(started.ExecutionArn, new CancellationTokenSource(30_000).Token);
        done!.Status.Should().Be(ExecutionStatus.Succeeded);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("condition never held");
            await Task.Delay(2);
        }
    }
}
