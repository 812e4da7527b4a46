using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Update;

/// <summary>
/// Writes the cluster's desired in-cluster state (packs with their values, RBAC bindings) at its current
/// generation, once the control plane has rolled: the control planes' agent applies it in place while the worker pools roll (a change of pack values,
/// addons or settings.rbac replaces no node). The workflow then polls <see cref="PacksCheckStep"/>.
/// </summary>
public sealed class ApplyPacksStep(StepRuntime runtime)
{
    public ApplyPacksStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await step.ClusterAsync(ct);
        if (cluster.Status != ClusterStatus.Updating)
            throw new ClusterStateChangedException($"cluster {cluster.Name} is {cluster.Status}, not Updating: this update run is over");
        var resources = await step.ResourcesAsync(ct);
        long generation;
        try
        {
            generation = await new DesiredStateKind(resources).WriteAsync(cluster, await step.ProfileAsync(ct), ct);
        }
        catch (InvalidOperationException ex)
        {
            throw new ProvisioningFailedException($"step ApplyPacks: {ex.Message}", ex);
        }
        await step.SetConditionAsync(PacksCheckStep.Condition, false, "Applying", $"waiting for the in-cluster agent to apply generation {generation}", ct);
        return new StepResult { Generation = generation, WaitSeconds = InClusterAgent.IntervalSeconds };
    });
}
