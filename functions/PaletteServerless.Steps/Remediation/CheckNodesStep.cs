namespace PaletteServerless.Steps.Remediation;

/// <summary>
/// The head of every remediation pass: judge the cluster's nodes afresh (what happened since the run began counts),
/// record whether a pool is paused, and hand on the next replacement, or Done when there is none.
/// </summary>
public sealed class CheckNodesStep(StepRuntime runtime)
{
    public CheckNodesStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await RemediationRun.OwnedAsync(step, ct);
        var (decision, _) = await RemediationRun.DecideAsync(step, cluster, ct);
        await RemediationRun.ReportPauseAsync(step, cluster, decision, ct);
        var next = decision.Replacements.FirstOrDefault();
        return next is null
            ? new StepResult { Done = true }
            : new StepResult { Done = false, Replacement = RemediationRun.Message(next, RemediationRun.CheckOf(cluster, next.Pool)) };
    });
}
