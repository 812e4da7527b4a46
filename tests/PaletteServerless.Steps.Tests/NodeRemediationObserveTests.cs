using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Remediation;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>What remediation sees of a node: its own phase report, or, for a node from before nodes reported, its state.</summary>
public sealed class NodeRemediationObserveTests
{
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();

    private async Task<NodeObservation> ObserveAsync(Dictionary<string, string> attributes, params (string Key, string Value)[] tags) =>
        await ObserveAsync(attributes, _ => { }, tags);

    private async Task<NodeObservation> ObserveAsync(Dictionary<string, string> attributes, Action<FakeNodeFleet.Node> shape, params (string Key, string Value)[] tags)
    {
        _inventory.Add(ResourceKinds.Instance, "i-1", "worker", "us-east-1a", attributes);
        _cloud.Nodes.Forget("i-1");
        shape(_cloud.Nodes.Seed("i-1", launched: DateTimeOffset.UtcNow.AddHours(-1), tags: tags.ToDictionary(t => t.Key, t => t.Value)));
        var resources = await ResourcesAsync(_cloud, _inventory);
        return (await new NodeRemediation(resources, new NodePoolKind(resources)).ObserveAsync(CancellationToken.None)).Single();
    }

    [Fact]
    public async Task A_node_that_reports_phases_is_as_ready_as_its_own_tag_says()
    {
        var silent = await ObserveAsync(new() { ["pool"] = "workers", [NodeReadiness.ReportsPhasesAttribute] = "true" });
        silent.NodePhase.Should().BeNull("it never reported");

        _inventory.Items.Clear();
        var joined = await ObserveAsync(new() { ["pool"] = "workers", [NodeReadiness.ReportsPhasesAttribute] = "true" }, (NodePhases.TagKey, NodePhases.Joined));
        joined.NodePhase.Should().Be(NodePhases.Joined);
    }

    [Fact]
    public async Task A_running_node_from_before_nodes_reported_counts_as_ready_so_the_startup_timeout_never_replaces_it()
    {
        var old = await ObserveAsync(new() { ["pool"] = "workers" });

        NodePhases.IsReady(old.NodePhase).Should().BeTrue();
    }

    [Fact]
    public async Task A_spot_node_EC2_reclaimed_counts_as_interrupted_by_EC2s_state_reason_even_before_the_warning_was_marked()
    {
        var reclaimed = await ObserveAsync(new() { ["pool"] = "workers" }, node =>
        {
            node.State = InstanceStates.Terminated;
            node.StateReasonCode = InstanceStates.SpotTerminationReason;
        });
        reclaimed.SpotInterrupted.Should().BeTrue();

        _inventory.Items.Clear();
        var terminatedByAUser = await ObserveAsync(new() { ["pool"] = "workers" }, node =>
        {
            node.State = InstanceStates.Terminated;
            node.StateReasonCode = "Client.UserInitiatedShutdown";
        });
        terminatedByAUser.SpotInterrupted.Should().BeFalse();
    }
}
