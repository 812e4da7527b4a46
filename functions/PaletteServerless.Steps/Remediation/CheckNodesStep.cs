namespace PaletteServerless.Steps.Remediation;

/// <summary>
/// The head of every remediation pass: judge the cluster's nodes afresh (what happened since the run began counts),
/// record whether a pool is paused, and hand on every replacement the planner decided (at most <see cref="MaxPerPass"/>),
/// which the workflow then works on side by side; Done when there is none.
/// </summary>
public sealed class CheckNodesStep(StepRuntime runtime)
{
    /// <summary>
    /// The replacements one pass hands on: the state stays small (Step Functions payloads stop at 256 KB) and a pass's
    /// history bounded; more failed nodes are taken by the next pass, which judges the nodes again.
    /// </summary>
    public const int MaxPerPass = 20;

    public CheckNodesStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await RemediationRun.OwnedAsync(step, ct);
        var (decision, _) = await RemediationRun.DecideAsync(step, cluster, ct);
        await RemediationRun.ReportPauseAsync(step, cluster, decision, ct);
        var pass = step.Input.Passes?.N ?? 0;
        var replacements = decision.Replacements.Take(MaxPerPass)
            .Select((next, index) => RemediationRun.Message(next, RemediationRun.CheckOf(cluster, next.Pool)) with
            {
                // Unique in the run: a node missing from a pool has no old instance to tell its launch apart by.
                Slot = next.OldInstanceId is null ? pass * MaxPerPass + index : null,
            })
            .ToList();
        return replacements.Count == 0
            ? new StepResult { Done = true }
            : new StepResult { Done = false, Replacements = replacements };
    });
}
