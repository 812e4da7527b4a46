using PaletteServerless.Aws.Observability;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Manifest;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Steps.Provisioning;

namespace PaletteServerless.Steps.Remediation;

/// <summary>
/// Every way out of a remediation run ends here: the run releases the cluster's lock (if it still holds it), and a
/// run that failed says why in an event. A cluster that is gone has nothing to release. A run that ends normally
/// while requests came in (<see cref="RemediationLock.FinishAsync"/>) keeps the lock and answers <c>done: false</c>:
/// the workflow judges the nodes again.
/// </summary>
public sealed class FinishRemediationStep(StepRuntime runtime)
{
    public FinishRemediationStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        try
        {
            var cluster = await step.ClusterAsync(ct);
            if (step.Input.Execution is { } execution)
            {
                // Only a run that ends normally and within its bounds judges again; a failed one lets go.
                var mayJudgeAgain = step.Input.Error is null
                    && (step.Input.Passes is not { } passes || (passes.N < MaxPasses - 1 && passes.Replaced < MaxReplaced));
                if (await RemediationLock.FinishAsync(runtime.Clusters, cluster, execution, mayJudgeAgain, ct) == RemediationFinish.JudgeAgain)
                {
                    JsonLog.Write("INFO", $"cluster {cluster.Name}: requests came in during the remediation run: judging the nodes again", JsonLog.Of(cluster, execution));
                    return new StepResult { Ready = true, Done = false };
                }
            }
            var finished = new Dictionary<string, double> { [ProductMetrics.RemediationsFinished] = 1 };
            if (step.Input.Passes?.StartedAt is { } started)
                finished[ProductMetrics.RemediationDuration] = (runtime.Clock.GetUtcNow() - started).TotalMilliseconds;
            JsonLog.Metric($"cluster {cluster.Name}: remediation run finished", finished, JsonLog.Of(cluster, step.Input.Execution), clock: runtime.Clock);
            if (step.Input.Error is { } error && error.Error != nameof(ClusterStateChangedException))
                await runtime.Status.AddEventAsync(cluster, "Warning", "RemediationFailed",
                    $"the remediation run failed: {MarkFailedStep.Reason(error)}; the next health check tries again", ct);
        }
        catch (ClusterStateChangedException)
        {
            // Deleted meanwhile: no lock left to release.
        }
        return new StepResult { Ready = true, Done = true };
    });

    /// <summary>The run's bounds, as its definition's AnythingToReplace choice has them: past them the run ends.</summary>
    public const int MaxPasses = 50;
    public const int MaxReplaced = 100;
}
