using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>A public and a private subnet per zone (dynamic placement), tagged for load balancer discovery.</summary>
public sealed class SubnetKind(ClusterResources resources) : IDeletableKind
{
    private IClusterNetworkCloud Network => resources.Cloud.Network;

    /// <summary>The subnet of a role ("public" or "private") in a zone.</summary>
    public async Task<string> EnsureAsync(string vpcId, string zone, string cidr, string role, CancellationToken ct)
    {
        var name = $"{resources.Cluster.Name}-subnet-{role}-{zone}";
        var extra = new Dictionary<string, string> { [role == "public" ? ResourceTags.ElbRole : ResourceTags.InternalElbRole] = "1" };
        var item = await resources.EnsureAsync(ResourceKinds.Subnet, role, zone, name,
            async () => await FindOwnedAsync(vpcId, zone, role, ct) is { } id ? (id, null) : null,
            async () => (await Network.CreateSubnetAsync(vpcId, cidr, zone, resources.CreationTags(name, role, extra), ct), null),
            ct);
        return item.Id;
    }

    public Task<string?> FindOwnedAsync(string vpcId, string zone, string role, CancellationToken ct) =>
        Network.FindSubnetAsync(resources.OwnedBy(role), vpcId, zone, ct);

    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        await DeletePass.EachAsync(resources.All(ResourceKinds.Subnet), async item =>
        {
            if (await pass.Attempt($"delete subnet {item.Id}", () => Network.DeleteSubnetAsync(item.Id, ct)))
            {
                await resources.ForgetAsync(item, ct);
                return true;
            }
            await pass.NameNetworkBlockersAsync(Network, NetworkScope.Subnet, item.Id, ct);
            return false;
        });
        return !resources.All(ResourceKinds.Subnet).Any();
    }
}
