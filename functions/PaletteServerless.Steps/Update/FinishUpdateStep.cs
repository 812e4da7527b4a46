using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Update;

/// <summary>
/// Revokes the security-group rules the CNI no longer needs, then Updating -> Running with the generation reached, in one conditional write that also checks no newer generation
/// was accepted meanwhile; if one was, the run goes round again instead (Done = false) and converges to it.
/// </summary>
public sealed class FinishUpdateStep(StepRuntime runtime)
{
    public FinishUpdateStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var generation = step.Input.Update?.Generation ?? throw new ArgumentException("the step input has no update generation");
        await RevokeUnneededRulesAsync(step, ct);
        try
        {
            await runtime.Status.MoveAsync(step.Scope, step.Input.Cluster, step.Input.Uid, ClusterStatus.Running, $"generation {generation} applied", ct,
                cluster => cluster.Generation > generation
                    ? throw new NewerGenerationException()
                    : runtime.Status.WithCondition(cluster, "Updated", true, "Applied", $"generation {generation} applied to every node pool") with
                    {
                        ObservedGeneration = generation,
                        AppliedFingerprints = ClusterUpdates.Fingerprints(cluster.Definition),
                        AppliedTags = new Dictionary<string, string>(cluster.Definition.Tags, StringComparer.Ordinal),
                    });
        }
        catch (NewerGenerationException)
        {
            return new StepResult { Done = false };
        }
        return new StepResult { Done = true };
    });

    /// <summary>
    /// Every pool has rolled: the rules between the nodes' groups that the CNI's old values needed and its
    /// current ones do not (StartUpdateStep added the new ones) are revoked. A failure here is reported and
    /// leaves extra rules behind, never a failed update: the nodes already work.
    /// </summary>
    private async Task RevokeUnneededRulesAsync(StepContext step, CancellationToken ct)
    {
        var cluster = await step.ClusterAsync(ct);
        if (cluster.Status != ClusterStatus.Updating)
            return;
        try
        {
            var resources = await step.ResourcesAsync(ct);
            var changes = await new SecurityGroupKind(resources).ReconcileAsync(SecurityGroupKind.TrafficOf(cluster, await step.ProfileAsync(ct)), revokeUnneeded: true, ct);
            if (changes.Count > 0)
                await runtime.Status.AddEventAsync(cluster, "Normal", "SecurityGroupRulesUpdated", $"the rules between the nodes' security groups changed for the pod network: {string.Join(", ", changes)}", ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await runtime.Status.AddEventAsync(cluster, "Warning", "SecurityGroupRulesNotRevoked", $"rules the pod network no longer needs were kept: {ex.Message}", ct);
        }
    }

    private sealed class NewerGenerationException : Exception;
}
