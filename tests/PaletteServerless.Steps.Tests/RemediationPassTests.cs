using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.Remediation;
using PaletteServerless.Steps.Remediation;

namespace PaletteServerless.Steps.Tests;

/// <summary>One remediation pass hands on every replacement the planner decided, to be worked on side by side.</summary>
public sealed class RemediationPassTests
{
    private const string Execution = "arn:aws:states:us-east-1:111122223333:execution:palette-remediate-cluster:remediate-1";
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 4, 0, 0, TimeSpan.Zero));
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private readonly IClusterStore _clusters = Substitute.For<IClusterStore>();
    private readonly ICloudSessionOpener _sessions = Substitute.For<ICloudSessionOpener>();
    private readonly StepRuntime _runtime;
    private Cluster _cluster;

    public RemediationPassTests()
    {
        _runtime = TestRuntime.Create(_clusters, _inventory, _sessions, _clock);
        _sessions.OpenAsync(Arg.Any<CloudAccount>(), Arg.Any<string>(), Arg.Any<SessionScope>(), Arg.Any<CancellationToken>()).Returns(_cloud);
        _clusters.GetAsync(Arg.Any<ProjectScope>(), "demo", Arg.Any<CancellationToken>()).Returns(_ => _cluster);
        _cluster = Workers(3);
        _inventory.Add(ResourceKinds.Instance, "i-cp", "demo-cp-0", "us-east-1a", new() { ["pool"] = "cp", ["role"] = "control-plane", [NodeReadiness.ReportsPhasesAttribute] = "true" });
    }

    private static Cluster Workers(int count)
    {
        var cluster = TestCluster.Create();
        return cluster with
        {
            Status = ClusterStatus.Running,
            RemediationExecutionArn = Execution,
            RemediationRuns = 1,
            Spec = cluster.Spec with { NodePools = [cluster.Spec.NodePools![0], cluster.Spec.NodePools[1] with { Count = count }] },
        };
    }

    private void Worker(string id) =>
        _inventory.Add(ResourceKinds.Instance, id, id, "us-east-1a", new() { ["pool"] = "workers", ["role"] = "worker", [NodeReadiness.ReportsPhasesAttribute] = "true" });

    private void Ec2Knows(params (string Id, string State)[] instances)
    {
        foreach (var node in _cloud.Nodes.All)
            _cloud.Nodes.Forget(node.Id);
        foreach (var (id, state) in instances)
            _cloud.Nodes.Seed(id, state, launched: _clock.GetUtcNow().AddHours(-1), tags: new Dictionary<string, string> { [NodePhases.TagKey] = NodePhases.Ready });
    }

    private async Task<JsonObject> CheckAsync(int pass)
    {
        var input = $$$"""{"tenant":"acme","project":"demo","cluster":"demo","uid":"{{{TestCluster.Uid}}}","execution":"{{{Execution}}}","passes":{"n":{{{pass}}},"replaced":0}}""";
        var output = await new CheckNodesStep(_runtime).Handle(new MemoryStream(Encoding.UTF8.GetBytes(input)));
        return JsonNode.Parse(output)!.AsObject();
    }

    [Fact]
    public async Task Two_failed_workers_of_one_pool_are_both_handed_on_in_one_pass()
    {
        Worker("i-w1");
        Worker("i-w2");
        Worker("i-w3");
        Ec2Knows(("i-cp", InstanceStates.Running), ("i-w1", InstanceStates.Terminated), ("i-w2", InstanceStates.Stopped), ("i-w3", InstanceStates.Running));

        var result = await CheckAsync(pass: 0);

        result["done"]!.GetValue<bool>().Should().BeFalse();
        result.ContainsKey("replacement").Should().BeFalse("the pass hands on its list, not one replacement");
        var replacements = result["replacements"]!.AsArray();
        replacements.Select(r => r!["oldInstanceId"]!.GetValue<string>()).Should().BeEquivalentTo(["i-w1", "i-w2"]);
        replacements.Should().AllSatisfy(r =>
        {
            r!["pool"]!.GetValue<string>().Should().Be("workers");
            r["launch"]!.GetValue<bool>().Should().BeTrue("the pool is short of both, so each gets a new node first");
            r["zones"]!.AsArray().Select(z => z!.GetValue<string>()).Should().Equal("us-east-1a");
            r.AsObject().ContainsKey("slot").Should().BeFalse("a failed node tells its launch apart by its own id");
        });
    }

    [Fact]
    public async Task A_healthy_cluster_is_done_and_a_pass_hands_on_at_most_its_bound_each_missing_node_with_its_own_slot()
    {
        Worker("i-w1");
        Worker("i-w2");
        Worker("i-w3");
        Ec2Knows(("i-cp", InstanceStates.Running), ("i-w1", InstanceStates.Running), ("i-w2", InstanceStates.Running), ("i-w3", InstanceStates.Running));
        (await CheckAsync(pass: 0))["done"]!.GetValue<bool>().Should().BeTrue();

        _inventory.Items.RemoveAll(i => i.Id.StartsWith("i-w", StringComparison.Ordinal));
        _cluster = Workers(CheckNodesStep.MaxPerPass + 5);
        Ec2Knows(("i-cp", InstanceStates.Running));

        var replacements = (await CheckAsync(pass: 2))["replacements"]!.AsArray();

        replacements.Should().HaveCount(CheckNodesStep.MaxPerPass, "the rest waits for the next pass, which judges the nodes again");
        var slots = replacements.Select(r => r!["slot"]!.GetValue<int>()).ToList();
        slots.Should().OnlyHaveUniqueItems().And.OnlyContain(s => s >= 2 * CheckNodesStep.MaxPerPass && s < 3 * CheckNodesStep.MaxPerPass,
            "unique in the run: no other pass numbers its missing nodes so");
    }

    [Fact]
    public async Task Two_missing_nodes_of_one_pass_in_one_zone_get_their_own_names_and_ClientTokens()
    {
        _inventory.Add(ResourceKinds.SecurityGroup, "sg-node", SecurityGroupRoles.Node);
        var resources = await ClusterResources.LoadAsync(_cluster, _cloud, _inventory, _clock, Ct);
        var remediation = new NodeRemediation(resources, new NodePoolKind(resources));
        var launch = NodePoolKindTests.Launch(_cluster);
        var missing = new Replacement("workers", "worker", null, null, true, ["us-east-1a"]);

        // Each iteration of the pass launches in its own function invocation; here one after the other over one inventory.
        LaunchOutcome[] outcomes =
        [
            await remediation.LaunchAsync(missing, 1, 0, () => Task.FromResult(launch), _ => "subnet-a", Ct),
            await remediation.LaunchAsync(missing, 1, 1, () => Task.FromResult(launch), _ => "subnet-a", Ct),
        ];

        outcomes.Select(o => o.Node!.Id).Should().OnlyHaveUniqueItems("each slot is its own node, never the other's adopted");
        var requests = _cloud.Nodes.Launches;
        requests.Should().HaveCount(2);
        requests.Select(r => r.ClientToken).Should().OnlyHaveUniqueItems();
        _cloud.Nodes.All.Should().HaveCount(2);
    }
}
