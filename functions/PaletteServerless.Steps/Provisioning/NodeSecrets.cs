using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// The cluster's secrets as every node launch needs them (the nodes get only the CA's hash): stored
/// in SSM by the network step, before any node can boot to read them, and read by every later
/// launch (the node pools, an update's roll, a remediation's replacement).
/// </summary>
public static class NodeSecrets
{
    /// <summary>
    /// The stored secrets, generated and stored on first use.
    /// A delete may start while this runs, and its teardown may list the cluster's parameters
    /// before these exist (SSM, unlike EC2, has no VPC whose deletion would refuse them); so may the
    /// rollback of this very create. So the cluster is read again once this call has stored any, and if
    /// a delete or a rollback has taken it over (both mark the cluster before they list), they are
    /// removed again here and the run is over. The step that makes them (<paramref name="maker"/>)
    /// always looks, even when a crashed attempt of its own stored them first; a later launch that finds
    /// them stored does not (the maker looked), which keeps a read off the node pools' critical path.
    /// </summary>
    public static async Task<ClusterSecrets> EnsureAsync(ClusterPlan plan, ClusterResources resources, StepRuntime runtime, CancellationToken ct,
        bool maker = false)
    {
        var cluster = resources.Cluster;
        var vpcId = plan.IsDynamic ? resources.Id(ResourceKinds.Vpc) : cluster.Definition.Cloud.Placement.VpcId!;
        var parameters = new SecretParameterKind(resources);
        var (secrets, stored) = await parameters.EnsureAsync(() => ClusterSecrets.Generate(cluster.Name, runtime.Clock.GetUtcNow()), vpcId, ct);
        if (!stored && !maker)
            return secrets;
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
}
