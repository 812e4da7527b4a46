using System.Globalization;
using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Local.StepFunctions.Execution;

/// <summary>
/// One execution being interpreted. The top-level machine is checkpointed before every state
/// and when a Wait starts; Parallel branches and Map iterations run inside their state, which is
/// re-run as a whole when an execution resumes.
/// </summary>
internal sealed partial class ExecutionRun
{
    public const int MaxHistoryEvents = 25_000;
    public const int MaxPayloadBytes = 262_144;

    private readonly StepFunctionsEngine _engine;
    private readonly StateMachineDefinition _definition;
    private readonly Lock _historyLock = new();
    private readonly List<HistoryEvent> _history;
    private readonly JObject _executionContext;
    private readonly JObject _stateMachineContext;
    private readonly string _region;
    private readonly string _accountId;
    private ExecutionRecord _record;
    private int _persistedEvents;

    public ExecutionRun(StepFunctionsEngine engine, ExecutionRecord record, IReadOnlyList<HistoryEvent> history)
    {
        _engine = engine;
        _record = record;
        _definition = StateMachineDefinition.Parse(record.Definition);
        _history = [.. history];
        _persistedEvents = _history.Count;
        var arn = record.ExecutionArn.Split(':');
        _region = arn[3];
        _accountId = arn[4];
        _executionContext = new JObject
        {
            ["Id"] = record.ExecutionArn,
            ["Input"] = JsonText.Parse(record.Input),
            ["StartTime"] = FormatTime(record.StartDate),
            ["Name"] = record.Name,
            ["RoleArn"] = record.RoleArn,
            ["RedriveCount"] = 0,
        };
        _stateMachineContext = new JObject
        {
            ["Id"] = record.StateMachineArn,
            ["Name"] = record.StateMachineArn.Split(':')[^1],
        };
        // Owned by a parent from the start, so that every context object gets copies (Newtonsoft copies
        // a token that already has a parent): branches then only ever read these shared objects.
        _ = new JObject { ["Execution"] = _executionContext, ["StateMachine"] = _stateMachineContext };
    }

    public string ExecutionArn => _record.ExecutionArn;
    public CancellationTokenSource Cancellation { get; } = new();
    public (string? Error, string? Cause)? StopRequest { get; set; }
    public bool EngineStopping { get; set; }
    public Task Completion { get; private set; } = Task.CompletedTask;

    public IReadOnlyList<HistoryEvent> History
    {
        get
        {
            lock (_historyLock)
                return _history.ToList();
        }
    }

    public void Start() => Completion = Task.Run(RunAsync);

    private sealed class Flow(long lastEventId)
    {
        public long LastEventId { get; set; } = lastEventId;
    }

    /// <summary>
    /// Where a durable machine (the top level, or a Parallel branch or Map iteration under it) is. Changed only under
    /// the history lock, so that a save sees positions and events that belong together.
    /// </summary>
    private sealed class Position(Flow flow)
    {
        public Flow Flow { get; } = flow;
        public string State { get; set; } = "";
        public string Input { get; set; } = "{}";
        public DateTimeOffset? WaitUntil { get; set; }
        public Position[]? Branches { get; set; }
        public string? Output { get; set; }
        public bool Failed { get; set; }

        public Checkpoint Snapshot() =>
            new(State, Input, WaitUntil, Branches?.Select(branch => branch.Snapshot()).ToList(), Output, Flow.LastEventId, Failed);
    }

    private Position? _root;
    private readonly SemaphoreSlim _saveGate = new(1, 1);

    private void Move(Position position, Action<Position> change)
    {
        lock (_historyLock)
            change(position);
    }

    private sealed class HistoryLimitException() : StatesException(StatesErrors.Runtime,
        $"The execution reached the maximum number of history events ({MaxHistoryEvents}).");

    private DateTimeOffset Now => _engine.Time.GetUtcNow();

    internal static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private long Record(Flow flow, string type, string? detailsName = null, JObject? details = null, bool closing = false)
    {
        lock (_historyLock)
        {
            // AWS: when 24,999 events exist, only ExecutionSucceeded may follow; anything else fails the execution.
            if (!closing && _history.Count >= MaxHistoryEvents - 1)
                throw new HistoryLimitException();
            var id = _history.Count + 1;
            _history.Add(new HistoryEvent(id, flow.LastEventId, Now, type, detailsName, details));
            flow.LastEventId = id;
            return id;
        }
    }

    /// <summary>
    /// Persists the new events and then the record: with <paramref name="close"/> the final one,
    /// otherwise a checkpoint of every durable position. Saves from parallel branches take turns.
    /// </summary>
    private async Task SaveAsync(Func<ExecutionRecord, ExecutionRecord>? close = null)
    {
        await _saveGate.WaitAsync().ConfigureAwait(false);
        try
        {
            List<HistoryEvent> newEvents;
            ExecutionRecord updated;
            lock (_historyLock)
            {
                newEvents = _history.GetRange(_persistedEvents, _history.Count - _persistedEvents);
                var changed = close is not null ? close(_record) : _record with { Checkpoint = _root?.Snapshot() };
                updated = changed with { HistoryCount = _history.Count, Version = _record.Version + 1 };
            }
            await _engine.Store.SaveExecutionAsync(updated, newEvents, CancellationToken.None).ConfigureAwait(false);
            lock (_historyLock)
            {
                _persistedEvents += newEvents.Count;
                _record = updated;
            }
        }
        finally
        {
            _saveGate.Release();
        }
    }

    private static JObject DataDetails() => new() { ["truncated"] = false };

    // ---- the execution --------------------------------------------------------------------------

    private async Task RunAsync()
    {
        var flow = new Flow(_history.Count);
        _root = new Position(flow);
        var ct = Cancellation.Token;
        using var timeout = StartExecutionTimeout();
        try
        {
            var checkpoint = _record.Checkpoint ?? new Checkpoint(_definition.StartAt, _record.Input, null);
            var output = await RunMachineAsync(_definition, checkpoint.State, JsonText.Parse(checkpoint.Input), flow, ct,
                _root, checkpoint).ConfigureAwait(false);
            var text = JsonText.Print(output);
            Record(flow, "ExecutionSucceeded", "executionSucceededEventDetails",
                new JObject { ["output"] = text, ["outputDetails"] = DataDetails() }, closing: true);
            await SaveAsync(r => r with { Status = ExecutionStatus.Succeeded, Output = text, StopDate = Now, Checkpoint = null }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (EngineStopping)
        {
            // The engine is shutting down: the execution stays RUNNING at its last checkpoint and resumes later.
        }
        catch (OperationCanceledException) when (StopRequest is { } stop)
        {
            Record(flow, "ExecutionAborted", "executionAbortedEventDetails", ErrorDetails(stop.Error, stop.Cause), closing: true);
            await SaveAsync(r => r with { Status = ExecutionStatus.Aborted, Error = stop.Error, Cause = stop.Cause, StopDate = Now, Checkpoint = null }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true)
        {
            Record(flow, "ExecutionTimedOut", "executionTimedOutEventDetails", ErrorDetails(StatesErrors.Timeout, "The execution timed out."), closing: true);
            await SaveAsync(r => r with { Status = ExecutionStatus.TimedOut, Error = StatesErrors.Timeout, StopDate = Now, Checkpoint = null }).ConfigureAwait(false);
        }
        catch (StatesException ex)
        {
            await FailAsync(flow, ex.Error, ex.Cause).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ConcurrentUpdateException)
        {
            // A fault of the engine itself (or of a resource that broke its contract) must not leave
            // the execution running forever: it fails as AWS fails executions on internal errors.
            await FailAsync(flow, StatesErrors.Runtime, $"Internal error in the local engine: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
        }
    }

    private async Task FailAsync(Flow flow, string error, string cause)
    {
        // A Fail state may leave out Error or Cause; AWS then reports no such field at all.
        var reportedError = error.Length == 0 ? null : error;
        var reportedCause = cause.Length == 0 ? null : cause;
        Record(flow, "ExecutionFailed", "executionFailedEventDetails", ErrorDetails(reportedError, reportedCause), closing: true);
        await SaveAsync(r => r with { Status = ExecutionStatus.Failed, Error = reportedError, Cause = reportedCause, StopDate = Now, Checkpoint = null }).ConfigureAwait(false);
    }

    private static JObject ErrorDetails(string? error, string? cause)
    {
        var details = new JObject();
        if (error is not null)
            details["error"] = error;
        if (cause is not null)
            details["cause"] = cause;
        return details;
    }

    /// <summary>The machine's TimeoutSeconds, counted from the execution's start (so a resumed run keeps its deadline).</summary>
    private CancellationTokenSource? StartExecutionTimeout()
    {
        if (_definition.TimeoutSeconds is not { } seconds)
            return null;
        var deadline = _record.StartDate + _engine.Scaled(seconds);
        var source = new CancellationTokenSource(Max(deadline - Now, TimeSpan.Zero), _engine.Time);
        source.Token.Register(Cancellation.Cancel);
        return source;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// Runs states from <paramref name="startAt"/> to the end. A <paramref name="durable"/> machine is
    /// checkpointed before each state; <paramref name="resume"/> is the checkpoint it restarts from, which
    /// continues a Wait or a Parallel already entered instead of entering the state again.
    /// </summary>
    private async Task<JToken> RunMachineAsync(StateMachineDefinition machine, string startAt, JToken input, Flow flow,
        CancellationToken ct, Position? durable = null, Checkpoint? resume = null)
    {
        var name = startAt;
        var resumeInside = resume is { WaitUntil: not null } or { Branches: not null } ? resume : null;
        if (durable is not null && resumeInside is not null)
            Move(durable, p => (p.State, p.Input, p.WaitUntil) = (resumeInside.State, resumeInside.Input, resumeInside.WaitUntil));
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var state = machine.States[name];
            if (durable is not null && resumeInside is null)
            {
                var text = JsonText.Print(input);
                Move(durable, p => (p.State, p.Input, p.WaitUntil, p.Branches) = (name, text, null, null));
                await SaveAsync().ConfigureAwait(false);
            }
            var (next, output) = await RunStateAsync(state, input, flow, ct, durable, resumeInside).ConfigureAwait(false);
            resumeInside = null;
            if (next is null)
                return output;
            name = next;
            input = output;
        }
    }

    private async Task<(string? Next, JToken Output)> RunStateAsync(State state, JToken input, Flow flow, CancellationToken ct,
        Position? durable, Checkpoint? resume)
    {
        var entered = Now;
        var resumeBranches = resume?.Branches;
        if (resume is null)
        {
            Record(flow, state.Type + "StateEntered", "stateEnteredEventDetails", new JObject
            {
                ["name"] = state.Name,
                ["input"] = JsonText.Print(input),
                ["inputDetails"] = DataDetails(),
            });
        }

        if (state is FailState fail)
            throw FailError(fail, input);

        JToken output;
        string? next = state.Next;
        try
        {
            output = state switch
            {
                PassState pass => RunPass(pass, input, entered),
                TaskState task => await WithRetryAsync(task, input, flow, ct, entered,
                    (retryCount, c) => RunTaskAsync(task, input, flow, c, entered, retryCount)).ConfigureAwait(false),
                ChoiceState choice => RunChoice(choice, input, entered, out next),
                WaitState wait => await RunWaitAsync(wait, input, ct, entered, durable, resume?.WaitUntil).ConfigureAwait(false),
                SucceedState succeed => ApplyOutputPath(state, ApplyInputPath(state, input, entered), entered),
                ParallelState parallel => await WithRetryAsync(parallel, input, flow, ct, entered,
                    (retryCount, c) =>
                    {
                        // Only the first attempt after a restart continues the saved branches.
                        var saved = resumeBranches;
                        resumeBranches = null;
                        return RunParallelAsync(parallel, input, flow, c, entered, retryCount, durable, saved);
                    }).ConfigureAwait(false),
                MapState map => await WithRetryAsync(map, input, flow, ct, entered,
                    (retryCount, c) =>
                    {
                        var saved = resumeBranches;
                        resumeBranches = null;
                        return RunMapAsync(map, input, flow, c, entered, retryCount, durable, saved);
                    }).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"unknown state type {state.Type}"),
            };
        }
        catch (StatesException ex) when (state is IRecoverableState recoverable
                                         && recoverable.Catch.FirstOrDefault(c => StatesErrors.Matches(c.ErrorEquals, ex.Error)) is not null)
        {
            var catcher = ((IRecoverableState)state).Catch.First(c => StatesErrors.Matches(c.ErrorEquals, ex.Error));
            var errorOutput = new JObject { ["Error"] = ex.Error, ["Cause"] = ex.Cause };
            output = catcher.ResultPath is null ? input : JsonPaths.SetAt(input, catcher.ResultPath, errorOutput);
            next = catcher.Next;
        }

        var outputText = JsonText.Print(output);
        CheckPayloadSize(outputText, state.Name);
        Record(flow, state.Type + "StateExited", "stateExitedEventDetails", new JObject
        {
            ["name"] = state.Name,
            ["output"] = outputText,
            ["outputDetails"] = DataDetails(),
        });
        return (next, output);
    }

    private static void CheckPayloadSize(string text, string stateName)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(text) > MaxPayloadBytes)
            throw new StatesException(StatesErrors.DataLimitExceeded,
                $"The state/task '{stateName}' returned a result with a size exceeding the maximum number of bytes service limit.");
    }

    private StatesException FailError(FailState fail, JToken input)
    {
        string? Resolve(string? value, string? path)
        {
            if (path is null)
                return value;
            var context = ContextObject(fail, Now, 0);
            var found = IntrinsicFunctions.IsIntrinsic(path)
                ? IntrinsicFunctions.Evaluate(path, input, context)
                : JsonPaths.SelectRequired(input, context, path, StatesErrors.Runtime, "ErrorPath/CausePath");
            return found.Type == JTokenType.String ? (string)found! : JsonText.Print(found);
        }
        return new StatesException(Resolve(fail.Error, fail.ErrorPath) ?? "", Resolve(fail.Cause, fail.CausePath) ?? "");
    }
}
