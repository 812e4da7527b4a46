using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// Route tables: the public one (to the internet gateway, every public subnet) and one private per
/// zone (to the zone's NAT gateway). Associations are recorded on the table's item for the delete.
/// </summary>
public sealed class RouteTableKind(ClusterResources resources) : IDeletableKind
{
    private const string Default = "0.0.0.0/0";
    private IClusterNetworkCloud Network => resources.Cloud.Network;

    /// <summary>The public table: a default route to the internet gateway, associated with every public subnet.</summary>
    public async Task EnsurePublicAsync(InventoryItem table, string internetGatewayId, CancellationToken ct)
    {
        await Task.WhenAll(
            EnsureRouteAsync(table.Id, Default, new RouteTarget(InternetGatewayId: internetGatewayId), ct),
            EnsureAssociationsAsync(table, resources.All(ResourceKinds.Subnet, "public").Select(s => s.Id).ToList(), ct));
    }

    /// <summary>A zone's private table: a default route to its NAT gateway, associated with its private subnet.</summary>
    public async Task EnsurePrivateAsync(string vpcId, string zone, string natGatewayId, string privateSubnetId, CancellationToken ct)
    {
        var table = await EnsureTableAsync(vpcId, "private", zone, ct);
        await EnsureRouteAsync(table.Id, Default, new RouteTarget(NatGatewayId: natGatewayId), ct);
        await EnsureAssociationsAsync(table, [privateSubnetId], ct);
    }

    /// <summary>A route table of a role ("public", or "private" per zone); the idempotency token makes the create idempotent.</summary>
    public async Task<InventoryItem> EnsureTableAsync(string vpcId, string role, string? zone, CancellationToken ct)
    {
        var name = Name(role, zone);
        return await resources.EnsureAsync(ResourceKinds.RouteTable, role, zone, name,
            async () => await FindOwnedAsync(vpcId, role, zone, ct) is { } id ? (id, null) : null,
            async () => (await Network.CreateRouteTableAsync(vpcId, $"{resources.Cluster.Uid}-rt-{role}-{zone}", resources.CreationTags(name, role), ct), null),
            ct);
    }

    public Task<string?> FindOwnedAsync(string vpcId, string role, string? zone, CancellationToken ct) =>
        Network.FindRouteTableAsync(zone is null ? resources.OwnedBy(role) : resources.OwnedBy(role, Name(role, zone)), vpcId, ct);

    private string Name(string role, string? zone) =>
        zone is null ? $"{resources.Cluster.Name}-rt-{role}" : $"{resources.Cluster.Name}-rt-{role}-{zone}";

    public async Task EnsureRouteAsync(string routeTableId, string destination, RouteTarget target, CancellationToken ct)
    {
        var table = await ReadAsync(routeTableId, ct);
        var existing = table.Routes.FirstOrDefault(r => r.Destination == destination);
        if (existing is not null && existing.TargetId == target.Id && !existing.Blackhole)
            return;
        if (existing is not null)
        {
            // A route to a NAT gateway that no longer exists (CAPA #5961): point it at the live one.
            await Network.ReplaceRouteAsync(routeTableId, destination, target, ct);
            return;
        }
        await CloudErrors.CreateAsync("create route", () => Network.CreateRouteAsync(routeTableId, destination, target, ct));
    }

    /// <summary>
    /// Associates subnets with a route table once, side by side; the association ids are kept on the
    /// table's item for the delete (one record for all of them).
    /// </summary>
    public async Task EnsureAssociationsAsync(InventoryItem table, IReadOnlyList<string> subnetIds, CancellationToken ct)
    {
        var missing = subnetIds.Where(subnet => table.Attributes?.ContainsKey("association:" + subnet) != true).ToList();
        if (missing.Count == 0)
            return;
        var current = await ReadAsync(table.Id, ct);
        var associations = await Task.WhenAll(missing.Select(async subnetId => (Subnet: subnetId,
            Id: current.Associations.FirstOrDefault(a => a.SubnetId == subnetId)?.Id
                ?? await CloudErrors.CreateAsync("associate route table", () => Network.AssociateRouteTableAsync(table.Id, subnetId, ct)))));
        var attributes = new Dictionary<string, string>(table.Attributes ?? []);
        foreach (var (subnet, id) in associations)
            attributes["association:" + subnet] = id;
        await resources.RecordAsync(table with { Attributes = attributes }, ct);
    }

    /// <summary>A table the create path just made or found: one that is gone is EC2's NotFound.</summary>
    private async Task<RouteTableState> ReadAsync(string routeTableId, CancellationToken ct) =>
        await Network.RouteTableAsync(routeTableId, ct)
            ?? throw new CloudServiceException("InvalidRouteTableID.NotFound", $"The routeTable ID '{routeTableId}' does not exist", false);

    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        await DeletePass.EachAsync(resources.All(ResourceKinds.RouteTable), async item =>
        {
            var (read, table) = await pass.Read("describe route table", () => Network.RouteTableAsync(item.Id, ct));
            if (!read)
                return false;
            if (table is null)
            {
                await resources.ForgetAsync(item, ct);
                return true;
            }
            await DeletePass.EachAsync(table.Associations.Where(a => !a.Main), association =>
                pass.Attempt($"disassociate {association.Id}", () => Network.DisassociateRouteTableAsync(association.Id, ct)));
            if (!await pass.Attempt($"delete route table {item.Id}", () => Network.DeleteRouteTableAsync(item.Id, ct)))
                return false;
            await resources.ForgetAsync(item, ct);
            return true;
        });
        return !resources.All(ResourceKinds.RouteTable).Any();
    }
}
