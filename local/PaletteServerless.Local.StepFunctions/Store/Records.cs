using Newtonsoft.Json.Linq;

namespace PaletteServerless.Local.StepFunctions.Store;

public sealed record StateMachineRecord(
    string StateMachineArn,
    string Name,
    string Definition,
    string RoleArn,
    string Type,
    DateTimeOffset CreationDate);

/// <summary>Execution statuses as the API names them.</summary>
public static class ExecutionStatus
{
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string TimedOut = "TIMED_OUT";
    public const string Aborted = "ABORTED";
}

/// <summary>
/// Where a running machine resumes: the state to enter next with its input; or, when
/// <see cref="WaitUntil"/> is set, a Wait state already entered that ends at that instant; or, when
/// <see cref="Branches"/> is set, a Parallel or Map state already started whose branches or
/// iterations resume from their own checkpoints (one with <see cref="Output"/> has finished, with
/// <see cref="Failed"/> if that output is a Map iteration's error; a Map iteration with an empty
/// <see cref="State"/> has not started). <see cref="LastEventId"/> is the machine's last history
/// event, the next one's previousEventId.
/// </summary>
public sealed record Checkpoint(
    string State,
    string Input,
    DateTimeOffset? WaitUntil,
    IReadOnlyList<Checkpoint>? Branches = null,
    string? Output = null,
    long LastEventId = 0,
    bool Failed = false);

/// <summary>
/// One execution. <see cref="HistoryCount"/> says how many history events belong to it: events are
/// written before the record, so events past that count are leftovers of a crash and are ignored.
/// <see cref="Version"/> increases with every save (optimistic concurrency).
/// </summary>
public sealed record ExecutionRecord(
    string ExecutionArn,
    string StateMachineArn,
    string Name,
    string Input,
    string Definition,
    string RoleArn,
    string Status,
    DateTimeOffset StartDate,
    DateTimeOffset? StopDate,
    string? Output,
    string? Error,
    string? Cause,
    Checkpoint? Checkpoint,
    long HistoryCount,
    long Version);

/// <summary>A history event; <see cref="Details"/> is the body of the "…EventDetails" member named <see cref="DetailsName"/>.</summary>
public sealed record HistoryEvent(
    long Id,
    long PreviousEventId,
    DateTimeOffset Timestamp,
    string Type,
    string? DetailsName,
    JObject? Details);

public sealed class ExecutionAlreadyExistsException(string message) : Exception(message);

public sealed class ConcurrentUpdateException(string message) : Exception(message);

/// <summary>Durable state of the engine: state machines, executions and their histories.</summary>
public interface IExecutionStore
{
    Task PutStateMachineAsync(StateMachineRecord machine, CancellationToken ct);
    Task<StateMachineRecord?> GetStateMachineAsync(string stateMachineArn, CancellationToken ct);
    Task<IReadOnlyList<StateMachineRecord>> ListStateMachinesAsync(CancellationToken ct);
    Task DeleteStateMachineAsync(string stateMachineArn, CancellationToken ct);

    /// <summary>Creates the execution with its first events, or returns the execution that already has that ARN.</summary>
    Task<ExecutionRecord?> TryCreateExecutionAsync(ExecutionRecord execution, IReadOnlyList<HistoryEvent> events, CancellationToken ct);

    /// <summary>
    /// Appends <paramref name="newEvents"/> and then replaces the record, only if the stored version is
    /// <c>execution.Version - 1</c>; otherwise throws <see cref="ConcurrentUpdateException"/>.
    /// </summary>
    Task SaveExecutionAsync(ExecutionRecord execution, IReadOnlyList<HistoryEvent> newEvents, CancellationToken ct);

    Task<ExecutionRecord?> GetExecutionAsync(string executionArn, CancellationToken ct);
    Task<IReadOnlyList<ExecutionRecord>> ListExecutionsAsync(string? stateMachineArn, string? status, CancellationToken ct);
    Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string executionArn, CancellationToken ct);
}
