using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Deletion;

/// <summary>
/// The delete's 15-minute force-delete timer (product doc), carried by the teardown loop from pass
/// to pass. Two clocks count down and the first to reach zero wins: the seconds the loop's own Waits
/// have waited (what Step Functions times, so a time-scaled local engine shortens it too), and the
/// cluster's stored ForceDeleteAvailableAt on the step's clock (which also counts the time the passes
/// themselves took). Neither can run out before 15 minutes of Deleting: the loop starts after the
/// cluster became Deleting, and its Waits are part of the time since.
/// </summary>
public sealed record ForceDeleteTimer(int SecondsLeft, bool Due)
{
    public static readonly int DelaySeconds = (int)ClusterService.ForceDeleteDelay.TotalSeconds;

    /// <summary>The timer after the Wait that followed <paramref name="previous"/> (none: the delete's first pass).</summary>
    public static ForceDeleteTimer After(StepResult? previous, DateTimeOffset? availableAt, DateTimeOffset now)
    {
        var byWaits = previous?.SecondsUntilForceDelete is { } before
            ? Math.Max(0, before - (previous.WaitSeconds ?? 0))
            : DelaySeconds;
        var byClock = availableAt is { } at ? Math.Max(0, (int)Math.Ceiling((at - now).TotalSeconds)) : byWaits;
        var left = Math.Min(byWaits, byClock);
        // Due exactly once: on the first pass that finds no time left.
        var due = left == 0 && (previous?.SecondsUntilForceDelete ?? 1) > 0;
        return new ForceDeleteTimer(left, due);
    }
}
