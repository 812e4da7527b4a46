using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Tests;

/// <summary>Preflight's decisions on the in-memory catalog (<see cref="FakeComputeCatalog"/>) and load balancers: every problem it can find before anything is made.</summary>
public sealed class PreflightTests
{
    private readonly FakeCloud _cloud = new();
    private FakeComputeCatalog Catalog => _cloud.Catalog;

    private Task<IReadOnlyList<string>> RunAsync(Cluster? cluster = null) => new Preflight(cluster ?? TestCluster.Create(), _cloud).RunAsync(CancellationToken.None);

    private static Cluster Static() => TestCluster.Create() with
    {
        Spec = ClusterSpecValidator.Validate(TestCluster.Create().Spec with
        {
            Cloud = new CloudSpec
            {
                Region = "us-east-1", SshKeyName = "key",
                Placement = new PlacementSpec { Mode = PlacementModes.Static, VpcId = "vpc-0a0a0a0a", ControlPlaneSubnetIds = ["subnet-0a0a0a0a"], WorkerSubnetIds = ["subnet-0b0b0b0b", "subnet-0c0c0c0c"] },
            },
            NodePools = [.. TestCluster.Create().Spec.NodePools!.Select(p => p with { AvailabilityZones = null })],
        }),
    };

    private static SubnetInfo Subnet(string id, string vpc, string zone, IReadOnlyDictionary<string, string>? tags = null) =>
        new(id, vpc, zone, "10.0.0.0/24", false, 200, tags ?? new Dictionary<string, string>());

    [Fact]
    public async Task A_cluster_the_region_has_room_for_passes()
    {
        (await RunAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_missing_key_pair_an_unknown_zone_and_a_type_not_offered_are_all_reported()
    {
        Catalog.KeyPairs.Clear();
        Catalog.Offerings.RemoveAll(o => o.Zone == "us-east-1b");
        Catalog.Zones.RemoveAll(z => z.Name == "us-east-1c");

        var problems = await RunAsync(TestCluster.Create("us-east-1b", "us-east-1c"));

        problems.Should().Contain("cloud.sshKeyName: key pair 'key' does not exist in us-east-1")
            .And.Contain("nodePools[0].availabilityZones: us-east-1c does not exist in us-east-1")
            .And.Contain("nodePools[0].instanceType: m5.large is not offered in us-east-1b")
            .And.NotContain(p => p.Contains("not offered in us-east-1c", StringComparison.Ordinal), "a zone that does not exist is reported once");
    }

    [Fact]
    public async Task On_demand_vcpus_beyond_what_the_running_instances_leave_of_the_quota_are_reported()
    {
        Catalog.RunningOnDemand.AddRange(Enumerable.Repeat("m5.large", 14));
        Catalog.RunningOnDemand.Add("p3.2xlarge");

        (await RunAsync()).Should().ContainSingle().Which.Should().Contain("needs 6 vCPUs of on-demand standard instances, 4 of 32 left (quota L-1216C47A)");
    }

    [Fact]
    public async Task A_quota_without_an_applied_value_is_left_to_EC2_and_one_the_role_cannot_read_is_reported()
    {
        Catalog.RunningOnDemand.AddRange(Enumerable.Repeat("m5.large", 20));
        Catalog.Quotas.Clear();
        (await RunAsync()).Should().BeEmpty();

        Catalog.Fail("GetServiceQuota", "AccessDeniedException");
        (await RunAsync()).Should().ContainSingle().Which.Should().StartWith("cloudAccount: the role cannot read the on-demand vCPU quota L-1216C47A");
    }

    [Fact]
    public async Task A_dynamic_network_the_regions_quotas_have_no_room_for_is_reported_per_quota()
    {
        Catalog.Usage = new NetworkUsage(Vpcs: 5, ElasticIps: 5, InternetGateways: 5, LiveNatGatewayZones: [.. Enumerable.Repeat("us-east-1a", 5), "us-east-1b"]);
        _cloud.LoadBalancers.OthersInRegion = 50;

        var problems = await RunAsync();

        problems.Should().HaveCount(5).And.Contain(p => p.Contains("(VpcLimitExceeded)", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("(AddressLimitExceeded)", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("(InternetGatewayLimitExceeded)", StringComparison.Ordinal))
            .And.Contain("quota: us-east-1a has 5 of 5 NAT gateways (NatGatewayLimitExceeded)")
            .And.Contain("quota: the region has 50 of 50 load balancers (TooManyLoadBalancers)");
    }

    [Fact]
    public async Task Static_placement_checks_the_users_vpc_its_subnets_and_the_public_subnets_discovery_tags()
    {
        Catalog.Vpcs.Add(new CloudVpc("vpc-0a0a0a0a", "10.0.0.0/16", false, null, new Dictionary<string, string>()));
        Catalog.Subnets.Add(Subnet("subnet-0a0a0a0a", "vpc-0a0a0a0a", "us-east-1a", new Dictionary<string, string>(ResourceTags.StaticPublicSubnetDiscoveryTags("demo")) { ["kubernetes.io/role/elb"] = "0" }));
        Catalog.Subnets.Add(Subnet("subnet-0b0b0b0b", "vpc-0a0a0a0a", "us-east-1a"));
        Catalog.Subnets.Add(Subnet("subnet-0c0c0c0c", "vpc-0d0d0d0d", "us-east-1a"));
        Catalog.RouteTables.Add(("vpc-0a0a0a0a", new RouteTableState("rtb-main", [new NetworkRoute("0.0.0.0/0", "nat-1", false)], [new RouteAssociation("rtbassoc-0", null, true)])));
        Catalog.RouteTables.Add(("vpc-0a0a0a0a", new RouteTableState("rtb-pub", [new NetworkRoute("0.0.0.0/0", "igw-1", false)], [new RouteAssociation("rtbassoc-1", "subnet-0a0a0a0a", false)])));

        var problems = await RunAsync(Static());

        problems.Should().BeEquivalentTo(
            "cloud.placement: subnet subnet-0c0c0c0c belongs to vpc-0d0d0d0d, not to vpc-0a0a0a0a",
            "cloud.placement: public subnet subnet-0a0a0a0a lacks the discovery tag(s) kubernetes.io/role/elb=1");

        Catalog.Vpcs.Clear();
        (await RunAsync(Static())).Should().Contain("cloud.placement.vpcId: VPC vpc-0a0a0a0a does not exist in us-east-1");
    }

    [Fact]
    public async Task A_static_vpc_without_a_public_subnet_cannot_take_an_internet_facing_load_balancer()
    {
        Catalog.Vpcs.Add(new CloudVpc("vpc-0a0a0a0a", "10.0.0.0/16", false, null, new Dictionary<string, string>()));
        Catalog.Subnets.AddRange([Subnet("subnet-0a0a0a0a", "vpc-0a0a0a0a", "us-east-1a"), Subnet("subnet-0b0b0b0b", "vpc-0a0a0a0a", "us-east-1a"), Subnet("subnet-0c0c0c0c", "vpc-0a0a0a0a", "us-east-1a")]);

        (await RunAsync(Static())).Should().ContainSingle().Which.Should().Contain("VPC vpc-0a0a0a0a has no public subnet");
    }
}
