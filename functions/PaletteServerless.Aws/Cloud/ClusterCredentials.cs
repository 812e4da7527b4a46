using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// A cluster's CA, read from its SSM parameter in the cluster's account (through the session
/// seam), and the API load balancer's DNS name from the inventory: what a kubeconfig is made of.
/// </summary>
public sealed class ClusterCredentials(ICloudSessionOpener sessions, IInventoryStore inventory) : IClusterCredentials
{
    public async Task<ClusterAccess?> ReadAsync(Cluster cluster, CloudAccount account, CancellationToken ct)
    {
        var items = await inventory.ListAsync(cluster, ct);
        if (items.FirstOrDefault(i => i.Kind == ResourceKinds.LoadBalancer)?.Attributes?.GetValueOrDefault("dnsName") is not { } apiHost)
            return null;
        using var cloud = await sessions.OpenAsync(account, cluster.Definition.Cloud.Region, SessionScope.OfCluster(FunctionCatalog.Api.Name, cluster, $"kubeconfig-{cluster.Uid}"), ct);
        var authority = await cloud.Parameters.ReadOneAsync(SecretParameters.NameOf(cluster, SecretParameters.CertificateAuthority), ct);
        return authority is null ? null : new ClusterAccess(SecretParameters.AuthorityOf(authority), apiHost);
    }
}
