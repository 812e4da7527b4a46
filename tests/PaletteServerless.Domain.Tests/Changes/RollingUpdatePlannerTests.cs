using CsCheck;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Tests.Changes;

public class RollingUpdatePlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Zones = ["z-a", "z-b", "z-c"];

    private static PoolNode Node(string id, string zone, int minute, string fingerprint = "new", NodeState state = NodeState.Healthy) =>
        new(id, "workers", zone, T0.AddMinutes(minute), fingerprint, state);

    private static RolloutTarget Target(int count, int surge, int unavailable, bool oneAtATime = false, string[]? zones = null) =>
        new(count, "new", zones ?? ["z-a", "z-b"], surge, unavailable, oneAtATime);

    // ---- single steps ----

    [Fact]
    public void Expand_first_launches_one_new_node_before_any_old_one_goes()
    {
        var nodes = new[] { Node("a", "z-a", 1, "old"), Node("b", "z-b", 2, "old") };

        var step = RollingUpdatePlanner.Next(Target(2, surge: 1, unavailable: 0), nodes);

        step.TerminateIds.Should().BeEmpty();
        step.LaunchZones.Should().HaveCount(1);
    }

    [Fact]
    public void Expand_first_terminates_an_old_node_once_its_replacement_is_healthy()
    {
        var nodes = new[] { Node("a", "z-a", 1, "old"), Node("b", "z-b", 2, "old"), Node("c", "z-a", 3) };

        var step = RollingUpdatePlanner.Next(Target(2, surge: 1, unavailable: 0), nodes);

        step.TerminateIds.Should().Equal("a");
        step.LaunchZones.Should().BeEmpty("three nodes exist, the most count 2 + maxSurge 1 allows");
    }

    [Fact]
    public void Contract_first_terminates_before_launching()
    {
        var nodes = new[] { Node("a", "z-a", 1, "old"), Node("b", "z-b", 2, "old") };

        var step = RollingUpdatePlanner.Next(Target(2, surge: 0, unavailable: 1), nodes);

        step.TerminateIds.Should().ContainSingle();
        step.LaunchZones.Should().BeEmpty("the terminated node still exists until it is gone");
    }

    [Fact]
    public void Scale_in_removes_from_the_fullest_zone_oldest_first()
    {
        var nodes = new[] { Node("a1", "z-a", 5), Node("a2", "z-a", 1), Node("a3", "z-a", 3), Node("b1", "z-b", 0), Node("b2", "z-b", 2) };

        var step = RollingUpdatePlanner.Next(Target(3, surge: 1, unavailable: 2), nodes);

        step.TerminateIds.Should().Equal("a2", "b1");
        step.LaunchZones.Should().BeEmpty();
    }

    [Fact]
    public void Scale_out_fills_the_emptiest_zones_first()
    {
        var nodes = new[] { Node("a1", "z-a", 1), Node("a2", "z-a", 2), Node("b1", "z-b", 3) };

        var step = RollingUpdatePlanner.Next(Target(6, surge: 3, unavailable: 0, zones: Zones), nodes);

        step.LaunchZones.Should().Equal("z-c", "z-b", "z-c");
    }

    [Fact]
    public void Unhealthy_nodes_and_stale_launches_are_terminated_whatever_the_bounds()
    {
        var nodes = new[] { Node("a", "z-a", 1, state: NodeState.Unhealthy), Node("b", "z-b", 2, "old", NodeState.Launching), Node("c", "z-a", 3) };

        var step = RollingUpdatePlanner.Next(Target(3, surge: 0, unavailable: 0), nodes);

        step.TerminateIds.Should().BeEquivalentTo("a", "b");
    }

    [Fact]
    public void A_node_in_a_zone_no_longer_listed_is_rolled()
    {
        var nodes = new[] { Node("a", "z-a", 1), Node("c", "z-c", 2) };

        var step = RollingUpdatePlanner.Next(Target(2, surge: 1, unavailable: 0), nodes);

        step.LaunchZones.Should().Equal("z-b");
    }

    [Fact]
    public void One_at_a_time_waits_for_any_node_in_flight_and_then_does_one_thing()
    {
        var launching = new[] { Node("a", "z-a", 1, "old"), Node("b", "z-a", 2, state: NodeState.Launching) };
        RollingUpdatePlanner.Next(Target(1, 1, 0, oneAtATime: true), launching).IsEmpty.Should().BeTrue();

        var settled = new[] { Node("a", "z-a", 1, "old"), Node("b", "z-a", 2, "old"), Node("c", "z-a", 3, "old") };
        var step = RollingUpdatePlanner.Next(Target(3, 1, 0, oneAtATime: true, zones: ["z-a"]), settled);
        (step.LaunchZones.Count + step.TerminateIds.Count).Should().Be(1);
    }

    [Fact]
    public void The_control_plane_target_is_one_at_a_time_whatever_the_spec_says()
    {
        var spec = ClusterSpecValidator.Validate(Specs.Valid() with { NodePools = [Specs.ControlPlane(3), Specs.Worker()] });

        var target = RolloutTarget.Of(spec, spec.NodePools![0]);

        target.Should().Match<RolloutTarget>(t => t.MaxSurge == 1 && t.MaxUnavailable == 0 && t.OneAtATime && t.Count == 3);
    }

    [Theory]
    [InlineData("\"25%\"", "\"25%\"", 10, 3, 2)]
    [InlineData("\"10%\"", "0", 3, 1, 0)]
    [InlineData("\"0%\"", "\"10%\"", 3, 0, 1)]
    [InlineData("0", "\"50%\"", 5, 0, 2)]
    public void Percents_resolve_as_cluster_api_and_never_both_to_zero(string surge, string unavailable, int count, int expectedSurge, int expectedUnavailable)
    {
        RolloutTarget.Resolve(SpecJson.FromJson<IntOrPercent>(surge), SpecJson.FromJson<IntOrPercent>(unavailable), count)
            .Should().Be((expectedSurge, expectedUnavailable));
    }

    [Fact]
    public void A_converged_pool_needs_nothing()
    {
        var nodes = new[] { Node("a", "z-a", 1), Node("b", "z-b", 2) };
        var target = Target(2, 1, 0);

        RollingUpdatePlanner.IsConverged(target, nodes).Should().BeTrue();
        RollingUpdatePlanner.Next(target, nodes).IsEmpty.Should().BeTrue();
    }

    // ---- simulation ----

    private sealed record Scenario(
        int Count, string[] Zones, string Surge, string Unavailable, bool OneAtATime,
        PoolNode[] Initial, int Seed, int FailureBudget);

    private static readonly Gen<PoolNode> InitialNode = Gen.Select(
        Gen.OneOf("z-a", "z-b", "z-c", "z-d"), Gen.Int[0, 100], Gen.OneOf("new", "old", "older"),
        Gen.OneOf(Gen.Const(NodeState.Healthy), Gen.Const(NodeState.Healthy), Gen.Const(NodeState.Launching), Gen.Const(NodeState.Unhealthy), Gen.Const(NodeState.Terminating)),
        (zone, minute, fingerprint, state) => new PoolNode("", "workers", zone, T0.AddMinutes(minute), fingerprint, state));

    private static readonly Gen<Scenario> Scenarios = Gen.Select(
        Gen.Select(Gen.Int[0, 9], Gen.Int[1, 3], Gen.OneOf("0", "1", "2", "3", "0%", "25%", "50%", "100%"), Gen.OneOf("0", "1", "2", "0%", "25%", "50%", "100%")),
        Gen.Select(Gen.Int[0, 5].Select(n => n == 0), InitialNode.Array[0, 12], Gen.Int, Gen.Int[0, 6]),
        (a, b) => new Scenario(a.Item1, Zones[..a.Item2], a.Item3, a.Item4, b.Item1,
            b.Item2.Select((n, i) => n with { Id = $"i-{i}" }).ToArray(), b.Item3, b.Item4));

    private static IntOrPercent Parse(string text) => text.EndsWith('%') ? IntOrPercent.Percent(int.Parse(text[..^1])) : IntOrPercent.Of(int.Parse(text));

    /// <summary>
    /// Runs the planner against a world where launches and terminations take random time and nodes fail at
    /// random until a failure budget is spent; checks every step's bounds, that it never stalls, and that the pool
    /// ends with count healthy nodes of the new fingerprint, spread evenly when no current node was there before.
    /// </summary>
    private static void Simulate(Scenario s)
    {
        var random = new Random(s.Seed);
        var (surge, unavailable) = s.OneAtATime ? (1, 0) : RolloutTarget.Resolve(Parse(s.Surge), Parse(s.Unavailable), s.Count);
        var target = new RolloutTarget(s.Count, "new", s.Zones, surge, unavailable, s.OneAtATime);
        var nodes = s.Initial.ToList();
        var startedBalanced = !nodes.Any(n => n.State != NodeState.Terminating && target.IsCurrent(n));
        var failures = s.FailureBudget;
        var next = 0;
        for (var round = 0; round < 1000; round++)
        {
            var step = RollingUpdatePlanner.Next(target, nodes);
            var healthyBefore = nodes.Count(n => n.State == NodeState.Healthy);
            var inFlight = nodes.Any(n => n.State is NodeState.Launching or NodeState.Terminating);

            step.TerminateIds.Should().OnlyHaveUniqueItems();
            step.TerminateIds.All(id => nodes.Any(n => n.Id == id && n.State != NodeState.Terminating)).Should().BeTrue("only live nodes are terminated");
            step.LaunchZones.All(z => s.Zones.Contains(z)).Should().BeTrue("nodes launch only in the pool's zones");
            if (step.LaunchZones.Count > 0)
                (nodes.Count + step.LaunchZones.Count).Should().BeLessThanOrEqualTo(s.Count + surge, "no more than count + maxSurge nodes exist");
            var healthyAfter = nodes.Count(n => n.State == NodeState.Healthy && !step.TerminateIds.Contains(n.Id));
            healthyAfter.Should().BeGreaterThanOrEqualTo(Math.Min(healthyBefore, s.Count - unavailable), "no fewer than count - maxUnavailable healthy nodes run");
            if (s.OneAtATime)
            {
                (step.LaunchZones.Count + step.TerminateIds.Count).Should().BeLessThanOrEqualTo(1);
                if (inFlight)
                    step.IsEmpty.Should().BeTrue("one at a time waits for the node in flight");
            }
            var converged = RollingUpdatePlanner.IsConverged(target, nodes);
            if (converged)
                step.IsEmpty.Should().BeTrue("a converged pool needs nothing");
            else if (!inFlight)
                step.IsEmpty.Should().BeFalse("with nothing in flight and the pool not done, the planner must act");
            if (converged && failures == 0)
                break;

            // The step, then the world: launches and terminations finish after a while, nodes fail now and then.
            nodes = nodes.Select(n => step.TerminateIds.Contains(n.Id) ? n with { State = NodeState.Terminating } : n).ToList();
            nodes.AddRange(step.LaunchZones.Select(z => new PoolNode($"n-{next++}", "workers", z, T0.AddMinutes(200 + round), "new", NodeState.Launching)));
            var world = new List<PoolNode>();
            foreach (var node in nodes)
            {
                var roll = random.NextDouble();
                var fails = failures > 0 && roll < 0.05;
                switch (node.State)
                {
                    case NodeState.Terminating when roll < 0.5:
                        continue;
                    case NodeState.Launching or NodeState.Healthy when fails:
                        failures--;
                        world.Add(node with { State = NodeState.Unhealthy });
                        break;
                    case NodeState.Launching when roll < 0.6:
                        world.Add(node with { State = NodeState.Healthy });
                        break;
                    default:
                        world.Add(node);
                        break;
                }
            }
            nodes = world;
            if (round > 500)
                failures = 0;
        }

        RollingUpdatePlanner.IsConverged(target, nodes).Should().BeTrue($"the pool converges: {string.Join(", ", nodes)}");
        if (startedBalanced && s.Zones.Length > 0)
        {
            var perZone = s.Zones.Select(z => nodes.Count(n => n.Zone == z)).ToList();
            (perZone.Max() - perZone.Min()).Should().BeLessThanOrEqualTo(1, "new nodes are spread evenly over the zones");
        }
    }

    [Fact]
    public void Rolling_updates_keep_their_bounds_at_every_step_and_converge()
    {
        Scenarios.Sample(Simulate, iter: 3000);
    }
}
