using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Resources;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Local.StepFunctions.Execution;

/// <summary>
/// Runs executions in the background over a durable store. All time goes through
/// <see cref="Time"/>; every Wait, retry interval, timeout and heartbeat is divided by the time scale.
/// Call <see cref="StartAsync"/> once to resume the executions a previous engine left RUNNING.
/// </summary>
public sealed partial class StepFunctionsEngine : IAsyncDisposable
{
    /// <summary>AWS's quota of history events per execution.</summary>
    public const int MaxHistoryEvents = ExecutionRun.MaxHistoryEvents;

    /// <summary>AWS's quota for a state's input or output, in UTF-8 bytes.</summary>
    public const int MaxPayloadBytes = ExecutionRun.MaxPayloadBytes;

    private readonly ConcurrentDictionary<string, ExecutionRun> _runs = new(StringComparer.Ordinal);
    private readonly Func<double> _random;
    private bool _disposed;

    /// <param name="store">Where executions and their history live.</param>
    /// <param name="resources">What Task states can call.</param>
    /// <param name="time">The clock; tests pass a fake one.</param>
    /// <param name="timeScale">K makes every Wait, retry interval, timeout and heartbeat K times shorter.</param>
    /// <param name="random">Draws in [0, 1) for FULL retry jitter; defaults to <see cref="System.Random.Shared"/>.</param>
    public StepFunctionsEngine(IExecutionStore store, TaskResourceRegistry resources, TimeProvider time, double timeScale = 1.0, Func<double>? random = null)
    {
        if (timeScale <= 0 || double.IsNaN(timeScale) || double.IsInfinity(timeScale))
            throw new ArgumentOutOfRangeException(nameof(timeScale), timeScale, "The time scale must be a positive number.");
        Store = store;
        Resources = resources;
        Time = time;
        TimeScale = timeScale;
        _random = random ?? System.Random.Shared.NextDouble;
    }

    public IExecutionStore Store { get; }
    public TaskResourceRegistry Resources { get; }
    public TimeProvider Time { get; }
    public double TimeScale { get; }

    internal double Random() => _random();

    internal TimeSpan Scaled(double seconds) => TimeSpan.FromSeconds(seconds / TimeScale);

    /// <summary>Resumes every execution the store has as RUNNING, from its last checkpoint.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var execution in await Store.ListExecutionsAsync(null, ExecutionStatus.Running, ct).ConfigureAwait(false))
        {
            if (_runs.ContainsKey(execution.ExecutionArn))
                continue;
            var history = await Store.GetHistoryAsync(execution.ExecutionArn, ct).ConfigureAwait(false);
            ExecutionRun run;
            try
            {
                run = new ExecutionRun(this, execution, history);
            }
            catch (InvalidDefinitionException ex)
            {
                // The engine that started it accepted this definition and this one does not: the
                // execution cannot go on, and one bad record must not keep the others from resuming.
                await CloseAsync(execution, "ExecutionFailed", "executionFailedEventDetails", ExecutionStatus.Failed,
                    StatesErrors.Runtime, $"The definition can no longer be run: {ex.Message}", ct).ConfigureAwait(false);
                continue;
            }
            Launch(run);
        }
    }

    /// <summary>
    /// Starts an execution of <paramref name="machine"/>. The same name with the same input while the
    /// execution runs returns that execution (AWS's idempotency); otherwise a used name throws
    /// <see cref="ExecutionAlreadyExistsException"/>.
    /// </summary>
    public async Task<ExecutionRecord> StartExecutionAsync(StateMachineRecord machine, string? name, string? input, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        name ??= Guid.NewGuid().ToString();
        input ??= "{}";
        if (!JsonText.TryParse(input, out _))
            throw new ArgumentException("The execution input must be JSON.", nameof(input));
        var executionArn = ExecutionArn(machine.StateMachineArn, name);
        var now = Time.GetUtcNow();
        var record = new ExecutionRecord(executionArn, machine.StateMachineArn, name, input, machine.Definition, machine.RoleArn,
            ExecutionStatus.Running, now, null, null, null, null, null, HistoryCount: 1, Version: 1);
        var started = new HistoryEvent(1, 0, now, "ExecutionStarted", "executionStartedEventDetails", new Newtonsoft.Json.Linq.JObject
        {
            ["input"] = input,
            ["inputDetails"] = new Newtonsoft.Json.Linq.JObject { ["truncated"] = false },
            ["roleArn"] = machine.RoleArn,
        });
        var existing = await Store.TryCreateExecutionAsync(record, [started], ct).ConfigureAwait(false);
        if (existing is not null)
        {
            if (existing.Status == ExecutionStatus.Running && existing.Input == input)
                return existing;
            throw new ExecutionAlreadyExistsException($"Execution Already Exists: '{executionArn}'");
        }
        Launch(new ExecutionRun(this, record, [started]));
        return record;
    }

    /// <summary>
    /// Creates or replaces a state machine (for the local stack registering its definitions at
    /// start, where a changed definition must win); the definition is validated first.
    /// </summary>
    public async Task<StateMachineRecord> PutStateMachineAsync(string accountId, string region, string name, string definition, string roleArn, CancellationToken ct)
    {
        StateMachineDefinition.Parse(definition);
        var arn = $"arn:aws:states:{region}:{accountId}:stateMachine:{name}";
        var existing = await Store.GetStateMachineAsync(arn, ct).ConfigureAwait(false);
        var machine = new StateMachineRecord(arn, name, definition, roleArn, existing?.Type ?? "STANDARD", existing?.CreationDate ?? Time.GetUtcNow());
        await Store.PutStateMachineAsync(machine, ct).ConfigureAwait(false);
        return machine;
    }

    /// <summary>"arn:aws:states:r:a:stateMachine:m" + "n" -> "arn:aws:states:r:a:execution:m:n".</summary>
    public static string ExecutionArn(string stateMachineArn, string name) =>
        StateMachineSegment().Replace(stateMachineArn, ":execution:", 1) + ":" + name;

    [GeneratedRegex(":stateMachine:")]
    private static partial Regex StateMachineSegment();

    private void Launch(ExecutionRun run)
    {
        _runs[run.ExecutionArn] = run;
        run.Start();
        _ = run.Completion.ContinueWith(_ => _runs.TryRemove(new KeyValuePair<string, ExecutionRun>(run.ExecutionArn, run)), TaskScheduler.Default);
    }

    /// <summary>Stops a running execution (ExecutionAborted); returns the record afterwards, or null when unknown.</summary>
    public async Task<ExecutionRecord?> StopExecutionAsync(string executionArn, string? error, string? cause, CancellationToken ct)
    {
        if (_runs.TryGetValue(executionArn, out var run))
        {
            run.StopRequest = (error, cause);
            await run.Cancellation.CancelAsync().ConfigureAwait(false);
            await run.Completion.ConfigureAwait(false);
            return await Store.GetExecutionAsync(executionArn, ct).ConfigureAwait(false);
        }
        var record = await Store.GetExecutionAsync(executionArn, ct).ConfigureAwait(false);
        if (record is null || record.Status != ExecutionStatus.Running)
            return record;
        // Known to the store but not running here (the engine was not started): close it directly.
        return await CloseAsync(record, "ExecutionAborted", "executionAbortedEventDetails", ExecutionStatus.Aborted, error, cause, ct).ConfigureAwait(false);
    }

    /// <summary>Ends an execution that no run owns, with its closing history event.</summary>
    private async Task<ExecutionRecord> CloseAsync(ExecutionRecord record, string eventType, string detailsName, string status,
        string? error, string? cause, CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        var details = new Newtonsoft.Json.Linq.JObject();
        if (error is not null)
            details["error"] = error;
        if (cause is not null)
            details["cause"] = cause;
        var closing = new HistoryEvent(record.HistoryCount + 1, record.HistoryCount, now, eventType, detailsName, details);
        var updated = record with
        {
            Status = status, Error = error, Cause = cause, StopDate = now, Checkpoint = null,
            HistoryCount = record.HistoryCount + 1, Version = record.Version + 1,
        };
        await Store.SaveExecutionAsync(updated, [closing], ct).ConfigureAwait(false);
        return updated;
    }

    /// <summary>The history: live from a running execution, else from the store.</summary>
    public async Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string executionArn, CancellationToken ct) =>
        _runs.TryGetValue(executionArn, out var run) ? run.History : await Store.GetHistoryAsync(executionArn, ct).ConfigureAwait(false);

    /// <summary>Waits until the execution has ended (or this engine stops running it) and returns its record.</summary>
    public async Task<ExecutionRecord?> WaitForCompletionAsync(string executionArn, CancellationToken ct)
    {
        if (_runs.TryGetValue(executionArn, out var run))
            await run.Completion.WaitAsync(ct).ConfigureAwait(false);
        return await Store.GetExecutionAsync(executionArn, ct).ConfigureAwait(false);
    }

    /// <summary>Stops background work; running executions stay RUNNING in the store and resume on the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        var runs = _runs.Values.ToList();
        foreach (var run in runs)
        {
            run.EngineStopping = true;
            await run.Cancellation.CancelAsync().ConfigureAwait(false);
        }
        foreach (var run in runs)
        {
            try
            {
                await run.Completion.ConfigureAwait(false);
            }
            catch (Exception) when (run.EngineStopping)
            {
                // A run interrupted by shutdown has nothing more to report.
            }
            run.Cancellation.Dispose();
        }
    }
}
