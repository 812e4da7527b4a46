using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>Runs every node pool's instances, spread over the pool's zones, with kubeadm user data.</summary>
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
        {
            var key = $"{instance.AvailabilityZone}/{instance.Role}";
            if (subnets.ContainsKey(key))
                continue;
            if (plan.IsDynamic)
            {
                subnets[key] = resources.Id(ResourceKinds.Subnet, "private", instance.AvailabilityZone);
                continue;
            }
            var placement = cluster.Spec.Cloud!.Placement!;
            var given = instance.Role == NodePoolRoles.ControlPlane ? placement.ControlPlaneSubnetIds! : placement.WorkerSubnetIds!;
            subnets[key] = given.FirstOrDefault(s => network!.SubnetZones.GetValueOrDefault(s) == instance.AvailabilityZone)
                ?? throw new ProvisioningFailedException($"no {instance.Role} subnet in {instance.AvailabilityZone}");
        }
        // The secrets go to SSM before any node boots to read them; the nodes get only the CA's hash.
        var vpcId = plan.IsDynamic ? resources.Id(ResourceKinds.Vpc) : cluster.Spec.Cloud!.Placement!.VpcId!;
        var secrets = await new SecretParameterKind(resources).EnsureAsync(() => ClusterSecrets.Generate(cluster.Name, runtime.Clock.GetUtcNow()), vpcId, ct);
        await new NodePoolKind(resources).EnsureAsync(plan, await step.ProfileAsync(ct), secrets.CaCertHash, subnets, ct);
        await step.SetConditionAsync("NodePoolsReady", false, "Starting", $"{plan.Instances.Count} instance(s) starting", ct);
        return StepResult.Finished;
    });
}
