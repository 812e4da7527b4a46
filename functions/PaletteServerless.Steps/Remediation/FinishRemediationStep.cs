using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Steps.Provisioning;

namespace PaletteServerless.Steps.Remediation;

/// <summary>
/// Every way out of a remediation run ends here: the run releases the cluster's lock (if it still holds it), and a
/// run that failed says why in an event. A cluster that is gone has nothing to release.
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
                await RemediationLock.ReleaseAsync(runtime.Clusters, cluster, execution, ct);
            if (step.Input.Error is { } error && error.Error != nameof(ClusterStateChangedException))
                await runtime.Status.AddEventAsync(cluster, "Warning", "RemediationFailed",
                    $"the remediation run failed: {MarkFailedStep.Reason(error)}; the next health check tries again", ct);
        }
        catch (ClusterStateChangedException)
        {
            // Deleted meanwhile: no lock left to release.
        }
        return StepResult.Finished;
    });
}
