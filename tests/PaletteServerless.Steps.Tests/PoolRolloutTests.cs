using NSubstitute;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Tests;

/// <summary>A rolling update's pass over a faked cloud: what it removes, and how long the workflow waits after.</summary>
public sealed class PoolRolloutTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private readonly Cluster _cluster = TestCluster.Create() with { Status = ClusterStatus.Updating };

    /// <summary>A running instance EC2 knows, launched 20 minutes ago, with the phase its node reported.</summary>
    private FakeNodeFleet.Node Instance(string id, string? phase) =>
        _cloud.Nodes.Seed(id, launched: DateTimeOffset.UtcNow.AddMinutes(-20),
            tags: phase is null ? null : new Dictionary<string, string> { [NodePhases.TagKey] = phase });

    private IEnumerable<string> Terminates => _cloud.Nodes.Calls.Where(c => c.StartsWith("TerminateInstances ", StringComparison.Ordinal));

    [Fact]
    public async Task A_control_plane_node_whose_drain_is_over_is_terminated_once_and_the_next_pass_waits_for_its_termination_not_another_drain()
    {
        var current = LaunchFingerprint.Of(_cluster.Definition, _cluster.Definition.Pool("cp")!);
        var targetGroup = _cloud.LoadBalancers.SeedTargetGroup("demo");
        _inventory.Add(ResourceKinds.TargetGroup, targetGroup);
        _inventory.Add(ResourceKinds.Instance, "i-old", "demo-cp-0", "us-east-1a", new()
        {
            ["pool"] = "cp", ["role"] = "control-plane", [NodeReadiness.ReportsPhasesAttribute] = "true", [LaunchFingerprint.AttributeName] = "before",
            [PoolRollout.RetiringAttribute] = "true",
            [PoolRollout.RetiringSinceAttribute] = DateTimeOffset.UtcNow.AddSeconds(-PoolRollout.DeregistrationDelaySeconds - 5).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        });
        _inventory.Add(ResourceKinds.Instance, "i-new", "demo-cp-1", "us-east-1a", new()
        {
            ["pool"] = "cp", ["role"] = "control-plane", [NodeReadiness.ReportsPhasesAttribute] = "true", [LaunchFingerprint.AttributeName] = current,
        });
        Instance("i-old", NodePhases.Ready);
        Instance("i-new", NodePhases.Ready);
        // The old node's deregistration delay is over: the target group no longer lists it.
        _cloud.LoadBalancers.SetHealth(targetGroup, "i-new", "healthy");
        var resources = await TestCluster.ResourcesAsync(_cloud, _inventory, _cluster);

        var progress = await new PoolRollout(resources, new NodePoolKind(resources)).PassAsync("cp", ["us-east-1a"],
            () => throw new InvalidOperationException("nothing to launch"), _ => "subnet-1", waitedForBoot: false, Ct);

        Terminates.Should().Equal("TerminateInstances i-old");
        _cloud.LoadBalancers.Calls.Should().NotContain(c => c.StartsWith("DeregisterTargets ", StringComparison.Ordinal), "its drain is over");
        progress.WaitSeconds.Should().Be((int)TypicalLatency.InstanceTermination.TotalSeconds);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Booting_nodes_are_waited_for_once_for_what_is_left_of_a_typical_boot_then_at_every_health_check(bool waitedForBoot)
    {
        var current = LaunchFingerprint.Of(_cluster.Definition, _cluster.Definition.Pool("workers")!);
        foreach (var id in new[] { "i-1", "i-2" })
            _inventory.Add(ResourceKinds.Instance, id, $"demo-workers-{id}", "us-east-1a", new()
            {
                ["pool"] = "workers", ["role"] = "worker", [NodeReadiness.ReportsPhasesAttribute] = "true", [LaunchFingerprint.AttributeName] = current,
            });
        // Launched 50 s ago and running, neither has reported a phase yet: both are still booting.
        foreach (var id in new[] { "i-1", "i-2" })
            Instance(id, null).LaunchTime = DateTimeOffset.UtcNow.AddSeconds(-50);
        var resources = await TestCluster.ResourcesAsync(_cloud, _inventory, _cluster);

        var progress = await new PoolRollout(resources, new NodePoolKind(resources)).PassAsync("workers", ["us-east-1a"],
            () => throw new InvalidOperationException("nothing to launch"), _ => "subnet-1", waitedForBoot, Ct);

        progress.Converged.Should().BeFalse();
        if (waitedForBoot)
        {
            // The typical boot is over and they have not reported: looked at again after one health check, and so on
            // (the next pass is told it waited for the boot already, not to wait a whole boot again).
            progress.WaitSeconds.Should().Be(10);
            progress.WaitingFor.Should().Equal(PoolRollout.NodeBoot);
        }
        else
        {
            // 45 s to start and 110 s to boot from their launch, 50 s ago: what is left, about 105 s.
            progress.WaitSeconds.Should().BeInRange(100, 106);
            progress.WaitingFor.Should().Equal(PoolRollout.NodeBoot);
        }
    }

    [Fact]
    public async Task A_pass_that_retires_old_nodes_while_part_of_the_wave_still_boots_looks_again_at_the_next_health_check()
    {
        var current = LaunchFingerprint.Of(_cluster.Definition, _cluster.Definition.Pool("workers")!);
        foreach (var (id, fingerprint) in new[] { ("i-old-1", "before"), ("i-old-2", "before"), ("i-new-1", current), ("i-new-2", current) })
            _inventory.Add(ResourceKinds.Instance, id, $"demo-workers-{id}", "us-east-1a", new()
            {
                ["pool"] = "workers", ["role"] = "worker", [NodeReadiness.ReportsPhasesAttribute] = "true", [LaunchFingerprint.AttributeName] = fingerprint,
            });
        // The boot's wait is over: one new node reported Ready, the other has not yet.
        Instance("i-old-1", NodePhases.Ready);
        Instance("i-old-2", NodePhases.Ready);
        Instance("i-new-1", NodePhases.Ready);
        Instance("i-new-2", null).LaunchTime = DateTimeOffset.UtcNow.AddSeconds(-160);
        var resources = await TestCluster.ResourcesAsync(_cloud, _inventory, _cluster);

        var progress = await new PoolRollout(resources, new NodePoolKind(resources)).PassAsync("workers", ["us-east-1a"],
            () => throw new InvalidOperationException("nothing to launch"), _ => "subnet-1", waitedForBoot: true, Ct);

        // One old node goes for the one ready new node; the next look is one health check away, not the termination's minute.
        Terminates.Should().ContainSingle().Which.Should().BeOneOf("TerminateInstances i-old-1", "TerminateInstances i-old-2");
        _cloud.Nodes.All.Count(n => n.State == InstanceStates.ShuttingDown).Should().Be(1);
        progress.Terminated.Should().Be(1);
        progress.WaitSeconds.Should().Be(10);
        progress.WaitingFor.Should().Equal(PoolRollout.NodeBoot);
    }

    [Fact]
    public async Task A_new_node_that_reported_Failed_fails_the_pass_naming_the_node_and_its_reason()
    {
        var current = LaunchFingerprint.Of(_cluster.Definition, _cluster.Definition.Pool("workers")!);
        var item = _inventory.Add(ResourceKinds.Instance, "i-new", "node", "us-east-1a", new()
        {
            ["pool"] = "workers", ["role"] = "worker", [NodeReadiness.ReportsPhasesAttribute] = "true", [LaunchFingerprint.AttributeName] = current,
        });
        _inventory.Items[_inventory.Items.IndexOf(item)] = item with { Name = "demo-workers-1" };
        Instance("i-new", NodePhases.Failed).Tags[NodePhases.MessageTagKey] = "the calico agent pod (k8s-app=calico-node) on this node is not ready: BGP not established";
        var resources = await TestCluster.ResourcesAsync(_cloud, _inventory, _cluster);

        var pass = () => new PoolRollout(resources, new NodePoolKind(resources)).PassAsync("workers", ["us-east-1a"],
            () => throw new InvalidOperationException("nothing to launch"), _ => "subnet-1", waitedForBoot: false, Ct);

        (await pass.Should().ThrowAsync<ProvisioningFailedException>()).Which.Message.Should()
            .Be("node demo-workers-1 (i-new) failed: the calico agent pod (k8s-app=calico-node) on this node is not ready: BGP not established");
    }

    [Fact]
    public async Task A_failed_updates_new_node_is_retired_before_it_is_terminated_so_remediation_does_not_replace_it()
    {
        var current = LaunchFingerprint.Of(_cluster.Definition, _cluster.Definition.Pool("workers")!);
        _inventory.Add(ResourceKinds.Instance, "i-new", "demo-workers-1", "us-east-1a", new()
        {
            ["pool"] = "workers", ["role"] = "worker", [NodeReadiness.ReportsPhasesAttribute] = "true", [LaunchFingerprint.AttributeName] = current,
        });
        Instance("i-new", NodePhases.Failed);
        var resources = await TestCluster.ResourcesAsync(_cloud, _inventory, _cluster);

        var removed = await new PoolRollout(resources, new NodePoolKind(resources)).RemoveUnhealthyNewAsync("workers", ["us-east-1a"], Ct);

        removed.Should().Equal("i-new");
        Terminates.Should().Equal("TerminateInstances i-new");
        _cloud.Nodes.Find("i-new")!.State.Should().Be(InstanceStates.ShuttingDown);
        _inventory.Items.Single(i => i.Id == "i-new").Attributes![PoolRollout.RetiringAttribute].Should().Be("true");
    }
}
