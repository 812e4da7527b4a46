using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>The node pool moves a replace is made of: launch one, list a pool's, terminate one.</summary>
public sealed class NodePoolKindTests
{
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private static readonly CancellationToken Ct = CancellationToken.None;

    internal static NodeLaunch Launch(Domain.Clusters.Cluster cluster) => new(
        "api.example", new ClusterProfile
        {
            Name = "ubuntu-k8s", Version = "1.0.0",
            Packs =
            [
                new Pack { Layer = "os", Name = "ubuntu", Version = "22.04", Values = "" },
                new Pack { Layer = "k8s", Name = "kubernetes", Version = "1.30.4", Values = "" },
                new Pack { Layer = "cni", Name = "calico", Version = "3.27.0", Values = "" },
                new Pack { Layer = "csi", Name = "aws-ebs-csi", Version = "1.30.0", Values = "" },
            ],
        },
        "sha256:" + new string('0', 64), new Dictionary<string, string> { ["m5.large"] = "ami-1" });

    [Fact]
    public async Task Launch_runs_one_instance_in_the_plan_zone_with_its_token_and_records_it_with_its_pool()
    {
        _inventory.Add(ResourceKinds.SecurityGroup, "sg-node", SecurityGroupRoles.Node);
        var resources = await ResourcesAsync(_cloud, _inventory);
        var worker = ClusterPlan.Build(resources.Cluster).Instances.First(i => i.Pool == "workers");

        var item = await new NodePoolKind(resources).LaunchAsync(worker, Launch(resources.Cluster), "subnet-a", Ct);

        var launched = _cloud.Nodes.All.Should().ContainSingle().Subject;
        item.Id.Should().Be(launched.Id);
        item.AvailabilityZone.Should().Be(worker.AvailabilityZone);
        item.Attributes.Should().Contain("pool", "workers").And.Contain("role", "worker").And.NotContainKey(NodeReadiness.FirstControlPlaneAttribute);
        _inventory.Items.Should().Contain(i => i.Id == launched.Id);
        launched.Tags.Should().Contain("Name", worker.Name).And.Contain(OwnershipTags.ClusterUid, Uid).And.Contain("palette.serverless/pool", "workers");
        var request = _cloud.Nodes.Launches.Should().ContainSingle().Subject;
        request.Should().Match<NodeLaunchRequest>(r =>
            r.ClientToken == worker.ClientToken && r.Count == 1 && r.SubnetId == "subnet-a" && r.SecurityGroupIds[0] == "sg-node" && r.ImageId == "ami-1"
            && r.InstanceProfile == SecretParameters.WorkerInstanceProfileName && r.MetadataHopLimit == 1 && r.Spot == null);
        request.VolumeTags.Should().Contain("Name", worker.Name + "-root");
    }

    [Fact]
    public async Task Launch_adopts_the_live_instance_of_that_name_instead_of_running_another()
    {
        var resources = await ResourcesAsync(_cloud, _inventory);
        var worker = ClusterPlan.Build(resources.Cluster).Instances.First(i => i.Pool == "workers");
        _cloud.Nodes.Seed("i-stopped", InstanceStates.Stopped, tags: Owned(resources, worker.Name));
        _cloud.Nodes.Seed("i-other", tags: Owned(resources, "demo-workers-other"));
        _cloud.Nodes.Seed("i-already", tags: Owned(resources, worker.Name));

        var item = await new NodePoolKind(resources).LaunchAsync(worker, Launch(resources.Cluster), "subnet-a", Ct);

        item.Id.Should().Be("i-already", "the live instance of that name, not a stopped one or another name's");
        _cloud.Nodes.Launches.Should().BeEmpty();
    }

    [Fact]
    public async Task A_pool_lists_its_own_instances_with_zone_and_launch_time_oldest_first()
    {
        _inventory.Add(ResourceKinds.Instance, "i-new", "demo-workers-1", "us-east-1b", new() { ["pool"] = "workers", ["role"] = "worker" });
        _inventory.Add(ResourceKinds.Instance, "i-old", "demo-workers-0", "us-east-1a", new() { ["pool"] = "workers", ["role"] = "worker" });
        _inventory.Add(ResourceKinds.Instance, "i-cp", "demo-cp-0", "us-east-1a", new() { ["pool"] = "cp", ["role"] = "control-plane" });
        var old = new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero);
        _cloud.Nodes.Seed("i-new", zone: "us-east-1b", launched: old.AddHours(1));
        _cloud.Nodes.Seed("i-old", zone: "us-east-1a", launched: old);
        _cloud.Nodes.Seed("i-cp");

        var instances = await new NodePoolKind(await ResourcesAsync(_cloud, _inventory)).ListAsync("workers", Ct);

        instances.Should().Equal(
            new PoolInstance("i-old", "i-old", "us-east-1a", old, "running"),
            new PoolInstance("i-new", "i-new", "us-east-1b", old.AddHours(1), "running"));
        _cloud.Nodes.Calls.Should().ContainSingle().Which.Should().Be("DescribeInstances i-new,i-old", "one describe of the pool's own instances");
    }

    [Fact]
    public async Task Terminating_an_instance_keeps_its_record_until_it_is_gone()
    {
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-workers-0", "us-east-1a", new() { ["pool"] = "workers" });
        _cloud.Nodes.Seed("i-1");
        var nodes = new NodePoolKind(await ResourcesAsync(_cloud, _inventory));

        await nodes.TerminateAsync("i-1", Ct);

        _inventory.Items.Should().ContainSingle(i => i.Id == "i-1", "it is shutting down, not gone");
        _cloud.Nodes.Find("i-1")!.State.Should().Be(InstanceStates.ShuttingDown);
        _cloud.Nodes.Calls.Should().ContainSingle(c => c.StartsWith("TerminateInstances", StringComparison.Ordinal)).Which.Should().Be("TerminateInstances i-1");
    }

    [Fact]
    public async Task Terminating_an_instance_EC2_no_longer_knows_is_done_and_forgets_it()
    {
        // EC2 does not know i-1: its terminate fails InvalidInstanceID.NotFound.
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-workers-0", "us-east-1a", new() { ["pool"] = "workers" });
        var nodes = new NodePoolKind(await ResourcesAsync(_cloud, _inventory));

        await nodes.TerminateAsync("i-1", Ct);
        await nodes.TerminateAsync("i-1", Ct);

        _inventory.Items.Should().BeEmpty();
    }

    private static Dictionary<string, string> Owned(Aws.Cloud.ClusterResources resources, string name) =>
        new(resources.CreationTags(name, SecurityGroupRoles.Node));

    private (string Id, Dictionary<string, string> Tags) Reporting(string id, string? phase, string? message = null)
    {
        var tags = new Dictionary<string, string>();
        if (phase is not null)
            tags[NodePhases.TagKey] = phase;
        if (message is not null)
            tags[NodePhases.MessageTagKey] = message;
        return (id, tags);
    }

    private async Task<NodePoolsState> CheckAsync(params (string Id, Dictionary<string, string> Tags)[] instances)
    {
        _inventory.Add(ResourceKinds.Instance, "i-cp0", attributes: new() { ["role"] = "control-plane", ["pool"] = "cp", [NodeReadiness.FirstControlPlaneAttribute] = "true" });
        _inventory.Add(ResourceKinds.Instance, "i-w0", attributes: new() { ["role"] = "worker", ["pool"] = "workers" });
        foreach (var (id, tags) in instances)
            _cloud.Nodes.Seed(id, tags: tags);
        return await new NodePoolKind(await ResourcesAsync(_cloud, _inventory)).CheckAsync(Ct);
    }

    [Fact]
    public async Task Check_reads_each_node_s_phase_from_its_instance_tags_and_knows_the_first_control_plane_from_the_inventory()
    {
        var state = await CheckAsync(Reporting("i-cp0", NodePhases.Ready), Reporting("i-w0", NodePhases.Ready));

        state.AllRunning.Should().BeTrue();
        state.Nodes.Should().BeEquivalentTo([
            new NodeReport("i-cp0", "i-cp0", true, NodePhases.Ready, null),
            new NodeReport("i-w0", "i-w0", false, NodePhases.Ready, null),
        ]);
        NodeReadiness.AllReady(state.Nodes).Should().BeFalse("the first control plane has not applied its packs yet");
    }

    [Fact]
    public async Task Check_carries_a_pack_failure_with_its_message()
    {
        var state = await CheckAsync(Reporting("i-cp0", NodePhases.PacksFailed, "calico-3.27.0"), Reporting("i-w0", null));

        NodeReadiness.FailureOf(state.Nodes).Should().Contain("pack calico-3.27.0 failed").And.Contain("i-cp0");
        NodeReadiness.TimedOut(state.Nodes).Should().Contain("i-w0 (i-w0), never reported a phase");
    }

    [Fact]
    public async Task A_launched_first_control_plane_is_recorded_as_such()
    {
        _inventory.Add(ResourceKinds.SecurityGroup, "sg-cp", SecurityGroupRoles.ControlPlane);
        var resources = await ResourcesAsync(_cloud, _inventory);
        var first = ClusterPlan.Build(resources.Cluster).Instances.Single(i => i.IsFirstControlPlane);

        var item = await new NodePoolKind(resources).LaunchAsync(first, Launch(resources.Cluster) with { ImageByInstanceType = new Dictionary<string, string> { [first.InstanceType] = "ami-1" } }, "subnet-a", Ct);

        item.Attributes.Should().Contain(NodeReadiness.FirstControlPlaneAttribute, "true").And.Contain(NodeReadiness.ReportsPhasesAttribute, "true");
        _cloud.Nodes.Launches.Should().ContainSingle().Which.InstanceProfile.Should().Be(SecretParameters.InstanceProfileOf(NodePoolRoles.ControlPlane));
    }

    [Fact]
    public async Task A_node_that_stopped_on_its_own_fails_the_check_naming_it_and_EC2_s_reason()
    {
        _inventory.Add(ResourceKinds.Instance, "i-w0", attributes: new() { ["role"] = "worker", ["pool"] = "workers" });
        _cloud.Nodes.Seed("i-w0", InstanceStates.Stopped).StateReasonMessage = "Client.UserInitiatedShutdown: User initiated shutdown";

        var check = async () => await new NodePoolKind(await ResourcesAsync(_cloud, _inventory)).CheckAsync(Ct);

        (await check.Should().ThrowAsync<ProvisioningFailedException>()).Which.Message.Should()
            .Be("instance(s) did not start: i-w0 is stopped: Client.UserInitiatedShutdown: User initiated shutdown");
    }

    [Fact]
    public async Task A_spot_pool_launches_spot_capacity_at_its_price()
    {
        _inventory.Add(ResourceKinds.SecurityGroup, "sg-node", SecurityGroupRoles.Node);
        var cluster = Create();
        cluster = cluster with { Spec = cluster.Spec with { NodePools = [cluster.Spec.NodePools![0], cluster.Spec.NodePools[1] with { CapacityType = "spot", MaxSpotPrice = 0.05m }] } };
        var resources = await ResourcesAsync(_cloud, _inventory, cluster);
        var worker = ClusterPlan.Build(resources.Cluster).Instances.First(i => i.Pool == "workers");

        await new NodePoolKind(resources).LaunchAsync(worker, Launch(resources.Cluster), "subnet-a", Ct);

        _cloud.Nodes.Launches.Single().Spot.Should().Be(new SpotCapacity(0.05m));
        _cloud.Nodes.All.Single().Lifecycle.Should().Be("spot");
    }
}
