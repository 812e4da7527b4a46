using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// Every check that can be made before anything is created (the peers' most common complaint: quota errors
/// half-way through a create are the classic failure). All problems are collected, not just the first.
/// </summary>
public sealed class Preflight(Cluster cluster, ICloudSession cloud)
{
    /// <summary>Default quotas per region (Amazon VPC and Elastic Load Balancing quotas documentation).</summary>
    public const int VpcQuota = 5, ElasticIpQuota = 5, InternetGatewayQuota = 5, NatGatewaysPerZoneQuota = 5, LoadBalancerQuota = 50;

    private IComputeCatalog Catalog => cloud.Catalog;

    public async Task<IReadOnlyList<string>> RunAsync(CancellationToken ct)
    {
        var problems = new List<string>();
        var definition = cluster.Definition;
        var region = definition.Cloud.Region;

        var tagRoom = ResourceTags.MaxTagsPerResource - ResourceTags.ReservedTagCount;
        if (definition.Tags.Count > tagRoom)
            problems.Add($"tags: {definition.Tags.Count} cluster tags plus the product's own {ResourceTags.ReservedTagCount} exceed AWS's {ResourceTags.MaxTagsPerResource} tags per resource; keep at most {tagRoom}");

        var keys = await Catalog.KeyPairsAsync(definition.Cloud.SshKeyName, ct);
        if (keys.Count == 0)
            problems.Add($"cloud.sshKeyName: key pair '{definition.Cloud.SshKeyName}' does not exist in {region}");

        // Nodes read their secrets with their role's profile; without one RunInstances would fail half-way.
        foreach (var profile in SecretParameters.NodeRoleNames)
        {
            if (!await cloud.Iam.InstanceProfileExistsAsync(profile, ct))
                problems.Add($"cloudAccount: the account has no instance profile '{profile}' for the nodes; deploy the target-account stack (or the product stack) in it");
        }

        var zones = (await Catalog.AvailabilityZonesAsync(ct)).Select(z => z.Name).ToHashSet();
        var plan = ClusterPlan.Build(cluster);
        StaticNetwork? network = null;
        if (!plan.IsDynamic)
        {
            var (described, staticProblems) = await StaticNetwork.DescribeAsync(Catalog, cluster, ct);
            network = described;
            problems.AddRange(staticProblems);
            if (network is not null)
            {
                problems.AddRange(network.MissingDiscoveryTags(cluster.Name));
                plan = ClusterPlan.Build(cluster, network.SubnetZones);
                if (plan.LoadBalancerScheme == LoadBalancerSchemes.InternetFacing && network.PublicSubnets.Count == 0)
                    problems.Add($"cloud.placement: VPC {network.VpcId} has no public subnet (route 0.0.0.0/0 to an internet gateway) for the internet-facing API load balancer");
            }
        }
        for (var i = 0; i < definition.NodePools.Count; i++)
        {
            foreach (var zone in definition.NodePools[i].AvailabilityZones)
            {
                if (!zones.Contains(zone))
                    problems.Add($"nodePools[{i}].availabilityZones: {zone} does not exist in {region}");
            }
        }

        await CheckOfferingsAsync(plan, zones, problems, ct);
        await CheckQuotasAsync(plan, problems, ct);
        if (await OnDemandVcpuQuota.CheckAsync(Catalog, plan, ct) is { } vcpuProblem)
            problems.Add(vcpuProblem);
        return problems;
    }

    private async Task CheckOfferingsAsync(ClusterPlan plan, HashSet<string> zones, List<string> problems, CancellationToken ct)
    {
        var types = plan.Instances.Select(i => i.InstanceType).Distinct().ToList();
        var offered = (await Catalog.OfferingsAsync(types, null, ct)).Select(o => (o.InstanceType, o.Zone)).ToHashSet();
        var pools = cluster.Definition.NodePools.Select(p => p.Name).ToList();
        foreach (var (pool, type, zone) in plan.Instances.Select(i => (i.Pool, i.InstanceType, i.AvailabilityZone)).Distinct())
        {
            var index = pools.IndexOf(pool);
            if (zones.Contains(zone) && !offered.Contains((type, zone)))
                problems.Add($"nodePools[{index}].instanceType: {type} is not offered in {zone}");
        }
    }

    private async Task CheckQuotasAsync(ClusterPlan plan, List<string> problems, CancellationToken ct)
    {
        if (plan.IsDynamic)
        {
            var usage = await Catalog.NetworkUsageAsync(ct);
            if (usage.Vpcs + 1 > VpcQuota)
                problems.Add($"quota: the region has {usage.Vpcs} of {VpcQuota} VPCs; the cluster needs 1 more (VpcLimitExceeded)");
            if (usage.ElasticIps + plan.Zones.Count > ElasticIpQuota)
                problems.Add($"quota: the region has {usage.ElasticIps} of {ElasticIpQuota} Elastic IPs; the cluster needs {plan.Zones.Count} more, one per zone (AddressLimitExceeded)");
            if (usage.InternetGateways + 1 > InternetGatewayQuota)
                problems.Add($"quota: the region has {usage.InternetGateways} of {InternetGatewayQuota} internet gateways; the cluster needs 1 more (InternetGatewayLimitExceeded)");
            foreach (var zone in plan.Zones.Select(z => z.AvailabilityZone))
            {
                var inZone = usage.LiveNatGatewayZones.Count(z => z == zone);
                if (inZone + 1 > NatGatewaysPerZoneQuota)
                    problems.Add($"quota: {zone} has {inZone} of {NatGatewaysPerZoneQuota} NAT gateways (NatGatewayLimitExceeded)");
            }
        }
        var loadBalancers = await cloud.LoadBalancers.CountAsync(ct);
        if (loadBalancers + 1 > LoadBalancerQuota)
            problems.Add($"quota: the region has {loadBalancers} of {LoadBalancerQuota} load balancers (TooManyLoadBalancers)");
    }
}
