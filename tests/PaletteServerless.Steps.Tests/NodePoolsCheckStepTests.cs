using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Steps.Provisioning;

namespace PaletteServerless.Steps.Tests;

/// <summary>The node pools' poll of a create: when it moves the cluster to Running itself, and when it leaves that to the targets step.</summary>
public sealed class NodePoolsCheckStepTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private readonly IClusterStore _clusters = Substitute.For<IClusterStore>();
    private readonly ICloudSessionOpener _sessions = Substitute.For<ICloudSessionOpener>();
    private readonly StepRuntime _runtime;
    private readonly string _targetGroup;
    private Cluster _cluster = TestCluster.Create();

    public NodePoolsCheckStepTests()
    {
        _runtime = TestRuntime.Create(_clusters, _inventory, _sessions, _clock);
        _sessions.OpenAsync(Arg.Any<CloudAccount>(), Arg.Any<string>(), Arg.Any<SessionScope>(), Arg.Any<CancellationToken>()).Returns(_cloud);
        _clusters.GetAsync(Arg.Any<ProjectScope>(), "demo", Arg.Any<CancellationToken>()).Returns(_ => _cluster);
        _clusters.UpdateAsync(Arg.Any<Cluster>(), Arg.Any<long>(), Arg.Any<CancellationToken>()).Returns(call => _cluster = call.Arg<Cluster>());
        _targetGroup = _cloud.LoadBalancers.SeedTargetGroup("demo", "i-cp");
        _inventory.Add(ResourceKinds.TargetGroup, _targetGroup);
        _inventory.Add(ResourceKinds.Instance, "i-cp", "demo-cp-0", "us-east-1a", new()
        {
            ["pool"] = "cp", ["role"] = "control-plane", [NodeReadiness.ReportsPhasesAttribute] = "true", [NodeReadiness.FirstControlPlaneAttribute] = "true",
        });
        _inventory.Add(ResourceKinds.Instance, "i-w", "demo-workers-0", "us-east-1a", new() { ["pool"] = "workers", ["role"] = "worker", [NodeReadiness.ReportsPhasesAttribute] = "true" });
        Running("i-cp", NodePhases.PacksApplied);
        Running("i-w", NodePhases.Ready);
    }

    private void Running(string id, string phase) =>
        _cloud.Nodes.Seed(id, tags: new Dictionary<string, string> { [NodePhases.TagKey] = phase });

    private async Task<JsonObject> PollAsync()
    {
        var input = """{"tenant":"acme","project":"demo","cluster":"demo","uid":"0123456789abcdef0123456789abcdef","polls":{"n":0}}""";
        var output = await new NodePoolsCheckStep(_runtime).Handle(new MemoryStream(Encoding.UTF8.GetBytes(input)));
        return JsonNode.Parse(output)!.AsObject();
    }

    /// <summary>What the node pools' step writes once every launch is made.</summary>
    private ClusterCondition Launched => new() { Type = NodePoolsCheckStep.LaunchedCondition, Status = "False", Reason = "Starting", Message = "2 instance(s) starting", LastTransitionTime = _clock.GetUtcNow() };

    [Fact]
    public async Task Nodes_ready_while_the_node_pools_step_is_still_launching_are_not_the_clusters_nodes_yet()
    {
        _cluster = _cluster with
        {
            Conditions =
            [
                new ClusterCondition { Type = "RouteTablesReady", Status = "True", Reason = "Created", Message = "m", LastTransitionTime = _clock.GetUtcNow() },
                new ClusterCondition { Type = "LoadBalancerReady", Status = "True", Reason = "Active", Message = "m", LastTransitionTime = _clock.GetUtcNow() },
            ],
        };

        var result = await PollAsync();

        result["ready"]!.GetValue<bool>().Should().BeFalse("the workers' launches are not all made: the nodes recorded so far are not all the cluster's nodes");
        _cluster.Status.Should().Be(ClusterStatus.Provisioning);
        _cluster.Conditions.Should().NotContain(c => c.Type == "NodePoolsReady");
        _cloud.LoadBalancers.Calls.Should().BeEmpty("nothing is registered before the nodes are judged");
    }

    [Fact]
    public async Task Nodes_ready_before_the_load_balancer_branch_is_done_leave_Running_to_the_targets_step()
    {
        _cluster = _cluster with
        {
            Conditions = [Launched, new ClusterCondition { Type = "RouteTablesReady", Status = "True", Reason = "Created", Message = "m", LastTransitionTime = _clock.GetUtcNow() }],
        };

        var result = await PollAsync();

        result["ready"]!.GetValue<bool>().Should().BeTrue();
        result["running"]!.GetValue<bool>().Should().BeFalse("the load balancer's branch has not set LoadBalancerReady yet");
        _cluster.Status.Should().Be(ClusterStatus.Provisioning);
        _cluster.Conditions.Should().Contain(c => c.Type == "NodePoolsReady" && c.Status == "True");
    }

    [Fact]
    public async Task Nodes_ready_with_a_target_not_yet_healthy_leave_Running_to_the_targets_step()
    {
        _cluster = _cluster with
        {
            Conditions =
            [
                Launched,
                new ClusterCondition { Type = "RouteTablesReady", Status = "True", Reason = "Created", Message = "m", LastTransitionTime = _clock.GetUtcNow() },
                new ClusterCondition { Type = "LoadBalancerReady", Status = "True", Reason = "Active", Message = "m", LastTransitionTime = _clock.GetUtcNow() },
            ],
        };
        _cloud.LoadBalancers.SetHealth(_targetGroup, "i-cp", "initial");

        var result = await PollAsync();

        result["running"]!.GetValue<bool>().Should().BeFalse();
        _cluster.Status.Should().Be(ClusterStatus.Provisioning);
        _cloud.LoadBalancers.Calls.Should().NotContain(c => c.StartsWith("RegisterTargets", StringComparison.Ordinal));
    }
}
