using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud;

/// <summary>What the user's own VPC offers a static cluster: its subnets' zones and which subnets are public.</summary>
public sealed record StaticNetwork(string VpcId, string VpcCidr, Dictionary<string, string> SubnetZones, IReadOnlyList<SubnetInfo> PublicSubnets)
{
    /// <summary>Reads the VPC; the problems it finds are returned, never thrown, so preflight can list them all.</summary>
    public static async Task<(StaticNetwork? Network, List<string> Problems)> DescribeAsync(IComputeCatalog catalog, Cluster cluster, CancellationToken ct)
    {
        var placement = cluster.Definition.Cloud.Placement;
        var problems = new List<string>();
        var vpc = await catalog.VpcAsync(placement.VpcId!, ct);
        if (vpc is null)
            return (null, [$"cloud.placement.vpcId: VPC {placement.VpcId} does not exist in {cluster.Definition.Cloud.Region}"]);
        var given = placement.ControlPlaneSubnetIds.Concat(placement.WorkerSubnetIds).Distinct().ToList();
        var subnets = await catalog.SubnetsOfVpcAsync(vpc.VpcId, ct);
        var allInRegion = await catalog.SubnetsAsync(given, ct);
        foreach (var id in given)
        {
            var subnet = allInRegion.FirstOrDefault(s => s.SubnetId == id);
            if (subnet is null)
                problems.Add($"cloud.placement: subnet {id} does not exist");
            else if (subnet.VpcId != vpc.VpcId)
                problems.Add($"cloud.placement: subnet {id} belongs to {subnet.VpcId}, not to {vpc.VpcId}");
        }
        var zones = subnets.Where(s => given.Contains(s.SubnetId)).ToDictionary(s => s.SubnetId, s => s.AvailabilityZone);
        var tables = await catalog.RouteTablesAsync(vpc.VpcId, ct);
        var main = tables.FirstOrDefault(t => t.Associations.Any(a => a.Main));
        // Public: the subnet's table (else the VPC's main one) routes 0.0.0.0/0 to an internet gateway.
        bool IsPublic(SubnetInfo subnet)
        {
            var table = tables.FirstOrDefault(t => t.Associations.Any(a => a.SubnetId == subnet.SubnetId)) ?? main;
            return table?.Routes.Any(r => r.Destination == "0.0.0.0/0" && r.TargetId?.StartsWith("igw-", StringComparison.Ordinal) == true) == true;
        }
        var publicSubnets = subnets.Where(IsPublic).ToList();
        return (new StaticNetwork(vpc.VpcId, vpc.CidrBlock, zones, publicSubnets), problems);
    }

    /// <summary>The discovery tags the product doc asks for, missing from each public subnet.</summary>
    public IEnumerable<string> MissingDiscoveryTags(string clusterName)
    {
        var wanted = ResourceTags.StaticPublicSubnetDiscoveryTags(clusterName);
        foreach (var subnet in PublicSubnets)
        {
            var missing = wanted.Where(w => !subnet.Tags.TryGetValue(w.Key, out var v) || v != w.Value).Select(w => $"{w.Key}={w.Value}").ToList();
            if (missing.Count > 0)
                yield return $"cloud.placement: public subnet {subnet.SubnetId} lacks the discovery tag(s) {string.Join(", ", missing)}";
        }
    }
}
