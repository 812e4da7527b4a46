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
            subnets.TryAdd($"{instance.AvailabilityZone}/{instance.Role}", SubnetFor(plan, network, resources, instance.AvailabilityZone, instance.Role));
        var secrets = await SecretsAsync(plan, resources, runtime, ct);
        await new NodePoolKind(resources).EnsureAsync(plan, await step.ProfileAsync(ct), secrets.CaCertHash, subnets, ct);
        await step.SetConditionAsync("NodePoolsReady", false, "Starting", $"{plan.Instances.Count} instance(s) starting", ct);
        return StepResult.Finished;
    });

    /// <summary>
    /// The cluster's secrets, stored in SSM before any node boots to read them (the nodes get only
    /// the CA's hash); made on first use, read afterwards (a day-2 launch finds them). A delete may
    /// start while this step runs, and its teardown may list the cluster's parameters before these
    /// exist (SSM, unlike EC2, has no VPC whose deletion would refuse them); so may the rollback of
    /// this very create, when another branch of its Parallel failed. So the cluster is read again
    /// once they are stored, and if a delete or a rollback has taken it over (both mark the cluster
    /// before they list), this step removes them itself and the run is over.
    /// </summary>
    public static async Task<ClusterSecrets> SecretsAsync(ClusterPlan plan, ClusterResources resources, StepRuntime runtime, CancellationToken ct)
    {
        var cluster = resources.Cluster;
        var vpcId = plan.IsDynamic ? resources.Id(ResourceKinds.Vpc) : cluster.Definition.Cloud.Placement.VpcId!;
        var parameters = new SecretParameterKind(resources);
        var secrets = await parameters.EnsureAsync(() => ClusterSecrets.Generate(cluster.Name, runtime.Clock.GetUtcNow()), vpcId, ct);
        var now = await runtime.Status.LoadAsync(cluster.Scope, cluster.Name, cluster.Uid, ct);
        var rollingBack = now.Conditions.Any(c => c.Type == Deletion.TeardownStep.RollingBackCondition);
        if (now.Status is ClusterStatus.Deleting or ClusterStatus.Deleted or ClusterStatus.Failed || rollingBack)
        {
            await parameters.DeleteAsync(new DeletePass(), ct);
            var why = rollingBack && now.Status == ClusterStatus.Provisioning ? "rolling back" : now.Status;
            throw new ClusterStateChangedException($"cluster {cluster.Name} is {why}: its secret parameters were removed again");
        }
        return secrets;
    }

    /// <summary>The subnet a node of a role lands in, in a zone: the private subnet of a dynamic network, else the user's subnet of that zone.</summary>
    public static string SubnetFor(ClusterPlan plan, StaticNetwork? network, ClusterResources resources, string zone, string role)
    {
        if (plan.IsDynamic)
            return resources.Id(ResourceKinds.Subnet, "private", zone);
        return resources.Cluster.Definition.Cloud.Placement.SubnetIdsFor(role).FirstOrDefault(s => network!.SubnetZones.GetValueOrDefault(s) == zone)
            ?? throw new ProvisioningFailedException($"no {role} subnet in {zone}");
    }
}
