namespace PaletteServerless.Domain.Patching;

/// <summary>
/// One OS patch run of a cluster (<c>settings.patchSchedule</c>, or a patch asked for now): when it started and
/// ended, how it ended, and each node it patched in place. The cluster keeps its last run (<c>lastOsPatch</c>).
/// </summary>
public sealed record OsPatchRun
{
    public const string Running = "Running";
    public const string Completed = "Completed";
    public const string Failed = "Failed";

    /// <summary>Names the run on the nodes (their report tag) and in the request they read; unique per cluster.</summary>
    public required string Id { get; init; }
    /// <summary>What started it: the schedule's occurrence, or who asked.</summary>
    public required string Trigger { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>The schedule's occurrence it is for (the scheduled event's time), or null for a run asked for now.</summary>
    public DateTimeOffset? Occurrence { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary><see cref="Running"/>, <see cref="Completed"/> or <see cref="Failed"/>.</summary>
    public required string Result { get; init; }
    /// <summary>The nodes running when the run began, in the order they are patched.</summary>
    public List<OsPatchNode> Nodes { get; init; } = [];
    /// <summary>How it ended, as a sentence (a failure names the nodes and why).</summary>
    public string? Message { get; init; }

    public int NodesPatched => Nodes.Count(n => n.State == OsPatchNode.Patched);

    /// <summary>How long a run may go on before the scheduled check no longer waits for it (the workflow's own timeout is shorter).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(7);

    public bool IsRunning(DateTimeOffset now) => Result == Running && now - StartedAt < StaleAfter;
}

/// <summary>One node of a patch run.</summary>
public sealed record OsPatchNode
{
    public const string Waiting = "Waiting";
    public const string Patching = "Patching";
    public const string Patched = "Patched";
    public const string Failed = "Failed";
    /// <summary>The node went away during the run (replaced, scaled in): nothing to patch.</summary>
    public const string Gone = "Gone";

    public required string InstanceId { get; init; }
    public required string Pool { get; init; }
    public required string State { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>What the node reported: how many updates, whether it rebooted; or why it failed.</summary>
    public string? Message { get; init; }
}
