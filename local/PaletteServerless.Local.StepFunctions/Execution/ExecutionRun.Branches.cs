using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Local.StepFunctions.Execution;

// Parallel and Map: branches and iterations with their own flows of events.
internal sealed partial class ExecutionRun
{
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

    /// <summary>
    /// A checkpoint holds every iteration of a durable Map, so it grows with the item count; past this
    /// many items a Map is not checkpointed per iteration (DynamoDB items stop at 400 KB) and runs
    /// again from its start after a restart.
    /// </summary>
    public const int MaxDurableMapItems = 100;

    private async Task<JToken> RunMapAsync(MapState map, JToken input, Flow flow, CancellationToken ct, DateTimeOffset entered, int retryCount,
        Position? durable, IReadOnlyList<Checkpoint>? saved)
    {
        var effective = ApplyInputPath(map, input, entered);
        var context = ContextObject(map, entered, retryCount);
        var items = JsonPaths.SelectRequired(effective, context, map.ItemsPath, StatesErrors.Runtime, "ItemsPath") as JArray
            ?? throw new StatesException(StatesErrors.Runtime, $"The ItemsPath '{map.ItemsPath}' of state '{map.Name}' does not reference an array.");

        Position[] positions;
        if (saved is not null && saved.Count == items.Count)
        {
            // Resumed after a restart: finished iterations keep their results, the others go on from their checkpoints.
            positions = saved.Select(iteration => new Position(new Flow(iteration.LastEventId))
            {
                State = iteration.State, Input = iteration.Input, WaitUntil = iteration.WaitUntil, Output = iteration.Output, Failed = iteration.Failed,
            }).ToArray();
        }
        else
        {
            saved = null;
            var started = Record(flow, "MapStateStarted", "mapStateStartedEventDetails", new JObject { ["length"] = items.Count });
            positions = new Position[items.Count];
            for (var i = 0; i < items.Count; i++)
            {
                var itemInput = map.ItemSelector is { } selector
                    ? PayloadTemplate.Apply(selector, effective,
                        ContextObject(map, entered, retryCount, new JObject { ["Index"] = i, ["Value"] = items[i].DeepClone() }), "ItemSelector")
                    : items[i];
                // An empty State marks an iteration that has not started yet.
                positions[i] = new Position(new Flow(started)) { Input = JsonText.Print(itemInput) };
            }
        }
        var durableMap = durable is not null && items.Count <= MaxDurableMapItems;
        if (durableMap)
        {
            Move(durable!, p => p.Branches = positions);
            await SaveAsync().ConfigureAwait(false);
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

        void CountFailure(StatesException ex)
        {
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

        // Iterations take their slots in item order (AWS: with MaxConcurrency 1 the items are processed in the order they appear).
        var slotTaken = positions.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();

        async Task RunIteration(int index)
        {
            var position = positions[index];
            if (position.Output is { } finished)
            {
                slotTaken[index].TrySetResult();
                results[index] = JsonText.Parse(finished);
                if (position.Failed)
                    CountFailure(new StatesException((string?)results[index]["Error"] ?? "", (string?)results[index]["Cause"] ?? ""));
                return;
            }
            try
            {
                if (index > 0)
                    await slotTaken[index - 1].Task.ConfigureAwait(false);
                await slots.WaitAsync(iterationsCancellation.Token).ConfigureAwait(false);
            }
            finally
            {
                slotTaken[index].TrySetResult();
            }
            try
            {
                var details = new JObject { ["name"] = map.Name, ["index"] = index };
                var startAt = position.State;
                if (startAt.Length == 0)
                {
                    Record(position.Flow, "MapIterationStarted", "mapIterationStartedEventDetails", details);
                    startAt = map.ItemProcessor.StartAt;
                }
                try
                {
                    results[index] = await RunMachineAsync(map.ItemProcessor, startAt, JsonText.Parse(position.Input), position.Flow,
                        iterationsCancellation.Token, durableMap ? position : null, saved?[index]).ConfigureAwait(false);
                    Record(position.Flow, "MapIterationSucceeded", "mapIterationSucceededEventDetails", (JObject)details.DeepClone());
                }
                catch (StatesException ex) when (ex is not HistoryLimitException)
                {
                    Record(position.Flow, "MapIterationFailed", "mapIterationFailedEventDetails", (JObject)details.DeepClone());
                    results[index] = new JObject { ["Error"] = ex.Error, ["Cause"] = ex.Cause };
                    Move(position, p => p.Failed = true);
                    CountFailure(ex);
                }
                if (durableMap)
                {
                    var text = JsonText.Print(results[index]);
                    Move(position, p => (p.Output, p.WaitUntil, p.Branches) = (text, null, null));
                    await SaveAsync().ConfigureAwait(false);
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
