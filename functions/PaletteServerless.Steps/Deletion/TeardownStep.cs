using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Deletion;

/// <summary>
/// One teardown pass (delete, and rollback of a failed create). Counts passes that removed
/// nothing, so the workflow can stop after a bound and say what blocks, instead of looping forever;
/// and says how long to wait before the next pass: the typical latency of what this pass started
/// (an instance terminating, a NAT gateway deleting), else kOps' 10 s cadence. In a delete the
/// loop also carries the force-delete timer (<see cref="ForceDeleteTimer"/>), so no branch beside
/// it has to be stopped when the teardown ends. The pass that finds a deleting cluster's last resource
/// gone moves it to Deleted itself: a step of its own after it would only lengthen every delete.
/// </summary>
public sealed class TeardownStep(StepRuntime runtime)
{
    public TeardownStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await step.ClusterAsync(ct);
        if (cluster.Status != ClusterStatus.Deleting && !cluster.Conditions.Any(c => c.Type == RollingBackCondition))
        {
            // Written before the first listing: a step of the failed create that is still running
            // (a Parallel's other branches are stopped, their Lambdas are not) checks for it after it
            // stores what no dependency would bring back to this listing (secret parameters).
            await step.SetConditionAsync(RollingBackCondition, false, "CreateFailed", "the create failed: removing what it made", ct);
        }
        var result = await new Teardown(await step.ResourcesAsync(ct)).PassAsync(ct);
        var deleting = cluster.Status == ClusterStatus.Deleting;
        var previous = step.Input.Teardown;
        if (!result.Done && deleting)
        {
            var blockers = result.Blockers.Count > 0 ? $"; blocked by: {string.Join("; ", result.Blockers)}" : "";
            await runtime.Status.ExplainAsync(step.Scope, cluster.Name, cluster.Uid,
                $"deleting: {result.Remaining} resource(s) left; waiting for: {string.Join("; ", result.WaitingFor.Concat(result.Errors))}{blockers}", ct);
            if (result.Blockers.Count > 0 && (previous?.Blockers ?? []).Count != result.Blockers.Count)
                await runtime.Status.AddEventAsync(cluster, "Warning", "DeleteBlocked", "not ours and in the way: " + string.Join("; ", result.Blockers), ct);
        }
        if (result.Done && deleting)
            await MarkDeletedAsync(step, cluster, ct);
        var timer = deleting ? ForceDeleteTimer.After(previous, cluster.ForceDeleteAvailableAt, runtime.Clock.GetUtcNow()) : null;
        return Loop(result, previous, timer, runtime.Clock.GetUtcNow()) with
        {
            WaitingFor = result.WaitingFor,
            Blockers = result.Blockers,
            Errors = result.Errors,
        };
    });

    /// <summary>
    /// Deleting -> Deleted: everything the cluster owned is gone (its virtual clusters' parameters went with everything under
    /// its path); its virtual cluster records are removed first, so a retry finds none; the cluster's record stays 72 hours
    /// for includeDeleted=true. Safe to repeat: a retried pass finds nothing left and the cluster already Deleted.
    /// </summary>
    private async Task MarkDeletedAsync(StepContext step, Cluster cluster, CancellationToken ct)
    {
        if (runtime.VirtualClusters is { } virtualClusters)
            await virtualClusters.RemoveAllAsync(cluster, ct);
        await runtime.Status.MoveAsync(step.Scope, cluster.Name, cluster.Uid, ClusterStatus.Deleted, "every resource of the cluster was removed", ct);
    }

    /// <summary>Passes without progress after which a teardown loop stops (about seven minutes at the poll cadence).</summary>
    public const int StalledPassLimit = 42;

    /// <summary>
    /// What the loop's Choice reads after a pass: done, given up, or the Wait before the next pass.
    /// A delete's loop (a <paramref name="timer"/>) never gives up before force delete has opened:
    /// a stalled delete waits out the timer in one Wait instead, and no Wait runs past the moment
    /// force delete is due.
    /// </summary>
    public static StepResult Loop(TeardownResult result, StepResult? previous, ForceDeleteTimer? timer, DateTimeOffset now)
    {
        var stalled = previous?.Remaining == result.Remaining && !result.Done ? (previous.StalledPasses ?? 0) + 1 : 0;
        var stalledOut = stalled >= StalledPassLimit;
        var wait = WaitSecondsFor(result, now);
        var gaveUp = !result.Done && stalledOut;
        if (timer is { SecondsLeft: > 0 } pending && !result.Done)
        {
            gaveUp = false;
            wait = stalledOut ? pending.SecondsLeft : Math.Min(wait, pending.SecondsLeft);
        }
        else if (timer is { Due: true })
        {
            // The Choice opens force delete first; the pass after that one may give up.
            gaveUp = false;
        }
        return new StepResult
        {
            Done = result.Done,
            Remaining = result.Remaining,
            StalledPasses = stalled,
            WaitSeconds = wait,
            GaveUp = gaveUp,
            SecondsUntilForceDelete = timer?.SecondsLeft,
            ForceDeleteDue = timer?.Due ?? false,
        };
    }

    /// <summary>The condition a rollback sets before it lists what the failed create made.</summary>
    public const string RollingBackCondition = "RollingBack";

    /// <summary>
    /// The Wait before the next pass, in whole seconds, from <paramref name="now"/> (the step's end): none
    /// when done, until what the pass expects done (at least a second), else the poll cadence.
    /// </summary>
    public static int WaitSecondsFor(TeardownResult result, DateTimeOffset now) =>
        result.Done ? 0
        : result.ExpectedDoneAt is { } at ? Math.Max(1, (int)Math.Ceiling((at - now).TotalSeconds))
        : (int)Math.Ceiling(TypicalLatency.Poll.TotalSeconds);
}
