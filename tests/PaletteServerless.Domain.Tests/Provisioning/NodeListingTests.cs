using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Tests.Provisioning;

public sealed class NodeListingTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static InventoryItem Instance(string id, string pool, string zone, string? name = null) => new()
    {
        Kind = ResourceKinds.Instance, Id = id, Name = name, AvailabilityZone = zone, RecordedAt = At,
        Attributes = new() { ["role"] = pool == "cp" ? NodePoolRoles.ControlPlane : NodePoolRoles.Worker, ["pool"] = pool },
    };

    private static readonly InventoryItem[] Inventory =
    [
        Instance("i-3", "workers", "us-east-1b", "c-workers-1"),
        Instance("i-1", "cp", "us-east-1a", "c-cp-0"),
        Instance("i-2", "workers", "us-east-1a", "c-workers-0"),
        new() { Kind = ResourceKinds.Subnet, Id = "subnet-1", AvailabilityZone = "us-east-1a", RecordedAt = At },
        new() { Kind = ResourceKinds.Instance, Id = "i-unpooled", RecordedAt = At },
    ];

    [Fact]
    public void Live_nodes_carry_what_EC2_says_grouped_by_pool_in_spec_order_oldest_first()
    {
        var described = new InstanceDescription(
        [
            new("i-3", "us-east-1b", "m5.large", "spot", "pending", null, At.AddMinutes(2), null),
            new("i-2", "us-east-1a", "m5.large", "spot", "running", NodePhases.Failed, At.AddMinutes(1), "10.0.1.5", "cluster DNS: kubernetes.default.svc does not resolve"),
            new("i-1", "us-east-1a", "m5.xlarge", "on-demand", "running", NodePhases.PacksApplied, At, "10.0.0.5"),
        ], null);

        var listing = NodeListings.Of(["cp", "workers", "empty"], Inventory, described);

        listing.Source.Should().Be(NodeSources.Cloud);
        listing.Warning.Should().BeNull();
        listing.Pools.Select(p => p.Pool).Should().Equal("cp", "workers", "empty");
        listing.Pools[0].Nodes.Should().Equal(new ClusterNode("i-1", "c-cp-0", "us-east-1a", "m5.xlarge", "on-demand", "running", "PacksApplied", At, "10.0.0.5"));
        listing.Pools[1].Nodes.Select(n => (n.InstanceId, n.State, n.Phase, n.PhaseMessage)).Should().Equal(
            ("i-2", "running", "Failed", "cluster DNS: kubernetes.default.svc does not resolve"), ("i-3", "pending", null, null));
        listing.Pools[2].Nodes.Should().BeEmpty();
    }

    [Fact]
    public void A_recorded_instance_EC2_no_longer_knows_stays_listed_with_its_state_unknown()
    {
        var listing = NodeListings.Of(["cp", "workers"], Inventory,
            new InstanceDescription([new("i-1", "us-east-1a", "m5.large", "on-demand", "running", null, At, null)], null));

        var gone = listing.Pools[1].Nodes.Single(n => n.InstanceId == "i-3");
        gone.Should().Be(new ClusterNode("i-3", "c-workers-1", "us-east-1b", null, null, null, null, null, null));
        listing.Source.Should().Be(NodeSources.Cloud);
    }

    [Fact]
    public void When_EC2_could_not_be_read_the_record_is_listed_with_the_reason()
    {
        var listing = NodeListings.Of(["cp", "workers"], Inventory, InstanceDescription.Failed("refused (UnauthorizedOperation)"));

        listing.Source.Should().Be(NodeSources.Inventory);
        listing.Warning.Should().Be("refused (UnauthorizedOperation)");
        listing.Pools.SelectMany(p => p.Nodes).Select(n => n.InstanceId).Should().BeEquivalentTo(["i-1", "i-2", "i-3"]);
        listing.Pools.SelectMany(p => p.Nodes).Should().OnlyContain(n => n.State == null && n.Phase == null && n.InstanceType == null && n.Zone != null);
    }

    [Fact]
    public void Nodes_of_a_pool_no_longer_in_the_spec_are_listed_after_the_specified_pools()
    {
        var listing = NodeListings.Of(["cp"], Inventory, null);

        listing.Pools.Select(p => p.Pool).Should().Equal("cp", "workers");
        listing.Pools[1].Nodes.Should().HaveCount(2);
        listing.Source.Should().Be(NodeSources.Inventory);
        listing.Warning.Should().BeNull();
    }

    [Fact]
    public void A_node_without_a_recorded_name_is_named_by_its_id()
    {
        var listing = NodeListings.Of(["cp"], [Instance("i-9", "cp", "us-east-1a")], null);

        listing.Pools[0].Nodes.Single().Name.Should().Be("i-9");
    }
}
