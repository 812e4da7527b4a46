using Microsoft.Extensions.Time.Testing;
using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Resources;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>Retry, Catch, the predefined errors and their precedence, timeouts, Parallel and Map failures.</summary>
public sealed class ErrorHandlingTests : IAsyncLifetime
{
    private readonly EngineHarness _harness = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static string Key() => Guid.NewGuid().ToString();

    private static string LambdaTask(string function, string extra = "") =>
        $$"""{"Type":"Task","Resource":"{{EngineHarness.FunctionArn(function)}}"{{extra}},"End":true}""";

    private static string Single(string state) => "{\"StartAt\":\"S\",\"States\":{\"S\":" + state + "}}";

    private static int Count(IReadOnlyList<HistoryEvent> history, string type) => history.Count(e => e.Type == type);

    [Fact]
    public async Task Retry_intervals_grow_by_BackoffRate_and_stop_at_MaxDelaySeconds_on_the_fake_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        await using var harness = new EngineHarness(clock);
        var definition = Single(LambdaTask("FailThenSucceed",
            ""","Retry":[{"ErrorEquals":["TimeoutException"],"IntervalSeconds":2,"BackoffRate":2,"MaxDelaySeconds":5,"MaxAttempts":3}]"""));
        var started = await harness.StartAsync(definition, $$"""{"key":"{{Key()}}","failures":3}""");

        foreach (var (expectedDelay, failuresSoFar) in new[] { (2.0, 1), (4.0, 2), (5.0, 3) })
        {
            await harness.WaitForHistoryAsync(started.ExecutionArn, h => Count(h, "LambdaFunctionFailed") == failuresSoFar);
            clock.Advance(TimeSpan.FromSeconds(expectedDelay - 0.1));
            await Task.Delay(30);
            Count(await harness.Engine.GetHistoryAsync(started.ExecutionArn, default), "LambdaFunctionScheduled").Should().Be(failuresSoFar, "the retry is not due yet");
            clock.Advance(TimeSpan.FromSeconds(0.1));
            await harness.WaitForHistoryAsync(started.ExecutionArn, h => Count(h, "LambdaFunctionScheduled") == failuresSoFar + 1);
        }

        var done = await harness.Engine.WaitForCompletionAsync(started.ExecutionArn, default);
        done!.Status.Should().Be(ExecutionStatus.Succeeded);
        JsonText.Parse(done.Output!)["attempts"]!.Value<int>().Should().Be(4);
        var scheduled = (await harness.Engine.GetHistoryAsync(started.ExecutionArn, default)).Where(e => e.Type == "LambdaFunctionScheduled").Select(e => e.Timestamp).ToList();
        scheduled.Zip(scheduled.Skip(1), (a, b) => (b - a).TotalSeconds).Should().Equal(2, 4, 5);
    }

    [Fact]
    public void Full_jitter_draws_between_zero_and_the_backoff_delay()
    {
        var retrier = new Retrier(["E"], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 3, MaxDelaySeconds: 10, FullJitter: true);
        Enumerable.Range(0, 4).Select(attempt => retrier.DelaySeconds(attempt, random: 0.5)).Should().Equal(1, 3, 5, 5);
        (retrier with { FullJitter = false }).DelaySeconds(3, random: 0.5).Should().Be(10);
    }

    [Fact]
    public async Task Full_jitter_is_applied_to_real_retries()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        await using var harness = new EngineHarness(clock, random: () => 0.25);
        var started = await harness.StartAsync(Single(LambdaTask("FailThenSucceed",
            ""","Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":8,"JitterStrategy":"FULL"}]""")), $$"""{"key":"{{Key()}}","failures":1}""");
        await harness.WaitForHistoryAsync(started.ExecutionArn, h => Count(h, "LambdaFunctionFailed") == 1);
        clock.Advance(TimeSpan.FromSeconds(2));
        var done = await harness.Engine.WaitForCompletionAsync(started.ExecutionArn, new CancellationTokenSource(30_000).Token);
        done!.Status.Should().Be(ExecutionStatus.Succeeded);
    }

    [Fact]
    public async Task Exhausted_retries_fall_through_to_Catch_with_ResultPath()
    {
        var definition = """
            {"StartAt":"T","States":{
              "T":{"Type":"Task","Resource":"FN","Retry":[{"ErrorEquals":["InvalidOperationException"],"MaxAttempts":2}],
                   "Catch":[{"ErrorEquals":["InvalidOperationException"],"ResultPath":"$.error","Next":"Handled"}],"End":true},
              "Handled":{"Type":"Pass","End":true}}}
            """.Replace("FN", EngineHarness.FunctionArn("Fail"));
        var started = await _harness.StartAsync(definition, """{"keep":1}""");
        var done = await _harness.Engine.WaitForCompletionAsync(started.ExecutionArn, default);
        var output = JsonText.Parse(done!.Output!);
        output["keep"]!.Value<int>().Should().Be(1);
        output["error"]!["Error"]!.ToString().Should().Be("InvalidOperationException");
        var cause = JsonText.Parse(output["error"]!["Cause"]!.ToString());
        cause["errorMessage"]!.ToString().Should().Be("boom");
        cause["errorType"]!.ToString().Should().Be("InvalidOperationException");
        cause["stackTrace"].Should().BeOfType<JArray>();
        Count(await _harness.Engine.GetHistoryAsync(started.ExecutionArn, default), "LambdaFunctionScheduled").Should().Be(3);
    }

    [Fact]
    public async Task The_first_matching_retrier_and_catcher_win()
    {
        var definition = """
            {"StartAt":"T","States":{
              "T":{"Type":"Task","Resource":"FN",
                   "Retry":[{"ErrorEquals":["Other"],"MaxAttempts":5},{"ErrorEquals":["InvalidOperationException"],"MaxAttempts":1},{"ErrorEquals":["States.ALL"],"MaxAttempts":4}],
                   "Catch":[{"ErrorEquals":["Other"],"Next":"Wrong"},{"ErrorEquals":["States.TaskFailed"],"Next":"Right"},{"ErrorEquals":["States.ALL"],"Next":"Wrong"}],"End":true},
              "Right":{"Type":"Pass","Result":"right","End":true},
              "Wrong":{"Type":"Pass","Result":"wrong","End":true}}}
            """.Replace("FN", EngineHarness.FunctionArn("Fail"));
        var started = await _harness.StartAsync(definition);
        var done = await _harness.Engine.WaitForCompletionAsync(started.ExecutionArn, default);
        done!.Output.Should().Be("\"right\"");
        Count(await _harness.Engine.GetHistoryAsync(started.ExecutionArn, default), "LambdaFunctionScheduled").Should().Be(2, "only the second retrier applies");
    }

    [Fact]
    public async Task Catch_without_ResultPath_replaces_the_input_with_the_error_output()
    {
        var uncaught = await _harness.RunAsync("""
            {"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x.$":"States.ArrayGetItem($.a, 5)"},"End":true}}}
            """, """{"a":[1]}""");
        uncaught.Error.Should().Be(StatesErrors.IntrinsicFailure, "an uncaught intrinsic failure fails the execution");

        var caught = await _harness.OutputAsync("""
            {"StartAt":"T","States":{
              "T":{"Type":"Task","Resource":"FN","Parameters":{"x.$":"States.ArrayGetItem($.a, 5)"},
                   "Catch":[{"ErrorEquals":["States.IntrinsicFailure"],"Next":"E"}],"End":true},
              "E":{"Type":"Succeed"}}}
            """.Replace("FN", EngineHarness.FunctionArn("Echo")), """{"a":[1]}""");
        caught["Error"]!.ToString().Should().Be(StatesErrors.IntrinsicFailure);
        caught["Cause"]!.ToString().Should().Contain("out of bounds");
    }

    [Theory]
    [InlineData(StatesErrors.Timeout, new[] { "States.TaskFailed" }, false)]
    [InlineData(StatesErrors.Timeout, new[] { "States.ALL" }, true)]
    [InlineData(StatesErrors.Runtime, new[] { "States.ALL" }, false)]
    [InlineData(StatesErrors.Runtime, new[] { "States.Runtime" }, false)]
    [InlineData(StatesErrors.DataLimitExceeded, new[] { "States.ALL" }, false)]
    [InlineData(StatesErrors.DataLimitExceeded, new[] { "States.DataLimitExceeded" }, true)]
    [InlineData("MyError", new[] { "States.TaskFailed" }, true)]
    [InlineData("MyError", new[] { "Other", "MyError" }, true)]
    [InlineData("MyError", new[] { "myerror" }, false)]
    public void Error_names_match_as_the_specification_and_AWS_say(string error, string[] errorEquals, bool expected) =>
        StatesErrors.Matches(errorEquals, error).Should().Be(expected);

    [Fact]
    public async Task A_task_over_TimeoutSeconds_fails_with_States_Timeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        await using var harness = new EngineHarness(clock);
        var started = await harness.StartAsync(Single(LambdaTask("Hang", ""","TimeoutSeconds":10""")));
        await harness.WaitForHistoryAsync(started.ExecutionArn, h => Count(h, "LambdaFunctionStarted") == 1);
        clock.Advance(TimeSpan.FromSeconds(10));
        var done = await harness.Engine.WaitForCompletionAsync(started.ExecutionArn, new CancellationTokenSource(30_000).Token);
        done!.Error.Should().Be(StatesErrors.Timeout);
        Count(await harness.Engine.GetHistoryAsync(started.ExecutionArn, default), "LambdaFunctionTimedOut").Should().Be(1);
    }

    [Fact]
    public async Task A_task_timeout_runs_from_the_recorded_start_however_long_the_call_takes_to_get_under_way()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        var coldStart = new ColdStartingResource();
        await using var harness = new EngineHarness(clock, extraResources: coldStart);
        var starting = Task.Run(() => harness.StartAsync(Single($$"""{"Type":"Task","Resource":"{{ColdStartingResource.Arn}}","TimeoutSeconds":10,"End":true}""")));
        // Ten seconds pass after the recorded start while the call is still getting under way.
        (await coldStart.Entered.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the call began");
        clock.Advance(TimeSpan.FromSeconds(10));
        coldStart.Release.Set();
        var started = await starting;
        var done = await harness.Engine.WaitForCompletionAsync(started.ExecutionArn, new CancellationTokenSource(30_000).Token);
        done!.Error.Should().Be(StatesErrors.Timeout);
    }

    /// <summary>A resource whose call blocks its caller until released (a cold start), then never answers.</summary>
    private sealed class ColdStartingResource : ITaskResource
    {
        public const string Arn = "arn:aws:states:::test:coldStart";
        public SemaphoreSlim Entered { get; } = new(0);
        public ManualResetEventSlim Release { get; } = new();

        public bool Handles(string resource) => resource == Arn;

        public Task<JToken> InvokeAsync(TaskRequest request, CancellationToken ct)
        {
            Entered.Release();
            Release.Wait(TimeSpan.FromSeconds(30));
            return new TaskCompletionSource<JToken>().Task;
        }
    }

    [Fact]
    public async Task A_task_that_sends_no_heartbeat_fails_with_HeartbeatTimeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        await using var harness = new EngineHarness(clock);
        var started = await harness.StartAsync(Single(
            """{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"Hang"},"TimeoutSeconds":100,"HeartbeatSeconds":5,"End":true}"""));
        await harness.WaitForHistoryAsync(started.ExecutionArn, h => Count(h, "TaskStarted") == 1);
        clock.Advance(TimeSpan.FromSeconds(5));
        var done = await harness.Engine.WaitForCompletionAsync(started.ExecutionArn, new CancellationTokenSource(30_000).Token);
        done!.Error.Should().Be(StatesErrors.HeartbeatTimeout);
    }

    [Fact]
    public async Task The_execution_TimeoutSeconds_ends_it_as_TIMED_OUT()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        await using var harness = new EngineHarness(clock);
        var started = await harness.StartAsync("""{"StartAt":"W","TimeoutSeconds":5,"States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}""");
        await harness.WaitForHistoryAsync(started.ExecutionArn, h => Count(h, "WaitStateEntered") == 1);
        await Task.Delay(20);
        clock.Advance(TimeSpan.FromSeconds(5));
        var done = await harness.Engine.WaitForCompletionAsync(started.ExecutionArn, new CancellationTokenSource(30_000).Token);
        done!.Status.Should().Be(ExecutionStatus.TimedOut);
        (await harness.Engine.GetHistoryAsync(started.ExecutionArn, default))[^1].Type.Should().Be("ExecutionTimedOut");
    }

    [Fact]
    public async Task A_failing_Parallel_branch_fails_the_state_with_its_error_which_Catch_handles()
    {
        var definition = """
            {"StartAt":"Par","States":{
              "Par":{"Type":"Parallel","Branches":[
                  {"StartAt":"Ok","States":{"Ok":{"Type":"Wait","Seconds":100,"End":true}}},
                  {"StartAt":"Bad","States":{"Bad":{"Type":"Fail","Error":"BranchError","Cause":"bad branch"}}}],
                "Catch":[{"ErrorEquals":["BranchError"],"ResultPath":"$.failure","Next":"Done"}],"End":true},
              "Done":{"Type":"Pass","End":true}}}
            """;
        var started = await _harness.StartAsync(definition, """{"in":1}""");
        var done = await _harness.Engine.WaitForCompletionAsync(started.ExecutionArn, default);
        var output = JsonText.Parse(done!.Output!);
        output["failure"]!["Error"]!.ToString().Should().Be("BranchError");
        output["in"]!.Value<int>().Should().Be(1);
        var history = await _harness.Engine.GetHistoryAsync(started.ExecutionArn, default);
        history.Select(e => e.Type).Should().Contain(["ParallelStateStarted", "FailStateEntered", "ParallelStateFailed", "ParallelStateExited"]);
    }

    [Fact]
    public async Task Parallel_outputs_an_array_of_branch_outputs_in_branch_order()
    {
        var output = await _harness.OutputAsync("""
            {"StartAt":"Par","States":{"Par":{"Type":"Parallel","Parameters":{"v.$":"$.v"},"ResultSelector":{"both.$":"$"},"ResultPath":"$.r","Branches":[
                {"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":3,"Next":"A2"},"A2":{"Type":"Pass","InputPath":"$.v","End":true}}},
                {"StartAt":"B","States":{"B":{"Type":"Pass","Result":"b","End":true}}}],"End":true}}}
            """, """{"v":"a"}""");
        JsonText.Print(output).Should().Be("""{"v":"a","r":{"both":["a","b"]}}""");
    }

    [Fact]
    public async Task Map_runs_each_item_through_the_processor_with_ItemSelector_and_context()
    {
        var output = await _harness.OutputAsync("""
            {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.detail.shipped","MaxConcurrency":2,
               "ItemSelector":{"parcel.$":"$$.Map.Item.Value","index.$":"$$.Map.Item.Index","courier.$":"$.delivery-partner"},
               "ItemProcessor":{"StartAt":"Ship","States":{"Ship":{"Type":"Pass","Parameters":{"p.$":"States.Format('{}:{}:{}', $.index, $.parcel.prod, $.courier)"},"OutputPath":"$.p","End":true}}},
               "ResultPath":"$.detail.results","End":true}}}
            """, """{"delivery-partner":"UQS","detail":{"shipped":[{"prod":"R31"},{"prod":"S39"},{"prod":"R15"}]}}""");
        JsonText.Print(output["detail"]!["results"]!).Should().Be("""["0:R31:UQS","1:S39:UQS","2:R15:UQS"]""");
    }

    [Fact]
    public async Task Map_runs_at_most_MaxConcurrency_iterations_at_once_and_keeps_item_order()
    {
        TestFunctions.MostConcurrent = 0;
        var output = await _harness.OutputAsync("""
            {"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,
               "ItemProcessor":{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"FN_Concurrent","End":true}}},"End":true}}}
            """, "[1,2,3,4,5,6]");
        JsonText.Print(output).Should().Be("[1,2,3,4,5,6]");
        TestFunctions.MostConcurrent.Should().BeInRange(1, 2);
    }

    [Fact]
    public async Task Map_with_MaxConcurrency_1_processes_the_items_in_the_order_they_appear()
    {
        TestFunctions.Began.Clear();
        await _harness.OutputAsync("""
            {"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
               "ItemProcessor":{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"FN_RecordOrder","End":true}}},"End":true}}}
            """, "[1,2,3,4,5,6,7,8]");
        TestFunctions.Began.Should().Equal("1", "2", "3", "4", "5", "6", "7", "8");
    }

    [Fact]
    public async Task Map_tolerates_failures_up_to_the_threshold()
    {
        const string template = """
            {"StartAt":"M","States":{"M":{"Type":"Map",TOLERANCE
               "ItemProcessor":{"StartAt":"C","States":{
                  "C":{"Type":"Choice","Choices":[{"Variable":"$.ok","BooleanEquals":false,"Next":"F"}],"Default":"Ok"},
                  "F":{"Type":"Fail","Error":"ItemError"},"Ok":{"Type":"Succeed"}}},"End":true}}}
            """;
        const string input = """[{"ok":true},{"ok":false},{"ok":false},{"ok":true}]""";

        var tolerated = await _harness.RunAsync(template.Replace("TOLERANCE", "\"ToleratedFailureCount\":2,"), input);
        tolerated.Status.Should().Be(ExecutionStatus.Succeeded);
        var results = (JArray)JsonText.Parse(tolerated.Output!);
        results[1]!["Error"]!.ToString().Should().Be("ItemError");

        (await _harness.RunAsync(template.Replace("TOLERANCE", "\"ToleratedFailurePercentage\":50,"), input)).Status.Should().Be(ExecutionStatus.Succeeded);
        (await _harness.RunAsync(template.Replace("TOLERANCE", "\"ToleratedFailureCount\":1,"), input)).Error.Should().Be(StatesErrors.ExceedToleratedFailureThreshold);
        (await _harness.RunAsync(template.Replace("TOLERANCE", "\"ToleratedFailurePercentage\":25,"), input)).Error.Should().Be(StatesErrors.ExceedToleratedFailureThreshold);
        (await _harness.RunAsync(template.Replace("TOLERANCE", ""), input)).Error.Should().Be("ItemError", "without tolerance the first failure fails the map");
    }

    [Fact]
    public async Task Map_accepts_the_older_Iterator_and_Parameters_fields_and_a_ResultSelector()
    {
        var output = await _harness.OutputAsync("""
            {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","Parameters":{"item.$":"$$.Map.Item.Value","prefix.$":"$.prefix"},
               "Iterator":{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":"States.Format('{}{}', $.prefix, $.item)"},"OutputPath":"$.v","End":true}}},
               "ResultSelector":{"all.$":"$","count.$":"States.ArrayLength($)"},"End":true}}}
            """, """{"prefix":"n-","items":[1,2]}""");
        JsonText.Print(output).Should().Be("""{"all":["n-1","n-2"],"count":2}""");
    }

    [Fact]
    public async Task TimeoutSecondsPath_reads_the_timeout_from_the_input()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        await using var harness = new EngineHarness(clock);
        var started = await harness.StartAsync(Single("""{"Type":"Task","Resource":"FN_Hang","TimeoutSecondsPath":"$.limit","End":true}"""), """{"limit":30}""");
        await harness.WaitForHistoryAsync(started.ExecutionArn, h => Count(h, "LambdaFunctionStarted") == 1);
        clock.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(30);
        (await harness.Store.GetExecutionAsync(started.ExecutionArn, default))!.Status.Should().Be(ExecutionStatus.Running);
        clock.Advance(TimeSpan.FromSeconds(1));
        var done = await harness.Engine.WaitForCompletionAsync(started.ExecutionArn, new CancellationTokenSource(30_000).Token);
        done!.Error.Should().Be(StatesErrors.Timeout);
        (await harness.Engine.GetHistoryAsync(started.ExecutionArn, default)).Single(e => e.Type == "LambdaFunctionScheduled").Details!["timeoutInSeconds"]!
            .Value<int>().Should().Be(30);
    }

    [Fact]
    public async Task MaxAttempts_zero_never_retries()
    {
        var started = await _harness.StartAsync(Single(LambdaTask("Fail", ""","Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":0}]""")));
        var done = await _harness.Engine.WaitForCompletionAsync(started.ExecutionArn, default);
        done!.Error.Should().Be("InvalidOperationException");
        Count(await _harness.Engine.GetHistoryAsync(started.ExecutionArn, default), "LambdaFunctionScheduled").Should().Be(1);
    }

    [Fact]
    public async Task Map_over_something_that_is_not_an_array_fails()
    {
        var result = await _harness.RunAsync("""
            {"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}
            """, """{"not":"array"}""");
        result.Error.Should().Be(StatesErrors.Runtime);
    }
}
