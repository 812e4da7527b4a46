using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// One NAT gateway per zone with its own Elastic IP: the address is allocated (and recorded) before
/// the gateway, and released after it, since deleting a NAT gateway does not release its address
/// (Cluster API Provider AWS: one NAT gateway per zone with private subnets). Once a gateway is available its zone's private route table routes through it.
/// </summary>
public sealed class NatGatewayKind(ClusterResources resources) : IDeletableKind
{
    public const string Role = "nat";
    private IClusterNetworkCloud Network => resources.Cloud.Network;

    public async Task EnsureAsync(ClusterPlan plan, CancellationToken ct)
    {
        foreach (var zone in plan.Zones.Select(z => z.AvailabilityZone))
        {
            var eipName = $"{plan.Name}-eip-nat-{zone}";
            var eip = await resources.EnsureAsync(ResourceKinds.ElasticIp, Role, zone, eipName,
                async () => await FindOwnedAddressAsync(eipName, ct) is { } id ? (id, null) : null,
                async () => (await Network.AllocateAddressAsync(resources.CreationTags(eipName, Role), ct), null),
                ct);
            var natName = $"{plan.Name}-nat-{zone}";
            var subnet = resources.Id(ResourceKinds.Subnet, "public", zone);
            await resources.EnsureAsync(ResourceKinds.NatGateway, Role, zone, natName,
                async () => await FindOwnedAsync(natName, ct) is { } id ? (id, new() { ["allocationId"] = eip.Id }) : null,
                async () => (await Network.CreateNatGatewayAsync(subnet, eip.Id, $"{plan.Uid}-nat-{zone}", resources.CreationTags(natName, Role), ct),
                    new() { ["allocationId"] = eip.Id }),
                ct);
        }
    }

    /// <summary>The live (pending or available) NAT gateway of this cluster with that name.</summary>
    public Task<string?> FindOwnedAsync(string name, CancellationToken ct) => Network.FindLiveNatGatewayAsync(resources.OwnedBy(Role, name), ct);

    public Task<string?> FindOwnedAddressAsync(string name, CancellationToken ct) => Network.FindAddressAsync(resources.OwnedBy(Role, name), ct);

    /// <summary>True once every NAT gateway is available and its zone routes through it; a failed one fails the create.</summary>
    public async Task<bool> CheckAsync(CancellationToken ct)
    {
        var nats = resources.All(ResourceKinds.NatGateway).ToList();
        if (nats.Count == 0)
            return true;
        // One describe for every NAT gateway of the cluster per poll.
        var described = await Network.NatGatewaysAsync([.. nats.Select(n => n.Id)], ct);
        var failed = described.Where(n => n.Phase is NatGatewayPhase.Failed or NatGatewayPhase.Deleted).ToList();
        if (failed.Count > 0)
            throw new ProvisioningFailedException("NAT gateway(s) failed: " + string.Join("; ", failed.Select(n => $"{n.Id} in {n.SubnetId}: {n.FailureCode} {n.FailureMessage}")));
        if (described.Count < nats.Count || described.Any(n => n.Phase != NatGatewayPhase.Available))
            return false;
        var routes = new RouteTableKind(resources);
        var vpcId = resources.Id(ResourceKinds.Vpc);
        foreach (var nat in nats)
            await routes.EnsurePrivateAsync(vpcId, nat.AvailabilityZone!, nat.Id, resources.Id(ResourceKinds.Subnet, "private", nat.AvailabilityZone), ct);
        return true;
    }

    /// <summary>
    /// The NAT gateway stage: starts the delete of every recorded gateway not yet deleting (nothing of
    /// the cluster depends on them during a delete, so they go from the first pass, side by side);
    /// done when every one is deleted (or failed, which holds nothing).
    /// </summary>
    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        var items = resources.All(ResourceKinds.NatGateway).ToList();
        if (items.Count == 0)
            return true;
        var (read, gateways) = await DescribeRecordedAsync(pass, ct);
        if (!read || gateways is null)
            return false;
        await DeletePass.EachAsync(items, async item =>
        {
            var gateway = gateways.FirstOrDefault(g => g.Id == item.Id);
            // A failed NAT gateway holds nothing (its address is freed) and AWS removes it on its own.
            if (gateway is null || gateway.Phase is NatGatewayPhase.Deleted or NatGatewayPhase.Failed)
            {
                await resources.ForgetAsync(item, ct);
                return true;
            }
            if (gateway.Phase != NatGatewayPhase.Deleting)
                await StartDeletionAsync(pass, item.Id, ct);
            pass.Wait($"NAT gateway {item.Id} deleting");
            return false;
        });
        return !resources.All(ResourceKinds.NatGateway).Any();
    }

    private async Task StartDeletionAsync(DeletePass pass, string natGatewayId, CancellationToken ct)
    {
        if (await pass.Attempt($"delete NAT gateway {natGatewayId}", () => Network.DeleteNatGatewayAsync(natGatewayId, ct)))
            pass.Expect(TypicalLatency.NatGatewayDeletion);
    }

    /// <summary>The Elastic IP stage, after the gateways: disassociate what is still associated, then release.</summary>
    public async Task<bool> DeleteAddressesAsync(DeletePass pass, CancellationToken ct)
    {
        await DeletePass.EachAsync(resources.All(ResourceKinds.ElasticIp), async item =>
        {
            var (read, address) = await pass.Read("describe address", () => Network.AddressAsync(item.Id, ct));
            if (!read)
                return false;
            if (address is null)
            {
                await resources.ForgetAsync(item, ct);
                return true;
            }
            if (address.AssociationId is { } association && !address.HeldByService)
                await pass.Attempt($"disassociate {item.Id}", () => Network.DisassociateAddressAsync(association, ct));
            if (!await pass.Attempt($"release address {item.Id}", () => Network.ReleaseAddressAsync(item.Id, ct)))
                return false;
            await resources.ForgetAsync(item, ct);
            return true;
        });
        return !resources.All(ResourceKinds.ElasticIp).Any();
    }

    private async Task<(bool Ok, IReadOnlyList<NatGatewayStatus>? Gateways)> DescribeRecordedAsync(DeletePass pass, CancellationToken ct)
    {
        var items = resources.All(ResourceKinds.NatGateway).ToList();
        if (items.Count == 0)
            return (true, []);
        return await pass.Read("describe NAT gateways", () => Network.NatGatewaysAsync([.. items.Select(i => i.Id)], ct));
    }
}
