using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Manifest;

namespace PaletteServerless.Steps.Remediation;

/// <summary>
/// Has the replacement reported Ready (NodePhases), and a control-plane one joined the API load balancer? One that
/// failed instead is terminated and reported: this replacement stops (the pass's others go on) and the run ends after the pass.
/// </summary>
public sealed class ReplacementReadyStep(StepRuntime runtime)
{
    public ReplacementReadyStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await RemediationRun.OwnedAsync(step, ct);
        var replacement = RemediationRun.Current(step);
        var newId = replacement.NewInstanceId ?? throw new ArgumentException("the replacement has no new instance yet");
        var resources = await step.ResourcesAsync(ct);
        var (progress, detail) = await new NodeRemediation(resources, new NodePoolKind(resources))
            .CheckAsync(newId, replacement.Role, RemediationRun.CheckOf(cluster, replacement.Pool), ct);
        switch (progress)
        {
            case ReplacementProgress.Ready:
                return new StepResult { Ready = true, Done = false, Replacement = replacement };
            case ReplacementProgress.Starting:
                return new StepResult { Ready = false, Done = false, Replacement = replacement, WaitSeconds = 15 };
        }
        var message = $"the replacement {newId} of pool {replacement.Pool} failed ({detail}) and was terminated; {replacement.Reason}; the next health check tries again";
        await runtime.Status.AddEventAsync(cluster, "Warning", "ReplacementFailed", message, ct);
        await RemediationRun.PublishAsync(step, cluster, ClusterEvents.NodeRemediationDetailType, replacement.Pool, "ReplacementFailed",
            replacement.OldInstanceId, newId, replacement.Zone, message, ct);
        return new StepResult { Ready = false, Done = true };
    });
}
