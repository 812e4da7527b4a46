using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>The whole network as the create makes it and the teardown removes it, on the in-memory network with EC2's dependency rules.</summary>
public sealed class NetworkLifecycleTests
{
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private static readonly CancellationToken Ct = CancellationToken.None;
    private FakeClusterNetwork Network => _cloud.Network;

    private static readonly NodeTraffic[] Traffic =
    [
        new("tcp", 10250, 10250, "kubelet", TrafficTarget.AllNodes, TrafficSource.ControlPlane),
        new("4", 0, 0, "calico ip-in-ip", TrafficTarget.AllNodes, TrafficSource.AllNodes),
    ];

    private async Task<ClusterResources> MadeAsync()
    {
        var resources = await ResourcesAsync(_cloud, _inventory, Create("us-east-1a", "us-east-1b"));
        var plan = ClusterPlan.Build(resources.Cluster);
        await new ClusterNetwork(resources).EnsureAsync(plan, Traffic, Ct);
        await new NatGatewayKind(resources).EnsureAsync(plan, Ct);
        Network.Settle();
        (await new NatGatewayKind(resources).CheckAsync(Ct)).Should().BeTrue();
        return resources;
    }

    [Fact]
    public async Task What_is_placed_in_the_network_may_begin_once_its_subnets_and_groups_exist_before_the_routes_and_rules()
    {
        var resources = await ResourcesAsync(_cloud, _inventory, Create("us-east-1a", "us-east-1b"));
        Network.Fail("AuthorizeSecurityGroupIngress", "InternalError");
        Network.Fail("CreateRoute", "InternalError");

        var build = new ClusterNetwork(resources).Start(ClusterPlan.Build(resources.Cluster), Traffic, Ct);

        await build.Placeable;
        Network.All("subnet").Should().HaveCount(4);
        Network.All("sg").Should().HaveCount(3);
        _inventory.Items.Where(i => i.Kind == ResourceKinds.SecurityGroup).Should().HaveCount(3, "the load balancer names its group by the inventory");
        await FluentActions.Awaiting(() => build.Built).Should().ThrowAsync<Exception>("the build is whole only with its routes and rules");
    }

    [Fact]
    public async Task The_network_is_made_once_wired_as_the_reference_order_says_and_made_again_creates_nothing()
    {
        await MadeAsync();
        var created = Network.Calls.Count(c => c.StartsWith("Create", StringComparison.Ordinal) || c.StartsWith("Allocate", StringComparison.Ordinal));

        var vpc = Network.All("vpc").Should().ContainSingle().Subject;
        Network.All("subnet").Should().HaveCount(4).And.OnlyContain(s => s.VpcId == vpc.Id);
        Network.All("igw").Should().ContainSingle().Which.Attachments.Should().Equal(vpc.Id);
        Network.All("nat").Should().HaveCount(2).And.OnlyContain(n => n.Phase == NatGatewayPhase.Available);
        Network.All("eip").Should().HaveCount(2).And.OnlyContain(a => a.HeldByService);
        var tables = Network.All("rtb");
        tables.Should().HaveCount(3);
        var publicTable = tables.Single(t => t.Tags["Name"] == "demo-rt-public");
        publicTable.Routes.Should().ContainSingle().Which.TargetId.Should().Be(Network.All("igw")[0].Id);
        publicTable.Associations.Select(a => a.SubnetId).Should().BeEquivalentTo(_inventory.Items.Where(i => i.Kind == ResourceKinds.Subnet && i.Role == "public").Select(i => i.Id));
        tables.Where(t => t != publicTable).Should().OnlyContain(t => t.Routes.Single().TargetId!.StartsWith("nat-", StringComparison.Ordinal) && t.Associations.Count == 1);
        var groups = Network.All("sg");
        groups.Should().HaveCount(3);
        var node = groups.Single(g => g.Tags["Name"] == "demo-node");
        node.Ingress.Should().Contain(r => r.Protocol == "4" && r.FromPort == null && r.SourceGroupId == node.Id);
        groups.Single(g => g.Tags["Name"] == "demo-apiserver-lb").Ingress.Should().ContainSingle(r => r.SourceCidr == "0.0.0.0/0" && r.FromPort == 6443);

        await MadeAsync();

        Network.Calls.Count(c => c.StartsWith("Create", StringComparison.Ordinal) || c.StartsWith("Allocate", StringComparison.Ordinal)).Should().Be(created);
        Network.All("vpc").Should().ContainSingle();
    }

    [Fact]
    public async Task Teardown_removes_the_whole_network_over_passes_in_dependency_order()
    {
        var resources = await MadeAsync();

        var first = await new Teardown(resources).PassAsync(Ct);

        first.Done.Should().BeFalse();
        first.WaitingFor.Should().Contain(w => w.StartsWith("NAT gateway", StringComparison.Ordinal));
        Network.All("vpc").Should().ContainSingle("its subnets still hold the NAT gateways being deleted");
        Network.Settle();
        TeardownResult last = first;
        for (var pass = 0; pass < 5 && !last.Done; pass++)
            last = await new Teardown(await ResourcesAsync(_cloud, _inventory, resources.Cluster)).PassAsync(Ct);

        last.Done.Should().BeTrue(string.Join("; ", last.WaitingFor.Concat(last.Errors)));
        last.Errors.Should().BeEmpty();
        foreach (var kind in new[] { "vpc", "subnet", "igw", "rtb", "eip", "nat", "sg" })
            Network.All(kind).Where(r => r.Kind != "nat" || r.Phase != NatGatewayPhase.Deleted).Should().BeEmpty(kind);
        _inventory.Items.Should().BeEmpty();
    }
}
