using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>One line of a plan: what would be created, how many, and what it costs per hour (estimate).</summary>
public sealed record PlannedResource(string Kind, string Name, int Count, decimal? HourlyCostUsd, string? Detail = null);

/// <summary>One pack a plan installs; <see cref="Implied"/> when the profile does not name it but every cluster gets it.</summary>
public sealed record PlannedPack(string Layer, string Name, string Version, bool Implied);

/// <summary>What a dry run shows: every resource the create would make, the estimated hourly cost, and the packs it installs.</summary>
public sealed record PlanSummary(
    IReadOnlyList<PlannedResource> Resources, decimal EstimatedHourlyCostUsd, IReadOnlyList<string> UnpricedInstanceTypes, IReadOnlyList<PlannedPack> Packs)
{
    /// <param name="profile">The cluster's profile, for the packs; without it the plan lists none.</param>
    public static PlanSummary Of(Cluster cluster, ClusterPlan plan, Profiles.ClusterProfile? profile = null)
    {
        var resources = new List<PlannedResource>();
        var zones = plan.Zones.Count;
        if (plan.IsDynamic)
        {
            resources.Add(new(ResourceKinds.Vpc, $"{plan.Name}-vpc", 1, 0, plan.VpcCidr));
            foreach (var zone in plan.Zones)
            {
                resources.Add(new(ResourceKinds.Subnet, $"{plan.Name}-subnet-public-{zone.AvailabilityZone}", 1, 0, zone.PublicSubnetCidr));
                resources.Add(new(ResourceKinds.Subnet, $"{plan.Name}-subnet-private-{zone.AvailabilityZone}", 1, 0, zone.PrivateSubnetCidr));
            }
            resources.Add(new(ResourceKinds.InternetGateway, $"{plan.Name}-igw", 1, 0));
            resources.Add(new(ResourceKinds.ElasticIp, $"{plan.Name}-eip-nat", zones, zones * Prices.PublicIpv4Hour, "one per zone"));
            resources.Add(new(ResourceKinds.NatGateway, $"{plan.Name}-nat", zones, zones * Prices.NatGatewayHour, "one per zone"));
            resources.Add(new(ResourceKinds.RouteTable, $"{plan.Name}-rt", 1 + zones, 0, "public, and private per zone"));
        }
        resources.Add(new(ResourceKinds.SecurityGroup, $"{plan.Name}-controlplane/node/apiserver-lb", 3, 0));
        resources.Add(new(ResourceKinds.LoadBalancer, plan.LoadBalancerName, 1, Prices.NetworkLoadBalancerHour, $"network, {plan.LoadBalancerScheme}, TCP 6443"));
        resources.Add(new(ResourceKinds.TargetGroup, plan.TargetGroupName, 1, 0));
        var unpriced = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var pool in plan.Instances.GroupBy(i => i.Pool))
        {
            var first = pool.First();
            var instanceHour = Prices.InstanceHour(first);
            if (instanceHour is null)
                unpriced.Add(first.InstanceType);
            var count = pool.Count();
            resources.Add(new(ResourceKinds.Instance, $"{plan.Name}-{pool.Key}", count, instanceHour * count,
                $"{first.InstanceType} {first.CapacityType} in {string.Join(", ", pool.Select(i => i.AvailabilityZone).Distinct())}"));
            resources.Add(new(ResourceKinds.Volume, $"{plan.Name}-{pool.Key}-root", count, Prices.VolumeHour(first.DiskSizeGiB) * count, $"gp3 {first.DiskSizeGiB} GiB"));
        }
        var total = resources.Sum(r => r.HourlyCostUsd ?? 0);
        // Estimates: four decimals of a dollar per hour are more than their precision.
        var rounded = resources.Select(r => r with { HourlyCostUsd = r.HourlyCostUsd is { } c ? Math.Round(c, 4) : null }).ToList();
        return new PlanSummary(rounded, Math.Round(total, 4), [.. unpriced], profile is null ? [] : PacksOf(profile));
    }

    /// <summary>The OS and Kubernetes packs (every node), then what the first control plane installs, in its order.</summary>
    private static IReadOnlyList<PlannedPack> PacksOf(Profiles.ClusterProfile profile)
    {
        var implied = UserData.ImpliedPacks(profile);
        var nodes = (profile.Packs ?? []).Where(p => p.Layer is Profiles.PackLayers.Os or Profiles.PackLayers.Kubernetes)
            .Select(p => new PlannedPack(p.Layer!, p.Name!, p.Version!, Implied: false));
        var installed = UserData.InstalledPacks(profile)
            .Select(p => new PlannedPack(p.Layer, p.Name, p.Version, Implied: implied.Any(i => i.Name == p.Name)));
        return [.. nodes, .. installed];
    }
}
