using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Patching;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests.Patching;

public class OsPatchPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 8, 10, 0, TimeSpan.Zero);

    private static ClusterDefinition Definition(int controlPlanes = 3, int workers = 4, IntOrPercent? maxUnavailable = null, bool parallel = false, int workerPools = 1)
    {
        var spec = Valid();
        var pools = new List<NodePoolSpec> { ControlPlane(controlPlanes) };
        for (var p = 0; p < workerPools; p++)
            pools.Add(Worker(p == 0 ? "workers" : $"workers{p}") with
            {
                Count = workers,
                UpdateStrategy = maxUnavailable is { } u ? new UpdateStrategySpec { MaxUnavailable = u, MaxSurge = IntOrPercent.Of(0) } : null,
            });
        return ClusterDefinition.From(spec with { NodePools = pools, UpdateWorkerPoolsInParallel = parallel });
    }

    private static List<PatchNodeObservation> Nodes(ClusterDefinition definition) =>
        [.. definition.NodePools.SelectMany(p => Enumerable.Range(0, p.Count).Select(i => new PatchNodeObservation($"i-{p.Name}-{i}", p.Name, null)))];

    /// <summary>Every node asked to patch reports the run patched.</summary>
    private static List<PatchNodeObservation> Report(List<PatchNodeObservation> nodes, OsPatchPass pass, string outcome = "patched 3 updates") =>
        [.. nodes.Select(n => pass.Requested.Contains(n.InstanceId) ? n with { Report = $"{pass.Run.Id} {outcome}" } : n)];

    [Fact]
    public void Control_planes_go_one_at_a_time_then_workers_within_max_unavailable()
    {
        var definition = Definition(controlPlanes: 3, workers: 4, maxUnavailable: IntOrPercent.Of(2));
        var nodes = Nodes(definition);
        var run = OsPatchPlanner.Begin("r1", "test", T0, nodes, definition);
        var batches = new List<IReadOnlyList<string>>();
        var now = T0;
        OsPatchPass pass;
        do
        {
            pass = OsPatchPlanner.Next(run, nodes, definition, now);
            if (pass.Requested.Count > 0)
                batches.Add(pass.Requested);
            nodes = Report(nodes, pass);
            run = pass.Run;
            now = now.AddMinutes(2);
        }
        while (!pass.Done);

        batches.Take(3).Should().AllSatisfy(b => b.Should().ContainSingle().Which.Should().StartWith("i-control-plane-"));
        batches.Skip(3).Should().AllSatisfy(b => b.Should().HaveCount(2).And.AllSatisfy(id => id.Should().StartWith("i-workers-")));
        batches.SelectMany(b => b).Should().OnlyHaveUniqueItems().And.HaveCount(7);
        run.Result.Should().Be(OsPatchRun.Completed);
        run.NodesPatched.Should().Be(7);
        run.Message.Should().Be("7 node(s) patched");
    }

    [Fact]
    public void A_pool_whose_strategy_surges_patches_one_node_at_a_time()
    {
        var definition = Definition(controlPlanes: 1, workers: 3);
        var nodes = Nodes(definition);
        var run = OsPatchPlanner.Begin("r1", "test", T0, nodes, definition);
        var pass = OsPatchPlanner.Next(run, nodes, definition, T0);
        nodes = Report(nodes, pass);
        pass = OsPatchPlanner.Next(pass.Run, nodes, definition, T0.AddMinutes(1));
        pass.Requested.Should().ContainSingle().Which.Should().StartWith("i-workers-");
    }

    [Fact]
    public void Worker_pools_patch_together_only_when_the_cluster_updates_them_in_parallel()
    {
        foreach (var parallel in new[] { false, true })
        {
            var definition = Definition(controlPlanes: 1, workers: 2, parallel: parallel, workerPools: 2);
            var nodes = Nodes(definition);
            var pass = OsPatchPlanner.Next(OsPatchPlanner.Begin("r1", "test", T0, nodes, definition), nodes, definition, T0);
            nodes = Report(nodes, pass);
            pass = OsPatchPlanner.Next(pass.Run, nodes, definition, T0.AddMinutes(1));
            pass.Requested.Select(id => id.Split('-')[1]).Distinct().Should().HaveCount(parallel ? 2 : 1);
        }
    }

    [Fact]
    public void A_node_that_fails_stops_the_run_which_names_it_and_why()
    {
        var definition = Definition(controlPlanes: 1, workers: 3);
        var nodes = Nodes(definition);
        var pass = OsPatchPlanner.Next(OsPatchPlanner.Begin("r1", "test", T0, nodes, definition), nodes, definition, T0);
        nodes = Report(nodes, pass, "failed: unattended-upgrade exited 100");
        pass = OsPatchPlanner.Next(pass.Run, nodes, definition, T0.AddMinutes(1));
        pass.Done.Should().BeTrue();
        pass.Requested.Should().BeEmpty();
        pass.Run.Result.Should().Be(OsPatchRun.Failed);
        pass.Run.Message.Should().Contain("i-control-plane-0 (control-plane): unattended-upgrade exited 100").And.Contain("3 not started");
    }

    [Fact]
    public void A_node_silent_past_the_timeout_has_failed_and_a_report_of_another_run_does_not_count()
    {
        var definition = Definition(controlPlanes: 1, workers: 1);
        var nodes = Nodes(definition);
        var pass = OsPatchPlanner.Next(OsPatchPlanner.Begin("r2", "test", T0, nodes, definition), nodes, definition, T0);
        nodes = [.. nodes.Select(n => n with { Report = "r1 patched 2 updates" })];
        pass = OsPatchPlanner.Next(pass.Run, nodes, definition, T0 + OsPatchPlanner.NodeTimeout - TimeSpan.FromSeconds(1));
        pass.Done.Should().BeFalse();
        pass = OsPatchPlanner.Next(pass.Run, nodes, definition, T0 + OsPatchPlanner.NodeTimeout);
        pass.Done.Should().BeTrue();
        pass.Run.Message.Should().Contain("reported nothing within 30 minutes");
    }

    [Fact]
    public void A_node_gone_during_the_run_is_not_a_failure()
    {
        var definition = Definition(controlPlanes: 1, workers: 2);
        var nodes = Nodes(definition);
        var pass = OsPatchPlanner.Next(OsPatchPlanner.Begin("r1", "test", T0, nodes, definition), nodes, definition, T0);
        nodes = Report(nodes, pass).Where(n => n.InstanceId != "i-workers-1").ToList();
        pass = OsPatchPlanner.Next(pass.Run, nodes, definition, T0.AddMinutes(1));
        nodes = Report(nodes, pass);
        pass = OsPatchPlanner.Next(pass.Run, nodes, definition, T0.AddMinutes(2));
        pass.Done.Should().BeTrue();
        pass.Run.Result.Should().Be(OsPatchRun.Completed);
        pass.Run.Message.Should().Be("2 node(s) patched, 1 gone during the run");
    }

    [Theory]
    [InlineData("r1 patched 4 security updates and rebooted", "r1", true, "patched 4 security updates and rebooted")]
    [InlineData("r1 failed: apt-get update failed", "r1", false, "apt-get update failed")]
    public void Reports_read_as_the_node_writes_them(string value, string run, bool patched, string detail)
    {
        OsPatchReport.Parse(value).Should().Be(new OsPatchReport(run, patched, detail));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("r1")]
    [InlineData("r1 rebooting")]
    public void Anything_else_is_no_report(string? value)
    {
        OsPatchReport.Parse(value).Should().BeNull();
    }
}
