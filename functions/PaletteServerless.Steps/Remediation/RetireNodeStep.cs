using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Manifest;

namespace PaletteServerless.Steps.Remediation;

/// <summary>
/// The replacement is up (or none was needed): terminates what is left of the old node, marked retiring first so
/// its termination events are known as the product's own, and records the replacement as a cluster event and a
/// bus event.
/// </summary>
public sealed class RetireNodeStep(StepRuntime runtime)
{
    public RetireNodeStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await RemediationRun.OwnedAsync(step, ct);
        var replacement = RemediationRun.Current(step);
        if (replacement.OldInstanceId is { } old)
        {
            var resources = await step.ResourcesAsync(ct);
            await new NodeRemediation(resources, new NodePoolKind(resources)).RetireAsync(old, replacement.Role, ct);
        }
        var (outcome, message) = (replacement.OldInstanceId, replacement.NewInstanceId) switch
        {
            ({ } o, { } n) => ("Replaced", $"node {o} of pool {replacement.Pool} was replaced by {n} in {replacement.Zone}: {replacement.Reason}"),
            ({ } o, null) => ("Retired", $"node {o} of pool {replacement.Pool} was retired, the pool has its count without it: {replacement.Reason}"),
            (null, var n) => ("Replaced", $"pool {replacement.Pool} was short of a node: {n} was launched in {replacement.Zone}"),
        };
        await runtime.Status.AddEventAsync(cluster, "Normal", "NodeReplaced", message, ct);
        await RemediationRun.PublishAsync(step, cluster, ClusterEvents.NodeRemediationDetailType, replacement.Pool, outcome,
            replacement.OldInstanceId, replacement.NewInstanceId, replacement.Zone, message, ct);
        return new StepResult { Done = false };
    });
}
