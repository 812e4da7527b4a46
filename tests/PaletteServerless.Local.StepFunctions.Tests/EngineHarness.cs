using Microsoft.Extensions.Time.Testing;
using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Execution;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Resources;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>
/// An engine over an in-memory store with test Lambda functions registered. With no fake clock
/// it runs on the system clock scaled a million times, so waits and retries pass instantly.
/// </summary>
public sealed class EngineHarness : IAsyncDisposable
{
    public const string Account = "123456789012";
    public const string Region = "us-east-1";
    public const string RoleArn = "arn:aws:iam::123456789012:role/test";

    public static string FunctionArn(string name) => $"arn:aws:lambda:{Region}:{Account}:function:{name}";

    public EngineHarness(FakeTimeProvider? clock = null, IExecutionStore? store = null, Func<double>? random = null, params ITaskResource[] extraResources)
    {
        Clock = clock;
        Store = store ?? new InMemoryExecutionStore();
        Lambda = new LambdaRegistry();
        foreach (var method in new[] { "Echo", "Add", "Fail", "FailThenSucceed", "ReadEnvironment", "Hang", "NotJson", "Concurrent", "RecordOrder" })
            Lambda.Register(FunctionArn(method), TestFunctions.Handler(method));
        var resources = new TaskResourceRegistry([Lambda, .. extraResources]);
        Engine = clock is null
            ? new StepFunctionsEngine(Store, resources, TimeProvider.System, timeScale: 1_000_000, random)
            : new StepFunctionsEngine(Store, resources, clock, timeScale: 1, random);
    }

    public FakeTimeProvider? Clock { get; }
    public IExecutionStore Store { get; }
    public LambdaRegistry Lambda { get; }
    public StepFunctionsEngine Engine { get; }

    private int _machines;

    /// <summary>Definitions in tests write "FN_Echo" for the ARN of the test function Echo.</summary>
    public static string WithFunctionArns(string definition) =>
        System.Text.RegularExpressions.Regex.Replace(definition, @"FN_(\w+)", m => FunctionArn(m.Groups[1].Value));

    public async Task<StateMachineRecord> CreateMachineAsync(string definition, string? name = null)
    {
        definition = WithFunctionArns(definition);
        StateMachineDefinition.Parse(definition);
        name ??= $"machine{Interlocked.Increment(ref _machines)}";
        var machine = new StateMachineRecord($"arn:aws:states:{Region}:{Account}:stateMachine:{name}", name, definition, RoleArn, "STANDARD",
            (Clock ?? TimeProvider.System).GetUtcNow());
        await Store.PutStateMachineAsync(machine, CancellationToken.None);
        return machine;
    }

    public async Task<ExecutionRecord> StartAsync(string definition, string input = "{}", string? name = null)
    {
        var machine = await CreateMachineAsync(definition);
        return await Engine.StartExecutionAsync(machine, name, input, CancellationToken.None);
    }

    public async Task<ExecutionRecord> RunAsync(string definition, string input = "{}")
    {
        var started = await StartAsync(definition, input);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return (await Engine.WaitForCompletionAsync(started.ExecutionArn, timeout.Token))!;
    }

    /// <summary>Runs and returns the output of a successful execution (failing the test otherwise).</summary>
    public async Task<JToken> OutputAsync(string definition, string input = "{}")
    {
        var result = await RunAsync(definition, input);
        result.Status.Should().Be(ExecutionStatus.Succeeded, $"error {result.Error}: {result.Cause}");
        return JsonText.Parse(result.Output!);
    }

    /// <summary>Polls the history (real time) until it satisfies <paramref name="condition"/>.</summary>
    public async Task<IReadOnlyList<HistoryEvent>> WaitForHistoryAsync(string executionArn, Func<IReadOnlyList<HistoryEvent>, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var history = await Engine.GetHistoryAsync(executionArn, CancellationToken.None);
            if (condition(history))
                return history;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"History never reached the expected shape; last: {string.Join(", ", history.Select(e => e.Type))}");
            await Task.Delay(2);
        }
    }

    public ValueTask DisposeAsync() => Engine.DisposeAsync();
}
