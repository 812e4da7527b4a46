using System.Text;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.Remediation;
using PaletteServerless.Manifest;
using PaletteServerless.Steps.Remediation;

namespace PaletteServerless.Steps.Tests;

/// <summary>The remediation's triggers and moves over a faked cloud: what starts a remediation, what is ignored, how a node is replaced.</summary>
public sealed class RemediationTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 4, 0, 0, TimeSpan.Zero));
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private readonly IClusterStore _clusters = Substitute.For<IClusterStore>();
    private readonly ICloudSessionOpener _sessions = Substitute.For<ICloudSessionOpener>();
    private readonly IRemediationStarter _starter = Substitute.For<IRemediationStarter>();
    private readonly StepRuntime _runtime;
    private Cluster _cluster = TestCluster.Create() with { Status = ClusterStatus.Running };

    public RemediationTests()
    {
        _runtime = TestRuntime.Create(_clusters, _inventory, _sessions, _clock);
        _sessions.OpenAsync(Arg.Any<CloudAccount>(), Arg.Any<string>(), Arg.Any<SessionScope>(), Arg.Any<CancellationToken>()).Returns(_cloud);
        _sessions.OpenOwn(Arg.Any<string>()).Returns(_cloud);
        _clusters.GetAsync(Arg.Any<ProjectScope>(), "demo", Arg.Any<CancellationToken>()).Returns(_ => _cluster);
        _starter.TryStartAsync(Arg.Any<Cluster>(), Arg.Any<CancellationToken>()).Returns(RemediationStart.Started);
        _inventory.Add(ResourceKinds.Instance, "i-cp", "demo-cp-0", "us-east-1a", new() { ["pool"] = "cp", ["role"] = "control-plane", [NodeReadiness.ReportsPhasesAttribute] = "true" });
        _inventory.Add(ResourceKinds.Instance, "i-w1", "demo-workers-0", "us-east-1a", new() { ["pool"] = "workers", ["role"] = "worker", [NodeReadiness.ReportsPhasesAttribute] = "true" });
        _inventory.Add(ResourceKinds.Instance, "i-w2", "demo-workers-1", "us-east-1a", new() { ["pool"] = "workers", ["role"] = "worker", [NodeReadiness.ReportsPhasesAttribute] = "true" });
    }

    private FakeNodeFleet.Node Instance(string id, string state, string? phase = NodePhases.Ready, bool owned = true)
    {
        var tags = owned ? new Dictionary<string, string>(ResourceTags.For(_cluster, id, "node")) : new Dictionary<string, string> { ["Name"] = id };
        if (phase is not null)
            tags[NodePhases.TagKey] = phase;
        return new FakeNodeFleet.Node(id) { State = state, Zone = "us-east-1a", LaunchTime = _clock.GetUtcNow().AddHours(-1), Tags = tags };
    }

    private void Ec2Knows(params FakeNodeFleet.Node[] instances)
    {
        foreach (var instance in instances)
            _cloud.Nodes.Seed(instance);
    }

    private IEnumerable<string> Terminates => _cloud.Nodes.Calls.Where(c => c.StartsWith("TerminateInstances ", StringComparison.Ordinal));

    private static Ec2Event StateChange(string instanceId, string state) => new()
    {
        Id = "7bf73129-1428-4cd3-a780-95db273d1602", DetailType = Ec2EventTypes.InstanceStateChange, Source = "aws.ec2",
        Account = "111122223333", Region = "us-east-1", Time = new DateTimeOffset(2026, 12, 2, 4, 0, 0, TimeSpan.Zero),
        Detail = new Ec2EventDetail { InstanceId = instanceId, State = state },
    };

    private static Ec2Event SpotWarning(string instanceId) => StateChange(instanceId, "") with
    {
        DetailType = Ec2EventTypes.SpotInterruptionWarning,
        Detail = new Ec2EventDetail { InstanceId = instanceId, InstanceAction = "terminate" },
    };

    private InstanceEventsFunction Events => new(_runtime, _starter);

    [Fact]
    public async Task A_terminated_node_of_a_Running_cluster_starts_its_remediation()
    {
        Ec2Knows(Instance("i-w1", InstanceStates.Terminated));

        var outcome = await Events.HandleAsync(StateChange("i-w1", "terminated"), Ct);

        outcome.Outcome.Should().Be("remediation started");
        outcome.ClusterUid.Should().Be(TestCluster.Uid);
        await _starter.Received(1).TryStartAsync(Arg.Is<Cluster>(c => c.Uid == TestCluster.Uid), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task The_documented_envelope_parses_and_a_spot_warning_marks_the_node_interrupted_before_remediation_starts()
    {
        Ec2Knows(Instance("i-w2", InstanceStates.Running));
        var envelope = """
            {"version":"0","id":"1e5527d7-bb36-4607-3370-4164db56a40e","detail-type":"EC2 Spot Instance Interruption Warning","source":"aws.ec2",
             "account":"111122223333","time":"2026-12-02T04:00:00Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:111122223333:instance/i-w2"],
             "detail":{"instance-id":"i-w2","instance-action":"terminate"}}
            """;

        var output = await Events.Handle(new MemoryStream(Encoding.UTF8.GetBytes(envelope)));

        new StreamReader(output).ReadToEnd().Should().Contain("remediation started");
        _inventory.Items.Single(i => i.Id == "i-w2").Attributes.Should().ContainKey(NodeRemediation.SpotInterruptionAttribute);
        await _starter.Received(1).TryStartAsync(Arg.Any<Cluster>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Instances_of_no_cluster_of_a_cluster_not_Running_or_that_the_product_removes_are_ignored()
    {
        Ec2Knows(Instance("i-stranger", InstanceStates.Terminated, owned: false), Instance("i-w1", InstanceStates.Terminated),
            Instance("i-w2", InstanceStates.Terminated), Instance("i-gone", InstanceStates.Terminated));

        (await Events.HandleAsync(StateChange("i-stranger", "terminated"), Ct)).Outcome.Should().Contain("no cluster's ownership tags");
        (await Events.HandleAsync(StateChange("i-gone", "terminated"), Ct)).Outcome.Should().Contain("not a node the cluster records");

        var retiring = _inventory.Items.Single(i => i.Id == "i-w1");
        await _inventory.RecordAsync(_cluster, retiring with { Attributes = new(retiring.Attributes!) { [PoolRollout.RetiringAttribute] = "true" } }, Ct);
        (await Events.HandleAsync(StateChange("i-w1", "terminated"), Ct)).Outcome.Should().Contain("the product itself is retiring");

        _cluster = _cluster with { Status = ClusterStatus.Deleting };
        (await Events.HandleAsync(StateChange("i-w2", "terminated"), Ct)).Outcome.Should().Contain("the cluster is Deleting");

        // One EC2 does not know (its DescribeInstances fails InvalidInstanceID.NotFound): the port finds nothing.
        (await Events.HandleAsync(StateChange("i-unknown", "terminated"), Ct)).Outcome.Should().Contain("EC2 does not know");

        (await Events.HandleAsync(StateChange("i-w1", "terminated") with { Source = "aws.autoscaling" }, Ct)).Outcome.Should().StartWith("ignored");
        await _starter.DidNotReceiveWithAnyArgs().TryStartAsync(default!, default);
    }

    [Fact]
    public async Task An_event_without_an_instance_id_is_an_error_naming_the_field()
    {
        var run = () => Events.HandleAsync(StateChange("", "stopped"), Ct);
        (await run.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("$.detail.instance-id");
    }

    private HealthSweepFunction Sweep(params Cluster[] clusters)
    {
        var running = Substitute.For<IRunningClusters>();
        running.ListRunningAsync(Arg.Any<CancellationToken>()).Returns(clusters);
        return new HealthSweepFunction(_runtime, _starter, running);
    }

    [Fact]
    public async Task The_sweep_starts_remediation_for_a_cluster_with_an_impaired_node_and_leaves_a_healthy_one_alone()
    {
        Ec2Knows(Instance("i-cp", InstanceStates.Running), Instance("i-w1", InstanceStates.Running), Instance("i-w2", InstanceStates.Running));

        var healthy = await Sweep(_cluster).SweepAsync(Ct);
        healthy.Checked.Should().Be(1);
        healthy.Started.Should().BeEmpty();
        await _starter.DidNotReceiveWithAnyArgs().TryStartAsync(default!, default);

        _cloud.Nodes.Find("i-w2")!.InstanceStatus = NodeStatusChecks.Impaired;
        var impaired = await Sweep(_cluster).SweepAsync(Ct);
        impaired.Started.Should().Equal("acme/demo/demo");
    }

    [Fact]
    public async Task The_sweep_catches_a_node_that_never_reported_Ready_and_one_cluster_failing_does_not_stop_the_others()
    {
        Ec2Knows(Instance("i-cp", InstanceStates.Running), Instance("i-w1", InstanceStates.Running, phase: NodePhases.Joined), Instance("i-w2", InstanceStates.Running));
        var broken = _cluster with { Uid = "fedcba9876543210fedcba9876543210", Spec = _cluster.Spec with { Name = "broken" } };
        _clusters.GetAsync(Arg.Any<ProjectScope>(), "broken", Arg.Any<CancellationToken>()).Returns(broken);
        _sessions.OpenAsync(Arg.Any<CloudAccount>(), Arg.Any<string>(), Arg.Is<SessionScope>(s => s.ClusterUid == broken.Uid), Arg.Any<CancellationToken>())
            .ThrowsAsync(new InvalidOperationException("role cannot be assumed"));

        var outcome = await Sweep(broken, _cluster).SweepAsync(Ct);

        outcome.Started.Should().Equal("acme/demo/demo");
        outcome.Errors.Should().ContainSingle().Which.Should().Contain("acme/demo/broken");
    }

    [Fact]
    public async Task A_replacement_falls_back_to_the_next_zone_on_a_capacity_error_and_reports_the_zone_without_capacity()
    {
        _cluster = TestCluster.Create("us-east-1a", "us-east-1b") with { Status = ClusterStatus.Running };
        _inventory.Add(ResourceKinds.SecurityGroup, "sg-node", SecurityGroupRoles.Node);
        _cloud.Nodes.Fail("RunInstances", "InsufficientInstanceCapacity", r => r.SubnetId == "subnet-a");
        var resources = await ClusterResources.LoadAsync(_cluster, _cloud, _inventory, _clock, Ct);
        var remediation = new NodeRemediation(resources, new NodePoolKind(resources));
        var launch = NodePoolKindTests.Launch(_cluster);

        var outcome = await remediation.LaunchAsync(
            new Replacement("workers", "worker", "i-w1", UnhealthyReason.SpotInterrupted, true, ["us-east-1a", "us-east-1b"]), 1, 0,
            () => Task.FromResult(launch), zone => zone == "us-east-1a" ? "subnet-a" : "subnet-b", Ct);

        var launched = _cloud.Nodes.All.Should().ContainSingle().Subject;
        launched.SubnetId.Should().Be("subnet-b");
        outcome.Node!.Id.Should().Be(launched.Id);
        outcome.Zone.Should().Be("us-east-1b");
        outcome.Shortages.Should().ContainSingle().Which.Should().Match<CapacityShortage>(s => s.Zone == "us-east-1a" && s.Error.StartsWith("InsufficientInstanceCapacity"));
        _inventory.Items.Single(i => i.Id == launched.Id).Attributes.Should().Contain(NodeRemediation.ReplacesAttribute, "i-w1");

        _cloud.Nodes.Fail("RunInstances", "InvalidParameterValue");
        var other = () => remediation.LaunchAsync(new Replacement("workers", "worker", "i-w2", UnhealthyReason.Gone, true, ["us-east-1a"]), 1, 0,
            () => Task.FromResult(launch), _ => "subnet-a", Ct);
        await other.Should().ThrowAsync<ProvisioningFailedException>("only a capacity error moves on to another zone");
    }

    [Fact]
    public async Task Retiring_a_node_marks_it_before_it_is_terminated_so_its_events_are_known_as_the_products_own()
    {
        var marked = false;
        Ec2Knows(Instance("i-w1", InstanceStates.Running));
        _cloud.Nodes.Terminating = _ => marked = _inventory.Items.Single(i => i.Id == "i-w1").Attributes![PoolRollout.RetiringAttribute] == "true";
        var resources = await ClusterResources.LoadAsync(_cluster, _cloud, _inventory, _clock, Ct);

        await new NodeRemediation(resources, new NodePoolKind(resources)).RetireAsync("i-w1", "worker", Ct);

        marked.Should().BeTrue();
        Terminates.Should().Equal("TerminateInstances i-w1");
        _cloud.Nodes.Find("i-w1")!.State.Should().Be(InstanceStates.ShuttingDown);
    }

    [Fact]
    public async Task A_replacement_that_reported_Failed_fails_the_remediation_at_once_naming_the_node_and_its_reason_and_is_retired()
    {
        var item = _inventory.Items.Single(i => i.Id == "i-w1");
        _inventory.Items[_inventory.Items.IndexOf(item)] = item with { Name = "demo-workers-0" };
        var failed = Instance("i-w1", InstanceStates.Running, NodePhases.Failed);
        failed.Tags[NodePhases.MessageTagKey] = "kubernetes.default.svc.cluster.local does not resolve through the cluster DNS 10.96.0.10";
        Ec2Knows(failed);
        var resources = await ClusterResources.LoadAsync(_cluster, _cloud, _inventory, _clock, Ct);

        var (progress, detail) = await new NodeRemediation(resources, new NodePoolKind(resources)).CheckAsync("i-w1", "worker", null, Ct);

        progress.Should().Be(ReplacementProgress.Failed);
        detail.Should().Be("node demo-workers-0 (i-w1) failed: kubernetes.default.svc.cluster.local does not resolve through the cluster DNS 10.96.0.10");
        Terminates.Should().Equal("TerminateInstances i-w1");
    }
}
