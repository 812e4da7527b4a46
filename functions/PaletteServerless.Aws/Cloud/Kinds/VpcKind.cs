using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>The cluster's VPC (dynamic placement): ensure, find the tagged one, delete last.</summary>
public sealed class VpcKind(ClusterResources resources) : IDeletableKind
{
    public const string Role = "common";
    private IClusterNetworkCloud Network => resources.Cloud.Network;

    public async Task<string> EnsureAsync(ClusterPlan plan, CancellationToken ct)
    {
        var name = $"{plan.Name}-vpc";
        var item = await resources.EnsureAsync(ResourceKinds.Vpc, Role, null, name,
            async () => await FindOwnedAsync(ct) is { } id ? (id, null) : null,
            async () => (await Network.CreateVpcAsync(plan.VpcCidr!, resources.CreationTags(name, Role), ct), null),
            ct);
        return item.Id;
    }

    /// <summary>The VPC that carries this cluster's ownership tags, if any.</summary>
    public Task<string?> FindOwnedAsync(CancellationToken ct) => Network.FindVpcAsync(resources.OwnedBy(Role), ct);

    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        foreach (var item in resources.All(ResourceKinds.Vpc).ToList())
        {
            if (await pass.Attempt($"delete VPC {item.Id}", () => Network.DeleteVpcAsync(item.Id, ct)))
                await resources.ForgetAsync(item, ct);
            else
                await pass.NameNetworkBlockersAsync(Network, NetworkScope.Vpc, item.Id, ct);
        }
        return !resources.All(ResourceKinds.Vpc).Any();
    }
}
