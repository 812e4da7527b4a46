using System.Globalization;
using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Resources;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Local.StepFunctions.Execution;

/// <summary>
/// One execution being interpreted. The top-level machine is checkpointed before every state
/// and when a Wait starts; Parallel branches and Map iterations run inside their state, which is
/// re-run as a whole when an execution resumes.
/// </summary>
internal sealed class ExecutionRun
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
    /// Where a durable machine (the top level or a Parallel branch under it) is. Changed only under
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

        public Checkpoint Snapshot() =>
            new(State, Input, WaitUntil, Branches?.Select(branch => branch.Snapshot()).ToList(), Output, Flow.LastEventId);
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
                    (retryCount, c) => RunMapAsync(map, input, flow, c, entered, retryCount)).ConfigureAwait(false),
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

    // ---- paths --------------------------------------------------------------------------------

    private JToken ContextObject(State state, DateTimeOffset entered, int retryCount, JObject? mapItem = null)
    {
        if (!state.UsesContextObject)
            return new JObject();
        var context = new JObject
        {
            ["Execution"] = _executionContext,
            ["StateMachine"] = _stateMachineContext,
            ["State"] = new JObject
            {
                ["EnteredTime"] = FormatTime(entered),
                ["Name"] = state.Name,
                ["RetryCount"] = retryCount,
            },
        };
        if (mapItem is not null)
            context["Map"] = new JObject { ["Item"] = mapItem };
        return context;
    }

    private JToken ApplyInputPath(State state, JToken input, DateTimeOffset entered) => state.InputPath switch
    {
        null => new JObject(),
        "$" => input,
        var path => JsonPaths.SelectRequired(input, ContextObject(state, entered, 0), path, StatesErrors.Runtime, "InputPath"),
    };

    private JToken ApplyOutputPath(State state, JToken output, DateTimeOffset entered) => state.OutputPath switch
    {
        null => new JObject(),
        "$" => output,
        var path => JsonPaths.SelectRequired(output, ContextObject(state, entered, 0), path, StatesErrors.Runtime, "OutputPath"),
    };

    /// <summary>ResultSelector, ResultPath and OutputPath: what every result-producing state does with its result.</summary>
    private JToken FinishResult(State state, JToken rawInput, JToken result, DateTimeOffset entered, int retryCount)
    {
        var resultState = (IResultState)state;
        if (resultState.ResultSelector is { } selector)
            result = PayloadTemplate.Apply(selector, result, ContextObject(state, entered, retryCount), "ResultSelector");
        var combined = resultState.ResultPath switch
        {
            null => rawInput,
            "$" => result,
            var path => JsonPaths.SetAt(rawInput, path, result),
        };
        return ApplyOutputPath(state, combined, entered);
    }

    private JToken EffectiveParameters(State state, JToken effectiveInput, DateTimeOffset entered, int retryCount) =>
        ((IResultState)state).Parameters is { } parameters
            ? PayloadTemplate.Apply(parameters, effectiveInput, ContextObject(state, entered, retryCount), "Parameters")
            : effectiveInput;

    // ---- states -------------------------------------------------------------------------------

    private JToken RunPass(PassState pass, JToken input, DateTimeOffset entered)
    {
        var effective = ApplyInputPath(pass, input, entered);
        var result = pass.Result?.DeepClone() ?? EffectiveParameters(pass, effective, entered, 0);
        return FinishResult(pass, input, result, entered, 0);
    }

    private JToken RunChoice(ChoiceState choice, JToken input, DateTimeOffset entered, out string? next)
    {
        var effective = ApplyInputPath(choice, input, entered);
        var context = ContextObject(choice, entered, 0);
        next = choice.Choices.FirstOrDefault(rule => rule.Matches(effective, context))?.Next ?? choice.Default
            ?? throw new StatesException(StatesErrors.NoChoiceMatched, $"No Matches! at state '{choice.Name}'");
        return ApplyOutputPath(choice, effective, entered);
    }

    private async Task<JToken> RunWaitAsync(WaitState wait, JToken input, CancellationToken ct, DateTimeOffset entered,
        Position? durable, DateTimeOffset? resumeWaitUntil)
    {
        var effective = ApplyInputPath(wait, input, entered);
        var until = resumeWaitUntil ?? WaitEnd(wait, effective, entered);
        if (durable is not null && resumeWaitUntil is null)
        {
            Move(durable, p => p.WaitUntil = until);
            await SaveAsync().ConfigureAwait(false);
        }
        var remaining = until - Now;
        if (remaining > TimeSpan.Zero)
            await Task.Delay(remaining, _engine.Time, ct).ConfigureAwait(false);
        return ApplyOutputPath(wait, effective, entered);
    }

    private DateTimeOffset WaitEnd(WaitState wait, JToken effective, DateTimeOffset entered)
    {
        var context = ContextObject(wait, entered, 0);
        if (wait.Seconds is { } seconds)
            return entered + _engine.Scaled(seconds);
        if (wait.SecondsPath is { } secondsPath)
        {
            var value = JsonPaths.SelectRequired(effective, context, secondsPath, StatesErrors.Runtime, "SecondsPath");
            if (value.Type != JTokenType.Integer || (long)value < 0)
                throw new StatesException(StatesErrors.Runtime, $"The SecondsPath parameter does not reference a valid non-negative integer: {JsonText.Print(value)}");
            return entered + _engine.Scaled((long)value);
        }
        var text = wait.Timestamp;
        if (wait.TimestampPath is { } timestampPath)
        {
            var value = JsonPaths.SelectRequired(effective, context, timestampPath, StatesErrors.Runtime, "TimestampPath");
            text = value.Type == JTokenType.String ? (string)value! : null;
        }
        if (text is null || !ComparisonRule.TryParseTimestamp(text, out var timestamp))
            throw new StatesException(StatesErrors.Runtime, $"The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {text}");
        // A time scale shortens the wait that remains, as it does for Seconds.
        var left = timestamp - entered;
        return left <= TimeSpan.Zero ? entered : entered + _engine.Scaled(left.TotalSeconds);
    }

    private async Task<JToken> WithRetryAsync(State state, JToken input, Flow flow, CancellationToken ct, DateTimeOffset entered,
        Func<int, CancellationToken, Task<JToken>> attempt)
    {
        var retriers = ((IRecoverableState)state).Retry;
        var attemptsPerRetrier = new int[retriers.Count];
        var retryCount = 0;
        while (true)
        {
            try
            {
                return await attempt(retryCount, ct).ConfigureAwait(false);
            }
            catch (StatesException ex)
            {
                var index = -1;
                for (var i = 0; i < retriers.Count; i++)
                {
                    if (StatesErrors.Matches(retriers[i].ErrorEquals, ex.Error))
                    {
                        index = i;
                        break;
                    }
                }
                if (index < 0 || attemptsPerRetrier[index] >= retriers[index].MaxAttempts)
                    throw;
                // The retry is due a fixed time after the failure, however long this thread takes to get here.
                var due = Now + _engine.Scaled(retriers[index].DelaySeconds(attemptsPerRetrier[index], _engine.Random()));
                attemptsPerRetrier[index]++;
                retryCount++;
                var remaining = due - Now;
                if (remaining > TimeSpan.Zero)
                    await Task.Delay(remaining, _engine.Time, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<JToken> RunTaskAsync(TaskState task, JToken input, Flow flow, CancellationToken ct, DateTimeOffset entered, int retryCount)
    {
        var effective = ApplyInputPath(task, input, entered);
        var parameters = EffectiveParameters(task, effective, entered, retryCount);
        var context = ContextObject(task, entered, retryCount);
        var timeoutSeconds = task.TimeoutSeconds ?? OptionalSeconds(task.TimeoutSecondsPath, effective, context);
        var heartbeatSeconds = task.HeartbeatSeconds ?? OptionalSeconds(task.HeartbeatSecondsPath, effective, context);

        var isLambdaArn = task.Resource.StartsWith("arn:aws:lambda:", StringComparison.Ordinal);
        var (resourceType, resourceName) = DescribeResource(task.Resource);
        var parametersText = JsonText.Print(parameters);
        if (isLambdaArn)
        {
            var scheduled = new JObject { ["resource"] = task.Resource, ["input"] = parametersText, ["inputDetails"] = DataDetails() };
            if (timeoutSeconds is { } t)
                scheduled["timeoutInSeconds"] = t;
            Record(flow, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", scheduled);
            Record(flow, "LambdaFunctionStarted");
        }
        else
        {
            var scheduled = new JObject
            {
                ["resourceType"] = resourceType,
                ["resource"] = resourceName,
                ["region"] = _region,
                ["parameters"] = parametersText,
            };
            if (timeoutSeconds is { } t)
                scheduled["timeoutInSeconds"] = t;
            if (heartbeatSeconds is { } h)
                scheduled["heartbeatInSeconds"] = h;
            Record(flow, "TaskScheduled", "taskScheduledEventDetails", scheduled);
            Record(flow, "TaskStarted", "taskStartedEventDetails", new JObject { ["resourceType"] = resourceType, ["resource"] = resourceName });
        }

        JToken result;
        try
        {
            var resource = _engine.Resources.Find(task.Resource)
                ?? throw new StatesException(StatesErrors.Runtime, $"No local implementation serves the resource '{task.Resource}'.");
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var started = StartInvocation(resource, new TaskRequest(task.Resource, parameters, _region, _accountId, Now), attempt.Token);
            // In-process handlers cannot be interrupted, so a stop or shutdown stops waiting for them instead;
            // whatever the abandoned call ends with is observed here and dropped.
            _ = started.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            var invocation = started.WaitAsync(ct);
            // Local resources never send heartbeats, so a heartbeat shorter than the timeout is the effective limit.
            var (limit, limitError) = heartbeatSeconds is { } hb && (timeoutSeconds is not { } to || hb < to)
                ? ((int?)hb, StatesErrors.HeartbeatTimeout)
                : (timeoutSeconds, StatesErrors.Timeout);
            if (limit is { } seconds)
            {
                var expiry = Task.Delay(_engine.Scaled(seconds), _engine.Time, attempt.Token);
                if (await Task.WhenAny(invocation, expiry).ConfigureAwait(false) != invocation)
                {
                    ct.ThrowIfCancellationRequested();
                    await attempt.CancelAsync().ConfigureAwait(false);
                    var details = new JObject { ["error"] = limitError, ["cause"] = "" };
                    if (isLambdaArn)
                        Record(flow, "LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails", details);
                    else
                        Record(flow, "TaskTimedOut", "taskTimedOutEventDetails", new JObject { ["resourceType"] = resourceType, ["resource"] = resourceName, ["error"] = limitError, ["cause"] = "" });
                    throw new StatesException(limitError, "");
                }
            }
            try
            {
                result = await invocation.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not StatesException && !ct.IsCancellationRequested)
            {
                // A resource that fails outside the error contract still fails only its task, catchably.
                throw new StatesException(StatesErrors.TaskFailed, $"{ex.GetType().Name}: {ex.Message}");
            }
            finally
            {
                // Releases the timeout timer, which would otherwise live until it fires.
                await attempt.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (StatesException ex) when (ex.Error is not (StatesErrors.Timeout or StatesErrors.HeartbeatTimeout) && ex is not HistoryLimitException)
        {
            if (isLambdaArn)
                Record(flow, "LambdaFunctionFailed", "lambdaFunctionFailedEventDetails", ErrorDetails(ex.Error, ex.Cause));
            else
                Record(flow, "TaskFailed", "taskFailedEventDetails", new JObject { ["resourceType"] = resourceType, ["resource"] = resourceName, ["error"] = ex.Error, ["cause"] = ex.Cause });
            throw;
        }

        var resultText = JsonText.Print(result);
        if (isLambdaArn)
            Record(flow, "LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails", new JObject { ["output"] = resultText, ["outputDetails"] = DataDetails() });
        else
            Record(flow, "TaskSucceeded", "taskSucceededEventDetails", new JObject { ["resourceType"] = resourceType, ["resource"] = resourceName, ["output"] = resultText, ["outputDetails"] = DataDetails() });
        CheckPayloadSize(resultText, task.Name);
        return FinishResult(task, input, result, entered, retryCount);
    }

    /// <summary>The resource's task, with an exception thrown before its first await turned into a faulted task.</summary>
    private static Task<JToken> StartInvocation(ITaskResource resource, TaskRequest request, CancellationToken ct)
    {
        try
        {
            return resource.InvokeAsync(request, ct);
        }
        catch (Exception ex)
        {
            return Task.FromException<JToken>(ex);
        }
    }

    private static int? OptionalSeconds(string? path, JToken effective, JToken context)
    {
        if (path is null)
            return null;
        var value = JsonPaths.SelectRequired(effective, context, path, StatesErrors.Runtime, "TimeoutSecondsPath/HeartbeatSecondsPath");
        if (value.Type != JTokenType.Integer || (long)value <= 0)
            throw new StatesException(StatesErrors.Runtime, $"The path '{path}' does not reference a positive integer.");
        return (int)value;
    }

    /// <summary>"arn:aws:states:::dynamodb:putItem" -> ("dynamodb", "putItem"); a Lambda ARN -> ("lambda", the ARN).</summary>
    private static (string Type, string Name) DescribeResource(string resource)
    {
        if (resource.StartsWith("arn:aws:states:::", StringComparison.Ordinal))
        {
            var parts = resource["arn:aws:states:::".Length..].Split(':');
            return (parts[0], string.Join(':', parts.Skip(1)));
        }
        var segments = resource.Split(':');
        return (segments.Length > 2 ? segments[2] : resource, resource);
    }

    private async Task<JToken> RunParallelAsync(ParallelState parallel, JToken input, Flow flow, CancellationToken ct, DateTimeOffset entered, int retryCount,
        Position? durable, IReadOnlyList<Checkpoint>? saved)
    {
        Position[] positions;
        if (saved is not null && saved.Count == parallel.Branches.Count)
        {
            // Resumed after a restart: the state was entered and started before; each branch goes on from its checkpoint.
            positions = saved.Select(branch => new Position(new Flow(branch.LastEventId))
            {
                State = branch.State, Input = branch.Input, WaitUntil = branch.WaitUntil, Output = branch.Output,
            }).ToArray();
        }
        else
        {
            saved = null;
            var effective = ApplyInputPath(parallel, input, entered);
            var parameters = JsonText.Print(EffectiveParameters(parallel, effective, entered, retryCount));
            var started = Record(flow, "ParallelStateStarted");
            positions = parallel.Branches.Select(branch => new Position(new Flow(started)) { State = branch.StartAt, Input = parameters }).ToArray();
        }
        if (durable is not null)
        {
            Move(durable, p => p.Branches = positions);
            await SaveAsync().ConfigureAwait(false);
        }

        using var branchesCancellation = CancellationTokenSource.CreateLinkedTokenSource(ct);
        async Task<JToken> RunBranch(int index)
        {
            var position = positions[index];
            if (position.Output is { } finished)
                return JsonText.Parse(finished);
            var output = await RunMachineAsync(parallel.Branches[index], position.State, JsonText.Parse(position.Input), position.Flow,
                branchesCancellation.Token, durable is null ? null : position, saved?[index]).ConfigureAwait(false);
            if (durable is not null)
            {
                var text = JsonText.Print(output);
                Move(position, p => (p.Output, p.WaitUntil, p.Branches) = (text, null, null));
                await SaveAsync().ConfigureAwait(false);
            }
            return output;
        }
        var branches = Enumerable.Range(0, parallel.Branches.Count).Select(i => Task.Run(() => RunBranch(i), CancellationToken.None)).ToList();

        StatesException? failure = null;
        var pending = branches.ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            if (done.IsFaulted && done.Exception!.InnerException is StatesException ex && failure is null)
            {
                // The first failing branch fails the state; the others are stopped.
                failure = ex;
                await branchesCancellation.CancelAsync().ConfigureAwait(false);
            }
        }
        ct.ThrowIfCancellationRequested();
        if (failure is not null)
        {
            Record(flow, "ParallelStateFailed");
            throw failure;
        }
        var faulted = branches.FirstOrDefault(b => b.IsFaulted);
        if (faulted is not null)
            throw faulted.Exception!.InnerException!;
        Record(flow, "ParallelStateSucceeded");
        var result = new JArray(branches.Select(b => b.Result));
        return FinishResult(parallel, input, result, entered, retryCount);
    }

    private async Task<JToken> RunMapAsync(MapState map, JToken input, Flow flow, CancellationToken ct, DateTimeOffset entered, int retryCount)
    {
        var effective = ApplyInputPath(map, input, entered);
        var context = ContextObject(map, entered, retryCount);
        var items = JsonPaths.SelectRequired(effective, context, map.ItemsPath, StatesErrors.Runtime, "ItemsPath") as JArray
            ?? throw new StatesException(StatesErrors.Runtime, $"The ItemsPath '{map.ItemsPath}' of state '{map.Name}' does not reference an array.");
        var started = Record(flow, "MapStateStarted", "mapStateStartedEventDetails", new JObject { ["length"] = items.Count });

        var inputs = new JToken[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            inputs[i] = map.ItemSelector is { } selector
                ? PayloadTemplate.Apply(selector, effective,
                    ContextObject(map, entered, retryCount, new JObject { ["Index"] = i, ["Value"] = items[i].DeepClone() }), "ItemSelector")
                : items[i].DeepClone();
        }

        var tolerance = map.ToleratedFailureCount is not null || map.ToleratedFailurePercentage is not null;
        using var iterationsCancellation = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var slots = new SemaphoreSlim(map.MaxConcurrency > 0 ? map.MaxConcurrency : Math.Max(1, items.Count));
        var results = new JToken[items.Count];
        var failures = 0;
        StatesException? failure = null;
        var failureLock = new Lock();

        bool ThresholdExceeded()
        {
            if (!tolerance)
                return failures > 0;
            if (map.ToleratedFailureCount is { } count && failures > count)
                return map.ToleratedFailurePercentage is not { } p1 || failures * 100.0 / items.Count > p1;
            if (map.ToleratedFailurePercentage is { } percentage && failures * 100.0 / items.Count > percentage)
                return map.ToleratedFailureCount is not { } c1 || failures > c1;
            return false;
        }

        async Task RunIteration(int index)
        {
            await slots.WaitAsync(iterationsCancellation.Token).ConfigureAwait(false);
            try
            {
                var iterationFlow = new Flow(started);
                var details = new JObject { ["name"] = map.Name, ["index"] = index };
                Record(iterationFlow, "MapIterationStarted", "mapIterationStartedEventDetails", details);
                try
                {
                    results[index] = await RunMachineAsync(map.ItemProcessor, map.ItemProcessor.StartAt, inputs[index], iterationFlow,
                        iterationsCancellation.Token).ConfigureAwait(false);
                    Record(iterationFlow, "MapIterationSucceeded", "mapIterationSucceededEventDetails", (JObject)details.DeepClone());
                }
                catch (StatesException ex) when (ex is not HistoryLimitException)
                {
                    Record(iterationFlow, "MapIterationFailed", "mapIterationFailedEventDetails", (JObject)details.DeepClone());
                    results[index] = new JObject { ["Error"] = ex.Error, ["Cause"] = ex.Cause };
                    lock (failureLock)
                    {
                        failures++;
                        if (failure is null && ThresholdExceeded())
                        {
                            failure = tolerance
                                ? new StatesException(StatesErrors.ExceedToleratedFailureThreshold, $"The specified tolerated failure threshold was exceeded ({failures} of {items.Count} items failed).")
                                : ex;
                            iterationsCancellation.Cancel();
                        }
                    }
                }
            }
            finally
            {
                slots.Release();
            }
        }

        var iterations = Enumerable.Range(0, items.Count).Select(i => Task.Run(() => RunIteration(i), CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(iterations).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (failure is not null && !ct.IsCancellationRequested)
        {
            // Iterations stopped because the map already failed.
        }
        ct.ThrowIfCancellationRequested();
        var unexpected = iterations.FirstOrDefault(t => t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException);
        if (unexpected is not null)
            throw unexpected.Exception!.InnerException!;
        if (failure is not null)
        {
            Record(flow, "MapStateFailed");
            throw failure;
        }
        Record(flow, "MapStateSucceeded");
        return FinishResult(map, input, new JArray(results), entered, retryCount);
    }
}
