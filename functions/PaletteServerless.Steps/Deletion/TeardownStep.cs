using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Deletion;

/// <summary>
/// One teardown pass (delete, and rollback of a failed create). Counts passes that removed
/// nothing, so the workflow can stop after a bound and say what blocks, instead of looping forever;
/// and says how long to wait before the next pass: the typical latency of what this pass started
/// (an instance terminating, a NAT gateway deleting), else kOps' 10 s cadence.
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
        var previous = step.Input.Teardown;
        var stalled = previous?.Remaining == result.Remaining && !result.Done ? (previous.StalledPasses ?? 0) + 1 : 0;
        if (!result.Done && cluster.Status == ClusterStatus.Deleting)
        {
            var blockers = result.Blockers.Count > 0 ? $"; blocked by: {string.Join("; ", result.Blockers)}" : "";
            await runtime.Status.ExplainAsync(step.Scope, cluster.Name, cluster.Uid,
                $"deleting: {result.Remaining} resource(s) left; waiting for: {string.Join("; ", result.WaitingFor.Concat(result.Errors))}{blockers}", ct);
            if (result.Blockers.Count > 0 && (previous?.Blockers ?? []).Count != result.Blockers.Count)
                await runtime.Status.AddEventAsync(cluster, "Warning", "DeleteBlocked", "not ours and in the way: " + string.Join("; ", result.Blockers), ct);
        }
        return new StepResult
        {
            Done = result.Done,
            Remaining = result.Remaining,
            StalledPasses = stalled,
            WaitingFor = result.WaitingFor,
            Blockers = result.Blockers,
            Errors = result.Errors,
            WaitSeconds = WaitSecondsFor(result),
        };
    });

    /// <summary>The condition a rollback sets before it lists what the failed create made.</summary>
    public const string RollingBackCondition = "RollingBack";

    /// <summary>The Wait before the next pass, in whole seconds: none when done, what the pass expects, else the poll cadence.</summary>
    public static int WaitSecondsFor(TeardownResult result) =>
        result.Done ? 0 : (int)Math.Ceiling((result.ExpectedDoneIn ?? TypicalLatency.Poll).TotalSeconds);
}
