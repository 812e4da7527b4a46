using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.Remediation;

namespace PaletteServerless.Domain.Tests.Remediation;

public class RemediationPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static NodeObservation Node(string id, string pool = "workers", string zone = "us-east-1a", string? state = "running",
        string? phase = NodePhases.Ready, int minutesOld = 60, bool impaired = false, bool interrupted = false, bool retiring = false) => new()
        {
            InstanceId = id, Pool = pool, Zone = zone, LaunchedAt = Now.AddMinutes(-minutesOld), InstanceState = state,
            NodePhase = phase, Impaired = impaired, SpotInterrupted = interrupted, Retiring = retiring,
        };

    private static ClusterSpec Spec(int workers = 3, int controlPlanes = 1, HealthCheckSpec? check = null, HealthCheckSpec? controlPlaneCheck = null) =>
        Specs.Valid() with
        {
            NodePools =
            [
                Specs.ControlPlane(controlPlanes) with { HealthCheck = controlPlaneCheck },
                Specs.Worker() with { Count = workers, HealthCheck = check },
            ],
        };

    private static readonly NodeObservation[] HealthyControlPlane = [Node("cp-1", "control-plane")];

    private static RemediationDecision Decide(ClusterSpec spec, IEnumerable<NodeObservation> nodes, IReadOnlyList<CapacityShortage>? shortages = null) =>
        RemediationPlanner.Decide(spec, [.. nodes], new Dictionary<string, IReadOnlyList<string>>(), shortages ?? [], Now);

    [Fact]
    public void A_pool_of_healthy_nodes_needs_nothing()
    {
        var decision = Decide(Spec(), [.. HealthyControlPlane, Node("w-1"), Node("w-2", zone: "us-east-1b"), Node("w-3")]);
        decision.AnyFailing.Should().BeFalse();
        decision.Replacements.Should().BeEmpty();
        decision.PausedPools.Should().BeEmpty();
    }

    [Theory]
    [InlineData("terminated", false, false, UnhealthyReason.Gone)]
    [InlineData(null, false, false, UnhealthyReason.Gone)]
    [InlineData("shutting-down", false, false, UnhealthyReason.Gone)]
    [InlineData("stopped", false, false, UnhealthyReason.Stopped)]
    [InlineData("stopping", false, false, UnhealthyReason.Stopped)]
    [InlineData("running", true, false, UnhealthyReason.Impaired)]
    [InlineData("running", false, true, UnhealthyReason.SpotInterrupted)]
    [InlineData("shutting-down", false, true, UnhealthyReason.SpotInterrupted)]
    [InlineData("terminated", false, true, UnhealthyReason.SpotInterrupted)]
    [InlineData(null, false, true, UnhealthyReason.SpotInterrupted)]
    [InlineData("stopped", false, true, UnhealthyReason.Stopped)]
    public void A_failed_node_is_replaced_in_its_own_pool_and_zone_first(string? state, bool impaired, bool interrupted, UnhealthyReason reason)
    {
        var decision = Decide(Spec(), [.. HealthyControlPlane, Node("w-1"), Node("w-2", zone: "us-east-1b", state: state, impaired: impaired, interrupted: interrupted), Node("w-3")]);

        var replacement = decision.Replacements.Should().ContainSingle().Subject;
        replacement.Should().BeEquivalentTo(new Replacement("workers", NodePoolRoles.Worker, "w-2", reason, true, ["us-east-1b", "us-east-1a"]));
        decision.Pools.Single(p => p.Pool == "workers").Healthy.Should().Be(2);
    }

    [Fact]
    public void A_node_that_never_reports_ready_within_the_startup_timeout_fails_and_one_still_starting_is_left_alone()
    {
        var spec = Spec(check: new HealthCheckSpec { NodeStartupTimeoutMinutes = 15 });
        var stuck = Decide(spec, [.. HealthyControlPlane, Node("w-1"), Node("w-2"), Node("w-3", phase: null, minutesOld: 15)]);
        stuck.Replacements.Should().ContainSingle().Which.Reason.Should().Be(UnhealthyReason.StartupTimedOut);

        var joinedOnly = Decide(spec, [.. HealthyControlPlane, Node("w-1"), Node("w-2"), Node("w-3", phase: NodePhases.Joined, minutesOld: 20)]);
        joinedOnly.Replacements.Should().ContainSingle("Joined is not Ready").Which.OldInstanceId.Should().Be("w-3");

        var starting = Decide(spec, [.. HealthyControlPlane, Node("w-1"), Node("w-2"), Node("w-3", phase: null, minutesOld: 14)]);
        starting.Replacements.Should().BeEmpty();
        starting.Pools.Single(p => p.Pool == "workers").Starting.Should().Be(1);
    }

    [Fact]
    public void Nodes_the_product_is_retiring_are_neither_failed_nor_members()
    {
        var decision = Decide(Spec(), [.. HealthyControlPlane, Node("w-1"), Node("w-2"), Node("w-3"), Node("w-old", state: "shutting-down", retiring: true)]);
        decision.AnyFailing.Should().BeFalse();
    }

    [Fact]
    public void More_unhealthy_nodes_than_max_unhealthy_pause_the_pool_naming_it_and_the_counts()
    {
        var spec = Spec(workers: 5, check: new HealthCheckSpec { MaxUnhealthy = IntOrPercent.Percent(40) });
        var decision = Decide(spec, [.. HealthyControlPlane, Node("w-1"), Node("w-2"), Node("w-3", state: "stopped"), Node("w-4", state: "terminated"), Node("w-5", impaired: true)]);

        decision.Replacements.Should().BeEmpty("no replacement storm");
        var paused = decision.PausedPools.Should().ContainSingle().Subject;
        paused.Pool.Should().Be("workers");
        paused.Paused.Should().Contain("3 of 5 nodes of pool workers").And.Contain("maxUnhealthy 40%");

        var two = Decide(spec, [.. HealthyControlPlane, Node("w-1"), Node("w-2"), Node("w-3"), Node("w-4", state: "terminated"), Node("w-5", impaired: true)]);
        two.PausedPools.Should().BeEmpty();
        two.Replacements.Should().HaveCount(2);
    }

    [Fact]
    public void Nodes_missing_from_the_pool_count_as_failed_and_are_launched_where_the_pool_is_thinnest()
    {
        var decision = Decide(Spec(workers: 4), [.. HealthyControlPlane, Node("w-1"), Node("w-2", zone: "us-east-1b"), Node("w-3")]);

        var replacement = decision.Replacements.Should().ContainSingle().Subject;
        replacement.OldInstanceId.Should().BeNull();
        replacement.Launch.Should().BeTrue();
        replacement.Zones[0].Should().Be("us-east-1b");
    }

    [Fact]
    public void Every_failed_worker_within_maxUnhealthy_is_replaced_in_one_decision_each_in_its_own_zone()
    {
        // A 500-node pool with 20 failed workers: one decision (one pass of the workflow) replaces all 20, side by side.
        var workers = Enumerable.Range(0, 500).Select(i => Node($"w-{i:D3}", zone: i % 2 == 0 ? "us-east-1a" : "us-east-1b",
            state: i % 25 == 0 ? "terminated" : "running")).ToList();

        var decision = Decide(Spec(workers: 500), [.. HealthyControlPlane, .. workers]);

        var replacements = decision.Replacements.ToList();
        replacements.Should().HaveCount(20).And.OnlyContain(r => r.Launch && r.Pool == "workers");
        replacements.Select(r => r.OldInstanceId).Should().BeEquivalentTo(workers.Where(w => w.InstanceState == "terminated").Select(w => w.InstanceId));
        replacements.Should().OnlyContain(r => r.Zones[0] == workers.Single(w => w.InstanceId == r.OldInstanceId).Zone);
    }

    [Fact]
    public void A_failed_node_the_pool_no_longer_needs_is_only_retired()
    {
        // A replacement made by an earlier run is up: the old node goes, nothing new is launched.
        var decision = Decide(Spec(), [.. HealthyControlPlane, Node("w-1"), Node("w-2"), Node("w-new"), Node("w-old", state: "stopped")]);
        decision.Replacements.Should().ContainSingle().Which.Should().Match<Replacement>(r => r.OldInstanceId == "w-old" && !r.Launch);
    }

    [Fact]
    public void Control_plane_nodes_are_replaced_one_at_a_time()
    {
        var spec = Spec(controlPlanes: 5);
        var cp = new[] { Node("cp-1", "control-plane"), Node("cp-2", "control-plane"), Node("cp-3", "control-plane") };
        var workers = new[] { Node("w-1"), Node("w-2"), Node("w-3") };

        var twoFailed = Decide(spec, [.. cp, Node("cp-4", "control-plane", state: "stopped"), Node("cp-5", "control-plane", state: "terminated"), .. workers]);
        var moves = twoFailed.Replacements.Where(r => r.Pool == "control-plane").ToList();
        moves.Should().ContainSingle().Which.OldInstanceId.Should().Be("cp-5", "a node that is gone is replaced before one that is only stopped");

        var oneStarting = Decide(spec, [.. cp, Node("cp-new", "control-plane", phase: null, minutesOld: 1), Node("cp-4", "control-plane", state: "stopped"), Node("cp-5", "control-plane", state: "terminated"), .. workers]);
        oneStarting.Replacements.Where(r => r.Pool == "control-plane" && r.Launch).Should().BeEmpty("a new member is still joining");
    }

    [Fact]
    public void A_control_plane_without_quorum_is_paused_not_replaced()
    {
        var spec = Spec(controlPlanes: 3);
        var decision = Decide(spec, [Node("cp-1", "control-plane"), Node("cp-2", "control-plane", state: "terminated"), Node("cp-3", "control-plane", state: "stopped"), Node("w-1"), Node("w-2"), Node("w-3")]);
        decision.Replacements.Should().BeEmpty();
        decision.PausedPools.Should().ContainSingle().Which.Paused.Should().Contain("quorum of 2");
    }

    [Fact]
    public void A_pool_with_its_health_check_off_is_not_judged()
    {
        var decision = Decide(Spec(check: new HealthCheckSpec { Enabled = false }), [.. HealthyControlPlane, Node("w-1", state: "terminated"), Node("w-2"), Node("w-3")]);
        decision.Pools.Should().NotContain(p => p.Pool == "workers");
        decision.Replacements.Should().BeEmpty();
    }

    [Fact]
    public void A_zone_recently_without_capacity_is_tried_last_and_forgotten_after_a_while()
    {
        var shortage = new CapacityShortage("workers", "us-east-1b", "InsufficientInstanceCapacity", Now.AddMinutes(-5));
        var nodes = new[] { HealthyControlPlane[0], Node("w-1"), Node("w-2", zone: "us-east-1b", state: "terminated"), Node("w-3") };

        Decide(Spec(), nodes, [shortage]).Replacements.Single().Zones.Should().Equal("us-east-1a", "us-east-1b");
        Decide(Spec(), nodes, [shortage with { Pool = "other" }]).Replacements.Single().Zones.Should().Equal("us-east-1b", "us-east-1a");
        Decide(Spec(), nodes, [shortage with { At = Now - ZoneFallback.Memory }]).Replacements.Single().Zones.Should().Equal("us-east-1b", "us-east-1a");
    }

    [Theory]
    [InlineData("InsufficientInstanceCapacity", true)]
    [InlineData("SpotMaxPriceTooLow", true)]
    [InlineData("MaxSpotInstanceCountExceeded", true)]
    [InlineData("InvalidParameterValue", false)]
    [InlineData(null, false)]
    public void Capacity_errors_are_told_apart_from_other_launch_errors(string? code, bool capacity)
    {
        ZoneFallback.IsCapacityError(code).Should().Be(capacity);
    }
}
