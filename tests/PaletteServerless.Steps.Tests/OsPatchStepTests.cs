using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Patching;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Steps.Patching;
using InventoryItem = PaletteServerless.Domain.Provisioning.InventoryItem;

namespace PaletteServerless.Steps.Tests;

/// <summary>A patch run's pass (asks the next nodes through the request, records the run) and the schedule's check.</summary>
public sealed class OsPatchStepTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 8, 10, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private readonly IClusterStore _clusters = Substitute.For<IClusterStore>();
    private readonly ICloudSessionOpener _sessions = Substitute.For<ICloudSessionOpener>();
    private readonly StepRuntime _runtime;
    private Cluster _cluster;

    public OsPatchStepTests()
    {
        _runtime = TestRuntime.Create(_clusters, _inventory, _sessions, _clock);
        _sessions.OpenAsync(Arg.Any<CloudAccount>(), Arg.Any<string>(), Arg.Any<SessionScope>(), Arg.Any<CancellationToken>()).Returns(_cloud);
        _clusters.GetAsync(Arg.Any<ProjectScope>(), "demo", Arg.Any<CancellationToken>()).Returns(_ => _cluster);
        _clusters.UpdateAsync(Arg.Any<Cluster>(), Arg.Any<long>(), Arg.Any<CancellationToken>()).Returns(call => _cluster = call.Arg<Cluster>());
        var nodes = new[] { ("i-cp", "cp"), ("i-w1", "workers"), ("i-w2", "workers") };
        foreach (var (id, pool) in nodes)
            _inventory.Items.Add(new InventoryItem { Kind = ResourceKinds.Instance, Id = id, Attributes = new() { [NodeAttributes.Pool] = pool } });
        _inventory.Items.Add(new InventoryItem { Kind = ResourceKinds.Vpc, Id = "vpc-1" });
        foreach (var (id, _) in nodes)
            _cloud.Nodes.Seed(id);
        var cluster = TestCluster.Create() with { Status = ClusterStatus.Running };
        _cluster = cluster with
        {
            LastOsPatch = OsPatchPlanner.Begin("20261207T0810Z", "test", T0, nodes.Select(n => new PatchNodeObservation(n.Item1, n.Item2, null)), cluster.Definition),
        };
    }

    private async Task<JsonObject> PassAsync(string run = "20261207T0810Z")
    {
        var input = new JsonObject
        {
            ["tenant"] = "acme", ["project"] = "demo", ["cluster"] = "demo", ["uid"] = TestCluster.Uid, ["run"] = run, ["polls"] = new JsonObject { ["n"] = 0 },
        }.ToJsonString();
        var output = await new OsPatchPassStep(_runtime).Handle(new MemoryStream(Encoding.UTF8.GetBytes(input)));
        return JsonNode.Parse(output)!.AsObject();
    }

    [Fact]
    public async Task A_pass_asks_the_control_plane_first_through_the_request_and_records_the_run()
    {
        var result = await PassAsync();

        result["done"]!.GetValue<bool>().Should().BeFalse();
        result["waitSeconds"]!.GetValue<int>().Should().Be(OsPatchAgent.IntervalSeconds);
        var (name, request) = _cloud.Parameters.Parameters.Should().ContainSingle().Subject;
        name.Should().Be($"/palette-serverless/acme/{TestCluster.Uid}/{OsPatchRequest.Parameter}");
        request.Kind.Should().Be(ParameterKind.Document);
        JsonNode.Parse(request.Value)!["instances"]!.AsArray().Select(i => i!.GetValue<string>()).Should().Equal("i-cp");
        request.Tags.Should().Contain(SecretParameters.VpcTag, "vpc-1", "the nodes' policy reads only their own VPC's request");
        _inventory.Items.Should().Contain(i => i.Kind == ResourceKinds.SecretParameter && i.Id == name, "the request is recorded for the teardown");
        _cluster.LastOsPatch!.Nodes.Single(n => n.InstanceId == "i-cp").State.Should().Be(OsPatchNode.Patching);
        _cluster.LastOsPatch.Nodes.Where(n => n.Pool == "workers").Should().OnlyContain(n => n.State == OsPatchNode.Waiting);
    }

    [Fact]
    public async Task A_cluster_that_began_an_update_fails_the_run_and_one_with_another_run_abandons_this_one()
    {
        _cluster = _cluster with { Status = ClusterStatus.Updating };
        (await FluentActions.Awaiting(() => PassAsync()).Should().ThrowAsync<Exception>()).Which.Message.Should().Contain("became Updating during the run");
        _cluster = _cluster with { Status = ClusterStatus.Running };
        (await FluentActions.Awaiting(() => PassAsync("20261207T0805Z")).Should().ThrowAsync<Exception>()).Which.Message.Should().Contain("is not 20261207T0805Z");
        _cloud.Parameters.Parameters.Should().BeEmpty("nothing is asked of the nodes");
    }

    private static Cluster Scheduled(string schedule, OsPatchRun? last = null) =>
        TestCluster.Create() with
        {
            Status = ClusterStatus.Running,
            Spec = TestCluster.Create().Spec with { Settings = new ClusterSettings { PatchSchedule = schedule } },
            LastOsPatch = last,
        };

    [Fact]
    public void The_schedule_is_due_for_its_latest_occurrence_since_the_last_runs_and_never_twice()
    {
        var now = new DateTimeOffset(2026, 12, 7, 8, 12, 30, TimeSpan.Zero);
        OsPatchScheduleFunction.Due(Scheduled("*/5 * * * *"), now).Should().Be(new DateTimeOffset(2026, 12, 7, 8, 10, 0, TimeSpan.Zero));
        var ran = new OsPatchRun { Id = "20261207T0810Z", Trigger = "t", StartedAt = now, Result = OsPatchRun.Completed, Occurrence = new DateTimeOffset(2026, 12, 7, 8, 10, 0, TimeSpan.Zero) };
        OsPatchScheduleFunction.Due(Scheduled("*/5 * * * *", ran), now).Should().BeNull();
        OsPatchScheduleFunction.Due(Scheduled("*/5 * * * *", ran), now.AddMinutes(3)).Should().Be(new DateTimeOffset(2026, 12, 7, 8, 15, 0, TimeSpan.Zero));
        // Not caught up beyond the starting deadline: a weekly schedule set on a Monday waits for Sunday.
        OsPatchScheduleFunction.Due(Scheduled("0 3 * * SUN"), now).Should().BeNull();
        OsPatchScheduleFunction.Due(Scheduled("*/5 * * * *") with { Status = ClusterStatus.Updating }, now).Should().BeNull();
        OsPatchScheduleFunction.RunId(new DateTimeOffset(2026, 12, 7, 8, 10, 0, TimeSpan.Zero)).Should().Be("20261207T0810Z");
    }

    [Fact]
    public async Task The_check_runs_at_the_scheduled_events_time()
    {
        var scheduled = """{"version":"0","id":"x","detail-type":"Scheduled Event","source":"aws.events","time":"2026-12-07T09:35:00Z","resources":[],"detail":{}}""";
        (await OsPatchScheduleFunction.ScheduledTimeAsync(new MemoryStream(Encoding.UTF8.GetBytes(scheduled))))
            .Should().Be(new DateTimeOffset(2026, 12, 7, 9, 35, 0, TimeSpan.Zero));
        (await OsPatchScheduleFunction.ScheduledTimeAsync(new MemoryStream(Encoding.UTF8.GetBytes("{}")))).Should().BeNull();
    }
}
