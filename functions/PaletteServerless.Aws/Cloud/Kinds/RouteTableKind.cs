using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// Route tables: the public one (to the internet gateway, every public subnet) and one private per
/// zone (to the zone's NAT gateway). Associations are recorded on the table's item for the delete.
/// </summary>
public sealed class RouteTableKind(ClusterResources resources) : IDeletableKind
{
    private IAmazonEC2 Ec2 => resources.Cloud.Ec2;

    /// <summary>The public table: a default route to the internet gateway, associated with every public subnet.</summary>
    public async Task EnsurePublicAsync(InventoryItem table, string internetGatewayId, CancellationToken ct)
    {
        await Task.WhenAll(
            EnsureRouteAsync(table.Id, new CreateRouteRequest { RouteTableId = table.Id, DestinationCidrBlock = "0.0.0.0/0", GatewayId = internetGatewayId }, ct),
            EnsureAssociationsAsync(table, resources.All(ResourceKinds.Subnet, "public").Select(s => s.Id).ToList(), ct));
    }

    /// <summary>A zone's private table: a default route to its NAT gateway, associated with its private subnet.</summary>
    public async Task EnsurePrivateAsync(string vpcId, string zone, string natGatewayId, string privateSubnetId, CancellationToken ct)
    {
        var table = await EnsureTableAsync(vpcId, "private", zone, ct);
        await EnsureRouteAsync(table.Id, new CreateRouteRequest { RouteTableId = table.Id, DestinationCidrBlock = "0.0.0.0/0", NatGatewayId = natGatewayId }, ct);
        await EnsureAssociationsAsync(table, [privateSubnetId], ct);
    }

    /// <summary>A route table of a role ("public", or "private" per zone); ClientToken makes the create idempotent.</summary>
    public async Task<InventoryItem> EnsureTableAsync(string vpcId, string role, string? zone, CancellationToken ct)
    {
        var name = Name(role, zone);
        return await resources.EnsureAsync(ResourceKinds.RouteTable, role, zone, name,
            async () => await FindOwnedAsync(vpcId, role, zone, ct) is { } id ? (id, null) : null,
            async () => ((await Ec2.CreateRouteTableAsync(new CreateRouteTableRequest
            {
                VpcId = vpcId,
                ClientToken = $"{resources.Cluster.Uid}-rt-{role}-{zone}",
                TagSpecifications = resources.TagsAtCreation(ResourceType.RouteTable, name, role),
            }, ct)).RouteTable.RouteTableId, null),
            ct);
    }

    public async Task<string?> FindOwnedAsync(string vpcId, string role, string? zone, CancellationToken ct)
    {
        var filters = zone is null
            ? resources.Owned(role, new Filter("vpc-id", [vpcId]))
            : resources.Owned(role, new Filter("vpc-id", [vpcId]), new Filter("tag:Name", [Name(role, zone)]));
        return (await Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = filters }, ct)).RouteTables?.FirstOrDefault()?.RouteTableId;
    }

    private string Name(string role, string? zone) =>
        zone is null ? $"{resources.Cluster.Name}-rt-{role}" : $"{resources.Cluster.Name}-rt-{role}-{zone}";

    public async Task EnsureRouteAsync(string routeTableId, CreateRouteRequest route, CancellationToken ct)
    {
        var table = (await Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { RouteTableIds = [routeTableId] }, ct)).RouteTables![0];
        var existing = table.Routes?.FirstOrDefault(r => r.DestinationCidrBlock == route.DestinationCidrBlock);
        if (existing is not null && (existing.GatewayId ?? existing.NatGatewayId) == (route.GatewayId ?? route.NatGatewayId) && existing.State != RouteState.Blackhole)
            return;
        if (existing is not null)
        {
            // A route to a NAT gateway that no longer exists (CAPA #5961): point it at the live one.
            await Ec2.ReplaceRouteAsync(new ReplaceRouteRequest
            {
                RouteTableId = routeTableId, DestinationCidrBlock = route.DestinationCidrBlock,
                GatewayId = route.GatewayId, NatGatewayId = route.NatGatewayId,
            }, ct);
            return;
        }
        await CloudErrors.CreateAsync("create route", () => Ec2.CreateRouteAsync(route, ct));
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
        var current = (await Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { RouteTableIds = [table.Id] }, ct)).RouteTables![0];
        var associations = await Task.WhenAll(missing.Select(async subnetId => (Subnet: subnetId,
            Id: current.Associations?.FirstOrDefault(a => a.SubnetId == subnetId)?.RouteTableAssociationId
                ?? (await CloudErrors.CreateAsync("associate route table", () =>
                    Ec2.AssociateRouteTableAsync(new AssociateRouteTableRequest { RouteTableId = table.Id, SubnetId = subnetId }, ct))).AssociationId)));
        var attributes = new Dictionary<string, string>(table.Attributes ?? []);
        foreach (var (subnet, id) in associations)
            attributes["association:" + subnet] = id;
        await resources.RecordAsync(table with { Attributes = attributes }, ct);
    }

    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        await DeletePass.EachAsync(resources.All(ResourceKinds.RouteTable), async item =>
        {
            var (read, table) = await pass.Read("describe route table", async () =>
                (await Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = [new Filter("route-table-id", [item.Id])] }, ct)).RouteTables?.FirstOrDefault());
            if (!read)
                return false;
            if (table is null)
            {
                await resources.ForgetAsync(item, ct);
                return true;
            }
            await DeletePass.EachAsync((table.Associations ?? []).Where(a => a.Main != true), association =>
                pass.Attempt($"disassociate {association.RouteTableAssociationId}", () => Ec2.DisassociateRouteTableAsync(new DisassociateRouteTableRequest { AssociationId = association.RouteTableAssociationId }, ct)));
            if (!await pass.Attempt($"delete route table {item.Id}", () => Ec2.DeleteRouteTableAsync(new DeleteRouteTableRequest { RouteTableId = item.Id }, ct)))
                return false;
            await resources.ForgetAsync(item, ct);
            return true;
        });
        return !resources.All(ResourceKinds.RouteTable).Any();
    }
}
