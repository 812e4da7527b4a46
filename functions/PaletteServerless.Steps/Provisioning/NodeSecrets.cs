using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// The cluster's secrets as every node launch needs them (the nodes get only the CA's hash). One
/// maker, the network step, stores them before any node can boot to read them; every launch after it
/// (the node pools, an update's roll, a remediation's replacement) only reads them, and may only read.
/// </summary>
public static class NodeSecrets
{
    /// <summary>
    /// Stores the secrets (generated on first use; a re-run adopts what is stored) and returns them.
    /// A delete may start while this runs, and its teardown may list the cluster's parameters before
    /// these exist (SSM, unlike EC2, has no VPC whose deletion would refuse them); so may the rollback
    /// of this very create. So the cluster is read again once they are stored (even when a crashed
    /// attempt of this step stored them first), and if a delete or a rollback has taken it over (both
    /// mark the cluster before they list), they are removed again here and the run is over.
    /// </summary>
    public static async Task<ClusterSecrets> EnsureAsync(ClusterPlan plan, ClusterResources resources, StepRuntime runtime, CancellationToken ct)
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

    /// <summary>The stored secrets, for a node launch; a missing parameter fails the step, naming it (the launch never makes one).</summary>
    public static async Task<ClusterSecrets> ReadAsync(ClusterResources resources, CancellationToken ct)
    {
        var values = await new SecretParameterKind(resources).ReadAsync(ct);
        var missing = SecretParameters.Missing(values);
        if (missing.Count > 0)
            throw new ProvisioningFailedException(
                $"the cluster's secret parameter(s) {string.Join(", ", missing.Select(p => SecretParameters.NameOf(resources.Cluster, p)))} are missing: the network step stores them before any node");
        return SecretParameters.FromValues(values);
    }
}
