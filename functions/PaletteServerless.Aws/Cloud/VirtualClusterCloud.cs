using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.VirtualClusters;
using PaletteServerless.Manifest;
using InventoryItem = PaletteServerless.Domain.Provisioning.InventoryItem;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// Virtual clusters in the cluster's account, through the API's session for the cluster: the desired list
/// (<see cref="DesiredVirtualClusters"/>, a String parameter beside the desired state) and one SecureString report
/// parameter per virtual cluster, under the product's KMS key, that the in-cluster agent overwrites with the status
/// and the kubeconfig. Both are created by the product, tagged as the secrets are (ownership and the cluster's VPC:
/// what fences the control planes to their own cluster's), and recorded in the inventory before their create, so the
/// cluster's teardown (which removes everything under its path) and force delete account for them.
/// </summary>
public sealed class VirtualClusterCloud(ICloudSessionOpener sessions, IInventoryStore inventory, TimeProvider clock) : IVirtualClusterCloud
{
    private static readonly HashSet<string> Denied = new(StringComparer.Ordinal) { "AccessDenied", "AccessDeniedException", "UnauthorizedOperation" };

    public Task PublishAsync(Cluster cluster, CloudAccount account, IReadOnlyList<VirtualCluster> records, CancellationToken ct) =>
        InSessionAsync(cluster, account, "write", async resources =>
        {
            var vpc = DesiredStateKind.VpcOf(resources);
            // Each report is created once (the agent overwrites it); a kubeconfig may outgrow the standard tier.
            foreach (var record in records.Where(r => r.Status != VirtualClusterStatus.Deleting))
            {
                var name = DesiredVirtualClusters.ReportName(cluster, record.Name);
                await RecordAsync(resources, name, "virtual-cluster", ct);
                await resources.Cloud.Parameters.CreateAsync(new ParameterWrite(name, ParameterKind.Secret, VirtualClusterReport.Initial, MayOutgrowStandard: true),
                    SecretParameterKind.TagsOf(resources, name, "virtual-cluster", vpc), ct);
            }
            var list = DesiredVirtualClusters.ParameterName(cluster);
            await RecordAsync(resources, list, DesiredVirtualClusters.Parameter, ct);
            // Created with its tags, else overwritten (the parameter keeps its own).
            await resources.Cloud.Parameters.WriteAsync(new ParameterWrite(list, ParameterKind.Document, DesiredVirtualClusters.Of(cluster, records).ToJson(), MayOutgrowStandard: true),
                SecretParameterKind.TagsOf(resources, list, DesiredVirtualClusters.Parameter, vpc), ct);
            return true;
        }, ct);

    public Task<IReadOnlyDictionary<string, VirtualClusterReport>> ReadAsync(Cluster cluster, CloudAccount account, IReadOnlyList<string> names, CancellationToken ct) =>
        InSessionAsync<IReadOnlyDictionary<string, VirtualClusterReport>>(cluster, account, "read", async resources =>
        {
            var prefix = $"{SecretParameters.PathOf(cluster)}/{DesiredVirtualClusters.ReportFolder}/";
            var stored = await resources.Cloud.Parameters.ReadAsync([.. names.Select(n => prefix + n)], ct);
            return stored.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(p => p.Key[prefix.Length..], p => VirtualClusterReport.Parse(p.Value) ?? new VirtualClusterReport(), StringComparer.Ordinal);
        }, ct);

    public Task<DesiredVirtualClusters?> PublishedAsync(Cluster cluster, CloudAccount account, CancellationToken ct) =>
        InSessionAsync(cluster, account, "read", async resources =>
        {
            var name = DesiredVirtualClusters.ParameterName(cluster);
            var stored = await resources.Cloud.Parameters.ReadAsync([name], ct);
            return stored.TryGetValue(name, out var list) ? DesiredVirtualClusters.FromJson(list) : null;
        }, ct);

    public Task RemoveAsync(Cluster cluster, CloudAccount account, string name, CancellationToken ct) =>
        InSessionAsync(cluster, account, "remove", async resources =>
        {
            var parameter = DesiredVirtualClusters.ReportName(cluster, name);
            await resources.Cloud.Parameters.DeleteAsync([parameter], ct);
            foreach (var item in resources.All(ResourceKinds.SecretParameter).Where(i => i.Id == parameter).ToList())
                await resources.ForgetAsync(item, ct);
            return true;
        }, ct);

    /// <summary>Records a parameter in the inventory before its create (once).</summary>
    private async Task RecordAsync(ClusterResources resources, string name, string role, CancellationToken ct)
    {
        if (resources.All(ResourceKinds.SecretParameter).All(i => i.Id != name))
            await resources.RecordAsync(new InventoryItem { Kind = ResourceKinds.SecretParameter, Id = name, Role = role, Name = name, RecordedAt = clock.GetUtcNow() }, ct);
    }

    private async Task<T> InSessionAsync<T>(Cluster cluster, CloudAccount account, string what, Func<ClusterResources, Task<T>> act, CancellationToken ct)
    {
        try
        {
            using var cloud = await sessions.OpenAsync(account, cluster.Definition.Cloud.Region,
                SessionScope.OfCluster(FunctionCatalog.Api.Name, cluster, $"vclusters-{cluster.Uid}"), ct);
            var resources = await ClusterResources.LoadAsync(cluster, cloud, inventory, clock, ct);
            return await act(resources);
        }
        catch (Exception ex) when (CloudErrors.Code(ex) is { } code && Denied.Contains(code))
        {
            throw new CloudAccessDeniedException(
                $"the role of cloud account '{account.Name}' refused to {what} the virtual clusters of cluster '{cluster.Name}' ({code}: {ex.Message}); it needs the product's target-account policies");
        }
        catch (Exception ex) when (ex is HttpRequestException || CloudErrors.IsTransient(ex))
        {
            throw new ServiceUnavailableException($"SSM in {cluster.Definition.Cloud.Region} could not be reached for the virtual clusters of cluster '{cluster.Name}'; try again", ex);
        }
    }
}
