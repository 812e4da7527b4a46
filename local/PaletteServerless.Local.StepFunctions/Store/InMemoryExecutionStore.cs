namespace PaletteServerless.Local.StepFunctions.Store;

/// <summary>The store for unit tests and benchmarks: everything in process memory.</summary>
public sealed class InMemoryExecutionStore : IExecutionStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StateMachineRecord> _machines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExecutionRecord> _executions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<HistoryEvent>> _histories = new(StringComparer.Ordinal);

    public Task PutStateMachineAsync(StateMachineRecord machine, CancellationToken ct)
    {
        lock (_lock)
            _machines[machine.StateMachineArn] = machine;
        return Task.CompletedTask;
    }

    public Task<StateMachineRecord?> GetStateMachineAsync(string stateMachineArn, CancellationToken ct)
    {
        lock (_lock)
            return Task.FromResult(_machines.GetValueOrDefault(stateMachineArn));
    }

    public Task<IReadOnlyList<StateMachineRecord>> ListStateMachinesAsync(CancellationToken ct)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<StateMachineRecord>>(_machines.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToList());
    }

    public Task DeleteStateMachineAsync(string stateMachineArn, CancellationToken ct)
    {
        lock (_lock)
            _machines.Remove(stateMachineArn);
        return Task.CompletedTask;
    }

    public Task<ExecutionRecord?> TryCreateExecutionAsync(ExecutionRecord execution, IReadOnlyList<HistoryEvent> events, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_executions.TryGetValue(execution.ExecutionArn, out var existing))
                return Task.FromResult<ExecutionRecord?>(existing);
            _executions[execution.ExecutionArn] = execution;
            _histories[execution.ExecutionArn] = [.. events];
            return Task.FromResult<ExecutionRecord?>(null);
        }
    }

    public Task SaveExecutionAsync(ExecutionRecord execution, IReadOnlyList<HistoryEvent> newEvents, CancellationToken ct)
    {
        lock (_lock)
        {
            if (!_executions.TryGetValue(execution.ExecutionArn, out var stored) || stored.Version != execution.Version - 1)
                throw new ConcurrentUpdateException($"Execution {execution.ExecutionArn} was changed by someone else.");
            var history = _histories[execution.ExecutionArn];
            // Same rule as the durable store: events beyond the saved count are leftovers and get overwritten.
            history.RemoveRange((int)stored.HistoryCount, history.Count - (int)stored.HistoryCount);
            history.AddRange(newEvents);
            _executions[execution.ExecutionArn] = execution;
        }
        return Task.CompletedTask;
    }

    public Task<ExecutionRecord?> GetExecutionAsync(string executionArn, CancellationToken ct)
    {
        lock (_lock)
            return Task.FromResult(_executions.GetValueOrDefault(executionArn));
    }

    public Task<IReadOnlyList<ExecutionRecord>> ListExecutionsAsync(string? stateMachineArn, string? status, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ExecutionRecord>>(_executions.Values
                .Where(e => stateMachineArn is null || e.StateMachineArn == stateMachineArn)
                .Where(e => status is null || e.Status == status)
                .OrderByDescending(e => e.StartDate)
                .ToList());
        }
    }

    public Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string executionArn, CancellationToken ct)
    {
        lock (_lock)
        {
            if (!_executions.TryGetValue(executionArn, out var execution))
                return Task.FromResult<IReadOnlyList<HistoryEvent>>([]);
            return Task.FromResult<IReadOnlyList<HistoryEvent>>(_histories[executionArn].Take((int)execution.HistoryCount).ToList());
        }
    }
}
