using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// Runs every node pool's instances, spread over the pool's zones, with kubeadm user data. The network step launched
/// the control planes already (the first one is the create's longest chain); they are adopted here, and the workers
/// launch in batches while the create's first node check waits (in a branch beside this one).
/// </summary>
public sealed class NodePoolsStep(StepRuntime runtime)
{
    public NodePoolsStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var (plan, network) = await step.PlanAsync(ct);
        var resources = await step.ResourcesAsync(ct);
        var cluster = resources.Cluster;
        // Which subnet an instance of a role lands in, per zone.
        var subnets = new Dictionary<string, string>();
        foreach (var instance in plan.Instances)
            subnets.TryAdd($"{instance.AvailabilityZone}/{instance.Role}", NodePlacement.SubnetFor(plan, network, resources, instance.AvailabilityZone, instance.Role));
        var secrets = await NodeSecrets.ReadAsync(resources, ct);
        var profile = await step.ProfileAsync(ct);
        await new NodePoolKind(resources).EnsureAsync(plan, profile, secrets.CaCertHash, subnets, ct);
        // Written once every launch is made: the nodes' check (beside this step) judges the nodes only after it.
        await step.SetConditionAsync(NodePoolsCheckStep.LaunchedCondition, false, "Starting", $"{plan.Instances.Count} instance(s) starting", ct);
        return StepResult.Finished;
    });
}
