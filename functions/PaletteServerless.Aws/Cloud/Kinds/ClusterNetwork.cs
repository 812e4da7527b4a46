using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// The network core as the network step makes it, composed of the kinds in the reference order:
/// VPC, a public and a private subnet per zone, internet gateway (attached), public route table,
/// security groups. Static placement: only the security groups, in the user's VPC, whose network is never touched.
/// Once the VPC exists, what does not depend on each other is made side by side (subnets, the
/// gateway, the public table, the groups): the network is on every create's critical path.
/// </summary>
public sealed class ClusterNetwork(ClusterResources resources)
{
    /// <summary>
    /// The network's build under way: <see cref="VpcId"/> once the VPC exists (the user's, placed statically), <see cref="Placeable"/>
    /// once its subnets and security groups exist, <see cref="Built"/> once the routes and rules are in place too.
    /// </summary>
    public sealed record Build(Task<string> VpcId, Task Placeable, Task Built);

    /// <summary>Ensures the whole network core; see <see cref="Start"/> to use its subnets and groups before the routes and rules are in place.</summary>
    public async Task EnsureAsync(ClusterPlan plan, IReadOnlyList<NodeTraffic> traffic, CancellationToken ct) =>
        await Start(plan, traffic, ct).Built;

    /// <summary>
    /// Starts the network core. What is placed in it (the load balancer, the nodes) needs only its subnets and
    /// security groups: the routes and the groups' rules take effect on what is already there, so they may be
    /// made beside it. <see cref="Build.Built"/> includes everything; await it before the step ends.
    /// </summary>
    /// <param name="traffic">What the nodes must admit from each other (<see cref="SecurityGroupKind.TrafficOf"/>).</param>
    public Build Start(ClusterPlan plan, IReadOnlyList<NodeTraffic> traffic, CancellationToken ct)
    {
        var groups = new SecurityGroupKind(resources);
        if (!plan.IsDynamic)
        {
            var staticIds = StaticGroupsAsync(plan, groups, ct);
            return new Build(Task.FromResult(plan.StaticVpcId!), staticIds, RulesAsync(staticIds, groups, plan.StaticVpcId!, plan.LoadBalancerScheme, traffic, ct));
        }
        var core = StartCoreAsync(plan, groups, ct);
        return new Build(VpcIdAsync(core), PlaceableAsync(core), DynamicRestAsync(core, plan, groups, traffic, ct));
    }

    private async Task<IReadOnlyDictionary<string, string>> StaticGroupsAsync(ClusterPlan plan, SecurityGroupKind groups, CancellationToken ct) =>
        await groups.EnsureGroupsAsync(plan.StaticVpcId!, ct);

    private async Task RulesAsync(Task<IReadOnlyDictionary<string, string>> ids, SecurityGroupKind groups, string vpcId, string scheme, IReadOnlyList<NodeTraffic> traffic, CancellationToken ct)
    {
        var cidr = await resources.Cloud.Network.VpcCidrAsync(vpcId, ct);
        await groups.EnsureRulesAsync(await ids, cidr, scheme, traffic, ct);
    }

    /// <summary>The network's parts once the VPC exists: the gateway (begun with the VPC), the subnets, the public table and the groups.</summary>
    private sealed record Core(string VpcId, Task<string> InternetGateway, Task Subnets, Task<InventoryItem> PublicTable, Task<IReadOnlyDictionary<string, string>> Groups);

    private static async Task<string> VpcIdAsync(Task<Core> starting) => (await starting).VpcId;

    private static async Task PlaceableAsync(Task<Core> starting)
    {
        var core = await starting;
        await Task.WhenAll(core.Subnets, core.Groups);
    }

    private async Task<Core> StartCoreAsync(ClusterPlan plan, SecurityGroupKind groups, CancellationToken ct)
    {
        var vpc = new VpcKind(resources).EnsureAsync(plan, ct);
        var igw = new InternetGatewayKind(resources).EnsureAsync(vpc, ct);
        string vpcId;
        try
        {
            vpcId = await vpc;
        }
        catch
        {
            // The gateway's create may be under way: let it finish and be recorded before the step fails.
            await Task.WhenAny(igw);
            throw;
        }
        var subnets = new SubnetKind(resources);
        var madeSubnets = Task.WhenAll(plan.Zones.SelectMany(zone => new[]
        {
            subnets.EnsureAsync(vpcId, zone.AvailabilityZone, zone.PublicSubnetCidr, "public", ct),
            subnets.EnsureAsync(vpcId, zone.AvailabilityZone, zone.PrivateSubnetCidr, "private", ct),
        }));
        var publicTable = new RouteTableKind(resources).EnsureTableAsync(vpcId, "public", null, ct);
        return new Core(vpcId, igw, madeSubnets, publicTable, groups.EnsureGroupsAsync(vpcId, ct));
    }

    private async Task DynamicRestAsync(Task<Core> starting, ClusterPlan plan, SecurityGroupKind groups, IReadOnlyList<NodeTraffic> traffic, CancellationToken ct)
    {
        var core = await starting;
        async Task PublicRoutesAsync()
        {
            await Task.WhenAll(core.Subnets, core.InternetGateway, core.PublicTable);
            await new RouteTableKind(resources).EnsurePublicAsync(await core.PublicTable, await core.InternetGateway, ct);
        }
        async Task RulesAsync() => await groups.EnsureRulesAsync(await core.Groups, plan.VpcCidr!, plan.LoadBalancerScheme, traffic, ct);
        await Task.WhenAll(PublicRoutesAsync(), RulesAsync());
    }
}
