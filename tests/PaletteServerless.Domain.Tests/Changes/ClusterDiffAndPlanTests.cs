using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests.Changes;

public class ClusterDiffAndPlanTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly ClusterSpec Current = ClusterSpecValidator.Validate(Valid() with
    {
        NodePools = [ControlPlane(), Specs.Worker(), Specs.Worker("gpu") with { Count = 1, InstanceType = "g4dn.xlarge", AvailabilityZones = ["us-east-1b"] }],
    });

    private static readonly Cluster Cluster = new()
    {
        Scope = new ProjectScope("t", "p"), Uid = "0123456789abcdef0123456789abcdef", Spec = Current, Status = ClusterStatus.Running, Generation = 4, ObservedGeneration = 4,
    };

    private static ClusterSpec Change(Func<ClusterSpec, ClusterSpec> change) => ClusterChanges.Validate(Current, change(Current));

    private static ClusterSpec ChangeWorkers(Func<NodePoolSpec, NodePoolSpec> change) =>
        Change(s => s with { NodePools = [s.NodePools![0], change(s.NodePools[1]), s.NodePools[2]] });

    /// <summary>The nodes the cluster runs now, all launched with the current spec.</summary>
    private static List<PoolNode> Nodes(params (string Id, string Pool, string Zone, int Minute)[] nodes) =>
        nodes.Select(n => new PoolNode(n.Id, n.Pool, n.Zone, T0.AddMinutes(n.Minute),
            LaunchFingerprint.Of(Current, Current.NodePools!.Single(p => p.Name == n.Pool)), NodeState.Healthy)).ToList();

    private static readonly List<PoolNode> Running = Nodes(
        ("i-cp", "control-plane", "us-east-1a", 0), ("i-w1", "workers", "us-east-1a", 1), ("i-w2", "workers", "us-east-1b", 2), ("i-g1", "gpu", "us-east-1b", 3));

    private static PoolChangePlan PoolPlan(ChangePlan plan, string pool) => plan.Pools.Single(p => p.Pool == pool);

    // ---- classification ----

    [Fact]
    public void Each_kind_of_change_is_classified()
    {
        string KindOf(ClusterSpec next, string pool) => ClusterDiff.Of(Current, next).Pools.Single(p => p.Pool == pool).Kind;

        KindOf(ChangeWorkers(w => w with { InstanceType = "m5.2xlarge", Count = 5 }), "workers").Should().Be(PoolChangeKinds.Replace);
        KindOf(ChangeWorkers(w => w with { Count = 5 }), "workers").Should().Be(PoolChangeKinds.ScaleOut);
        KindOf(ChangeWorkers(w => w with { Count = 1 }), "workers").Should().Be(PoolChangeKinds.ScaleIn);
        KindOf(ChangeWorkers(w => w with { HealthCheck = new HealthCheckSpec { Enabled = false } }), "workers").Should().Be(PoolChangeKinds.InPlace);
        KindOf(ChangeWorkers(w => w with { HealthCheck = new HealthCheckSpec { Enabled = false } }), "gpu").Should().Be(PoolChangeKinds.None);
        KindOf(Change(s => s with { Tags = new() { ["team"] = "x" } }), "gpu").Should().Be(PoolChangeKinds.InPlace, "tags are applied to every node in place");
        KindOf(Change(s => s with { Settings = new ClusterSettings { PatchSchedule = "0 3 * * SUN" } }), "gpu").Should().Be(PoolChangeKinds.None);
        KindOf(Change(s => s with { Profile = s.Profile! with { Version = "2.0.0" } }), "gpu").Should().Be(PoolChangeKinds.None,
            "a profile version repaves only through what it changes on the nodes (ChangeScope); the agent applies the rest in place");
        KindOf(Change(s => s with { Profile = s.Profile! with { PackValues = new() { ["calico"] = "mtu: 1300" } } }), "gpu").Should().Be(PoolChangeKinds.None);
        KindOf(Change(s => s with { Profile = s.Profile! with { PackValues = new() { ["kubernetes"] = "podCIDR: 10.244.0.0/16" } } }), "gpu").Should().Be(PoolChangeKinds.Replace);
        KindOf(ClusterChanges.AddPool(Current, Specs.Worker("batch")), "batch").Should().Be(PoolChangeKinds.Add);
        KindOf(ClusterChanges.RemovePool(Current, "gpu"), "gpu").Should().Be(PoolChangeKinds.Remove);
    }

    [Fact]
    public void The_diff_names_changed_fields_as_json_paths()
    {
        var diff = ClusterDiff.Of(Current, Change(s => s with
        {
            Description = "d", Tags = new() { ["team"] = "x" },
            NodePools = [s.NodePools![0], s.NodePools[1] with { Count = 3, Labels = new() { ["a"] = "b" } }, s.NodePools[2]],
        }));

        diff.ChangedFields.Should().BeEquivalentTo("description", "tags.team");
        diff.Pools.Single(p => p.Pool == "workers").ChangedFields.Should().BeEquivalentTo("count", "labels.a");
        ClusterDiff.Of(Current, Current).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void The_control_plane_goes_first_then_workers_in_parallel_or_in_turn()
    {
        ClusterDiff.Stages(Current).Should().BeEquivalentTo(new[] { new[] { "control-plane" }, ["workers"], ["gpu"] }, o => o.WithStrictOrdering());
        ClusterDiff.Stages(Current with { UpdateWorkerPoolsInParallel = true })
            .Should().BeEquivalentTo(new[] { new[] { "control-plane" }, ["workers", "gpu"] }, o => o.WithStrictOrdering());
    }

    // ---- dry-run plan ----

    [Fact]
    public void A_new_instance_type_replaces_every_node_of_the_pool_and_prices_both()
    {
        var plan = ChangePlan.Of(Cluster, ChangeWorkers(w => w with { InstanceType = "m5.large" }), Running);

        var workers = PoolPlan(plan, "workers");
        workers.Change.Should().Be(PoolChangeKinds.Replace);
        workers.ReplacedNodeIds.Should().BeEquivalentTo("i-w1", "i-w2");
        workers.AddedCount.Should().Be(0);
        workers.LaunchZones.Should().BeEquivalentTo("us-east-1a", "us-east-1b");
        workers.RemovedNodeIds.Should().BeEmpty();
        workers.OldHourlyCostUsd.Should().Be(Math.Round(2 * (0.192m + 65 * 0.08m / 730m), 4));
        workers.NewHourlyCostUsd.Should().Be(Math.Round(2 * (0.096m + 65 * 0.08m / 730m), 4));
        (plan.OldEstimatedHourlyCostUsd - plan.NewEstimatedHourlyCostUsd).Should().Be(2 * 0.096m);
        PoolPlan(plan, "gpu").Change.Should().Be(PoolChangeKinds.None);
        PoolPlan(plan, "gpu").ReplacedNodeIds.Should().BeEmpty();
        plan.Generation.Should().Be(5);
    }

    [Fact]
    public void Scale_out_adds_nodes_in_the_emptiest_zones()
    {
        var plan = ChangePlan.Of(Cluster, ChangeWorkers(w => w with { Count = 5 }), Running);

        var workers = PoolPlan(plan, "workers");
        workers.Change.Should().Be(PoolChangeKinds.ScaleOut);
        workers.AddedCount.Should().Be(3);
        workers.LaunchZones.Should().Equal("us-east-1a", "us-east-1b", "us-east-1a");
        workers.ReplacedNodeIds.Should().BeEmpty();
        plan.NewEstimatedHourlyCostUsd.Should().BeGreaterThan(plan.OldEstimatedHourlyCostUsd);
    }

    [Fact]
    public void Scale_in_removes_from_the_fullest_zone_oldest_first()
    {
        var nodes = Nodes(("i-cp", "control-plane", "us-east-1a", 0), ("i-new", "workers", "us-east-1a", 9), ("i-old", "workers", "us-east-1a", 1),
            ("i-b", "workers", "us-east-1b", 0), ("i-g1", "gpu", "us-east-1b", 3));

        var plan = ChangePlan.Of(Cluster, ChangeWorkers(w => w with { Count = 1 }), nodes);

        var workers = PoolPlan(plan, "workers");
        workers.Change.Should().Be(PoolChangeKinds.ScaleIn);
        // The fuller zone loses its oldest; then the zones are even and the oldest of all goes.
        workers.RemovedNodeIds.Should().Equal("i-old", "i-b");
        workers.AddedCount.Should().Be(0);
        workers.LaunchZones.Should().BeEmpty();
    }

    [Fact]
    public void A_replace_with_fewer_nodes_replaces_some_and_removes_the_rest()
    {
        var nodes = Nodes(("i-cp", "control-plane", "us-east-1a", 0), ("i-a1", "workers", "us-east-1a", 1), ("i-a2", "workers", "us-east-1a", 2),
            ("i-b1", "workers", "us-east-1b", 3), ("i-g1", "gpu", "us-east-1b", 3));

        var plan = ChangePlan.Of(Cluster, ChangeWorkers(w => w with { Count = 1, DiskSizeGiB = 100 }), nodes);

        var workers = PoolPlan(plan, "workers");
        workers.RemovedNodeIds.Should().Equal("i-a1", "i-a2");
        workers.ReplacedNodeIds.Should().Equal("i-b1");
        workers.LaunchZones.Should().HaveCount(1);
    }

    [Fact]
    public void Tags_change_in_place_and_nothing_is_launched()
    {
        var plan = ChangePlan.Of(Cluster, Change(s => s with { Tags = new() { ["team"] = "x" }, Description = "d" }), Running);

        plan.ChangedFields.Should().BeEquivalentTo("tags.team", "description");
        plan.Pools.Should().OnlyContain(p => p.Change == PoolChangeKinds.InPlace && p.ReplacedNodeIds.Count == 0 && p.LaunchZones.Count == 0 && p.RemovedNodeIds.Count == 0);
        plan.NewEstimatedHourlyCostUsd.Should().Be(plan.OldEstimatedHourlyCostUsd);
    }

    [Fact]
    public void Added_and_removed_pools_launch_and_terminate_all_their_nodes()
    {
        var added = ChangePlan.Of(Cluster, ClusterChanges.AddPool(Current, Specs.Worker("batch") with { Count = 3 }), Running);
        PoolPlan(added, "batch").Should().Match<PoolChangePlan>(p => p.Change == PoolChangeKinds.Add && p.AddedCount == 3 && p.OldHourlyCostUsd == 0);
        PoolPlan(added, "batch").LaunchZones.Should().Equal("us-east-1a", "us-east-1b", "us-east-1a");

        var removed = ChangePlan.Of(Cluster, ClusterChanges.RemovePool(Current, "gpu"), Running);
        PoolPlan(removed, "gpu").Should().Match<PoolChangePlan>(p => p.Change == PoolChangeKinds.Remove && p.NewHourlyCostUsd == 0);
        PoolPlan(removed, "gpu").RemovedNodeIds.Should().Equal("i-g1");
        removed.NewEstimatedHourlyCostUsd.Should().Be(removed.OldEstimatedHourlyCostUsd - PoolPlan(removed, "gpu").OldHourlyCostUsd!.Value);
    }

    [Fact]
    public void Leaving_a_zone_keeps_the_network_cost_as_built()
    {
        // Every pool leaves us-east-1b; its subnets and NAT gateway stay (and cost) until the cluster is deleted.
        var next = Change(s => s with
        {
            NodePools = [s.NodePools![0], s.NodePools[1] with { AvailabilityZones = ["us-east-1a"] }, s.NodePools[2] with { AvailabilityZones = ["us-east-1a"] }],
        });

        var plan = ChangePlan.Of(Cluster, next, Running);

        plan.NewEstimatedHourlyCostUsd.Should().Be(plan.OldEstimatedHourlyCostUsd, "the nodes are the same, and the VPC keeps its subnets and NAT gateways");
        // Zones are part of a node's launch: the pool rolls.
        PoolPlan(plan, "workers").ReplacedNodeIds.Should().BeEquivalentTo("i-w1", "i-w2");
        PoolPlan(plan, "workers").LaunchZones.Should().Equal("us-east-1a", "us-east-1a");
    }

    [Fact]
    public void An_unchanged_spec_plans_nothing_and_keeps_the_generation()
    {
        var plan = ChangePlan.Of(Cluster, Current, Running);

        plan.Generation.Should().Be(4);
        plan.Pools.Should().OnlyContain(p => p.Change == PoolChangeKinds.None && p.LaunchZones.Count == 0 && p.RemovedNodeIds.Count == 0);
    }

    [Fact]
    public void Nodes_left_stale_or_unhealthy_by_an_earlier_update_are_planned_for_replacement()
    {
        var nodes = Running.Select(n => n.Id == "i-w1" ? n with { Fingerprint = "lf1-older" } : n.Id == "i-w2" ? n with { State = NodeState.Unhealthy } : n).ToList();

        var workers = PoolPlan(ChangePlan.Of(Cluster, Current, nodes), "workers");

        workers.ReplacedNodeIds.Should().BeEquivalentTo("i-w1", "i-w2");
        workers.LaunchZones.Should().BeEquivalentTo("us-east-1a", "us-east-1b");
    }
}
