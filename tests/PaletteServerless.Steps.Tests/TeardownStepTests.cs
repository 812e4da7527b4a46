using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Steps.Deletion;

namespace PaletteServerless.Steps.Tests;

/// <summary>The teardown pass as a step: the delete's last pass moves the cluster to Deleted itself; a rollback's never does.</summary>
public sealed class TeardownStepTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private readonly IClusterStore _clusters = Substitute.For<IClusterStore>();
    private readonly ICloudSessionOpener _sessions = Substitute.For<ICloudSessionOpener>();
    private readonly EventRecorder _events = new();
    private readonly StepRuntime _runtime;
    private Cluster _cluster = TestCluster.Create();

    public TeardownStepTests()
    {
        _runtime = TestRuntime.Create(_clusters, _inventory, _sessions, _clock, events: _events);
        _sessions.OpenAsync(Arg.Any<CloudAccount>(), Arg.Any<string>(), Arg.Any<SessionScope>(), Arg.Any<CancellationToken>()).Returns(_cloud);
        _clusters.GetAsync(Arg.Any<ProjectScope>(), "demo", Arg.Any<CancellationToken>()).Returns(_ => _cluster);
        _clusters.UpdateAsync(Arg.Any<Cluster>(), Arg.Any<long>(), Arg.Any<CancellationToken>()).Returns(call => _cluster = call.Arg<Cluster>());
    }

    private async Task<JsonObject> PassAsync()
    {
        var input = """{"tenant":"acme","project":"demo","cluster":"demo","uid":"0123456789abcdef0123456789abcdef"}""";
        var output = await new TeardownStep(_runtime).Handle(new MemoryStream(Encoding.UTF8.GetBytes(input)));
        return JsonNode.Parse(output)!.AsObject();
    }

    [Fact]
    public async Task The_delete_pass_that_finds_nothing_left_moves_the_cluster_to_Deleted()
    {
        _cluster = _cluster with { Status = ClusterStatus.Deleting };

        var result = await PassAsync();

        result["done"]!.GetValue<bool>().Should().BeTrue();
        _cluster.Status.Should().Be(ClusterStatus.Deleted);
        _cluster.StatusReason.Should().Be("every resource of the cluster was removed");
        _cluster.DeletedAt.Should().Be(_clock.GetUtcNow());
        _events.Bodies.Should().ContainSingle(b => b.Contains("Cluster Status Change") && b.Contains(ClusterStatus.Deleted));
    }

    [Fact]
    public async Task A_delete_pass_that_leaves_an_instance_terminating_keeps_the_cluster_Deleting()
    {
        _cluster = _cluster with { Status = ClusterStatus.Deleting };
        _cloud.Nodes.Seed("i-cp");
        _inventory.Add(ResourceKinds.Instance, "i-cp", "demo-cp-0", "us-east-1a", new() { ["pool"] = "cp", ["role"] = "control-plane" });

        var result = await PassAsync();

        result["done"]!.GetValue<bool>().Should().BeFalse();
        result["waitSeconds"]!.GetValue<int>().Should().BeGreaterThan(0);
        _cluster.Status.Should().Be(ClusterStatus.Deleting);
        _events.Bodies.Should().BeEmpty();
    }

    [Fact]
    public async Task A_rollback_pass_that_finds_nothing_left_leaves_the_status_to_MarkFailed()
    {
        _cluster = _cluster with { Status = ClusterStatus.Provisioning };

        var result = await PassAsync();

        result["done"]!.GetValue<bool>().Should().BeTrue();
        _cluster.Status.Should().Be(ClusterStatus.Provisioning);
        _cluster.Conditions.Should().Contain(c => c.Type == TeardownStep.RollingBackCondition);
    }
}
