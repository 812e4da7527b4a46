using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>The internet gateway, attached to the cluster's VPC; detached before it is deleted.</summary>
public sealed class InternetGatewayKind(ClusterResources resources) : IDeletableKind
{
    public const string Role = "common";
    private IClusterNetworkCloud Network => resources.Cloud.Network;

    /// <summary>
    /// Makes sure the gateway exists and is attached to the VPC; returns its id. A gateway needs no
    /// VPC to be created, so it is made while the VPC is (<paramref name="vpc"/>), and attached once that exists.
    /// </summary>
    public async Task<string> EnsureAsync(Task<string> vpc, CancellationToken ct)
    {
        var name = $"{resources.Cluster.Name}-igw";
        var item = await resources.EnsureAsync(ResourceKinds.InternetGateway, Role, null, name,
            async () => await FindOwnedAsync(ct) is { } id ? (id, null) : null,
            async () => (await Network.CreateInternetGatewayAsync(resources.CreationTags(name, Role), ct), null),
            ct);
        var vpcId = await vpc;
        var attached = await Network.InternetGatewayAttachmentsAsync(item.Id, ct);
        if (attached?.Contains(vpcId) != true)
            await CloudErrors.CreateAsync("attach internet gateway", () => Network.AttachInternetGatewayAsync(item.Id, vpcId, ct));
        return item.Id;
    }

    public Task<string?> FindOwnedAsync(CancellationToken ct) => Network.FindInternetGatewayAsync(resources.OwnedBy(Role), ct);

    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        foreach (var item in resources.All(ResourceKinds.InternetGateway).ToList())
        {
            var (read, attachments) = await pass.Read("describe internet gateway", () => Network.InternetGatewayAttachmentsAsync(item.Id, ct));
            if (!read)
                continue;
            if (attachments is null)
            {
                await resources.ForgetAsync(item, ct);
                continue;
            }
            foreach (var vpcId in attachments)
                await pass.Attempt($"detach {item.Id}", () => Network.DetachInternetGatewayAsync(item.Id, vpcId, ct));
            if (await pass.Attempt($"delete internet gateway {item.Id}", () => Network.DeleteInternetGatewayAsync(item.Id, ct)))
                await resources.ForgetAsync(item, ct);
        }
        return !resources.All(ResourceKinds.InternetGateway).Any();
    }
}
