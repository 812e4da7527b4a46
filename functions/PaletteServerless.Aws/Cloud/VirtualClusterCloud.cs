using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
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
    // GetParameters and DeleteParameters take at most 10 names per call (the SSM API reference).
    private const int NamesPerCall = 10;

    private static readonly HashSet<string> Denied = new(StringComparer.Ordinal) { "AccessDenied", "AccessDeniedException", "UnauthorizedOperation" };

    public Task PublishAsync(Cluster cluster, CloudAccount account, IReadOnlyList<VirtualCluster> records, CancellationToken ct) =>
        InSessionAsync(cluster, account, "write", async resources =>
        {
            var ssm = resources.Cloud.Ssm;
            var vpc = DesiredStateKind.VpcOf(resources);
            foreach (var record in records.Where(r => r.Status != VirtualClusterStatus.Deleting))
            {
                var name = DesiredVirtualClusters.ReportName(cluster, record.Name);
                await CreateTaggedAsync(resources, ssm, name, "virtual-cluster", vpc, new PutParameterRequest
                {
                    Name = name,
                    Type = ParameterType.SecureString,
                    KeyId = SecretParameters.KmsKeyAlias,
                    Tier = ParameterTier.IntelligentTiering,
                    Value = VirtualClusterReport.Initial,
                }, ct);
            }
            var list = DesiredVirtualClusters.ParameterName(cluster);
            var value = DesiredVirtualClusters.Of(cluster, records).ToJson();
            if (!await CreateTaggedAsync(resources, ssm, list, DesiredVirtualClusters.Parameter, vpc, new PutParameterRequest
            {
                Name = list,
                Type = ParameterType.String,
                Tier = ParameterTier.IntelligentTiering,
                Value = value,
            }, ct))
            {
                // Overwritten without tags (SSM takes none with Overwrite; the parameter keeps its own).
                await ssm.PutParameterAsync(new PutParameterRequest
                {
                    Name = list, Type = ParameterType.String, Tier = ParameterTier.IntelligentTiering, Value = value, Overwrite = true,
                }, ct);
            }
            return true;
        }, ct);

    public Task<IReadOnlyDictionary<string, VirtualClusterReport>> ReadAsync(Cluster cluster, CloudAccount account, IReadOnlyList<string> names, CancellationToken ct) =>
        InSessionAsync<IReadOnlyDictionary<string, VirtualClusterReport>>(cluster, account, "read", async resources =>
        {
            var prefix = $"{SecretParameters.PathOf(cluster)}/{DesiredVirtualClusters.ReportFolder}/";
            var reports = new Dictionary<string, VirtualClusterReport>(StringComparer.Ordinal);
            foreach (var chunk in names.Chunk(NamesPerCall))
            {
                var response = await resources.Cloud.Ssm.GetParametersAsync(new GetParametersRequest
                {
                    Names = [.. chunk.Select(n => prefix + n)],
                    WithDecryption = true,
                }, ct);
                foreach (var parameter in response.Parameters ?? [])
                {
                    if (parameter.Name.StartsWith(prefix, StringComparison.Ordinal))
                        reports[parameter.Name[prefix.Length..]] = VirtualClusterReport.Parse(parameter.Value) ?? new VirtualClusterReport();
                }
            }
            return reports;
        }, ct);

    public Task<DesiredVirtualClusters?> PublishedAsync(Cluster cluster, CloudAccount account, CancellationToken ct) =>
        InSessionAsync(cluster, account, "read", async resources =>
        {
            var response = await resources.Cloud.Ssm.GetParametersAsync(new GetParametersRequest { Names = [DesiredVirtualClusters.ParameterName(cluster)] }, ct);
            return response.Parameters is [var list, ..] ? DesiredVirtualClusters.FromJson(list.Value) : null;
        }, ct);

    public Task RemoveAsync(Cluster cluster, CloudAccount account, string name, CancellationToken ct) =>
        InSessionAsync(cluster, account, "remove", async resources =>
        {
            var parameter = DesiredVirtualClusters.ReportName(cluster, name);
            // Names SSM does not find come back as InvalidParameters: gone already.
            await resources.Cloud.Ssm.DeleteParametersAsync(new DeleteParametersRequest { Names = [parameter] }, ct);
            foreach (var item in resources.All(ResourceKinds.SecretParameter).Where(i => i.Id == parameter).ToList())
                await resources.ForgetAsync(item, ct);
            return true;
        }, ct);

    /// <summary>Creates a tagged parameter, recorded in the inventory first; false when it exists already.</summary>
    private async Task<bool> CreateTaggedAsync(ClusterResources resources, IAmazonSimpleSystemsManagement ssm, string name, string role, string vpc, PutParameterRequest request, CancellationToken ct)
    {
        if (resources.All(ResourceKinds.SecretParameter).All(i => i.Id != name))
            await resources.RecordAsync(new InventoryItem { Kind = ResourceKinds.SecretParameter, Id = name, Role = role, Name = name, RecordedAt = clock.GetUtcNow() }, ct);
        request.Overwrite = false;
        request.Tags = [.. resources.Tags(name, role, new Dictionary<string, string> { [SecretParameters.VpcTag] = vpc })
            .Select(t => new Amazon.SimpleSystemsManagement.Model.Tag { Key = t.Key, Value = t.Value })];
        try
        {
            await ssm.PutParameterAsync(request, ct);
            return true;
        }
        catch (ParameterAlreadyExistsException)
        {
            return false;
        }
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
