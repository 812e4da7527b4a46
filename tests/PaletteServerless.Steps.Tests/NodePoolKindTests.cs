using Amazon.EC2;
using Amazon.EC2.Model;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using PaletteServerless.Aws.Cloud.Kinds;
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
        _cloud.Ec2.DescribeInstancesAsync(Arg.Any<DescribeInstancesRequest>(), Arg.Any<CancellationToken>()).Returns(new DescribeInstancesResponse { Reservations = [] });
        _cloud.Ec2.RunInstancesAsync(Arg.Any<RunInstancesRequest>(), Arg.Any<CancellationToken>()).Returns(new RunInstancesResponse
        {
            Reservation = new Reservation { Instances = [new Instance { InstanceId = "i-new" }] },
        });
        var resources = await ResourcesAsync(_cloud, _inventory);
        var worker = ClusterPlan.Build(resources.Cluster).Instances.First(i => i.Pool == "workers");

        var item = await new NodePoolKind(resources).LaunchAsync(worker, Launch(resources.Cluster), "subnet-a", Ct);

        item.Id.Should().Be("i-new");
        item.AvailabilityZone.Should().Be(worker.AvailabilityZone);
        item.Attributes.Should().Contain("pool", "workers").And.Contain("role", "worker").And.NotContainKey(NodeReadiness.FirstControlPlaneAttribute);
        _inventory.Items.Should().Contain(i => i.Id == "i-new");
        await _cloud.Ec2.Received(1).RunInstancesAsync(Arg.Is<RunInstancesRequest>(r =>
            r.ClientToken == worker.ClientToken && r.SubnetId == "subnet-a" && r.SecurityGroupIds[0] == "sg-node" && r.ImageId == "ami-1"
            && r.IamInstanceProfile.Name == SecretParameters.WorkerInstanceProfileName
            && r.MetadataOptions.HttpTokens == HttpTokensState.Required && r.MetadataOptions.HttpEndpoint == InstanceMetadataEndpointState.Enabled
            && r.MetadataOptions.HttpPutResponseHopLimit == 1), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Launch_adopts_the_live_instance_of_that_name_instead_of_running_another()
    {
        _cloud.Ec2.DescribeInstancesAsync(Arg.Any<DescribeInstancesRequest>(), Arg.Any<CancellationToken>())
            .Returns(KindTests.Reservation("i-already", InstanceStateName.Running));
        var resources = await ResourcesAsync(_cloud, _inventory);
        var worker = ClusterPlan.Build(resources.Cluster).Instances.First(i => i.Pool == "workers");

        var item = await new NodePoolKind(resources).LaunchAsync(worker, Launch(resources.Cluster), "subnet-a", Ct);

        item.Id.Should().Be("i-already");
        await _cloud.Ec2.DidNotReceiveWithAnyArgs().RunInstancesAsync(default!, default);
    }

    [Fact]
    public async Task A_pool_lists_its_own_instances_with_zone_and_launch_time_oldest_first()
    {
        _inventory.Add(ResourceKinds.Instance, "i-new", "demo-workers-1", "us-east-1b", new() { ["pool"] = "workers", ["role"] = "worker" });
        _inventory.Add(ResourceKinds.Instance, "i-old", "demo-workers-0", "us-east-1a", new() { ["pool"] = "workers", ["role"] = "worker" });
        _inventory.Add(ResourceKinds.Instance, "i-cp", "demo-cp-0", "us-east-1a", new() { ["pool"] = "cp", ["role"] = "control-plane" });
        var old = new DateTime(2026, 1, 1, 10, 0, 0, DateTimeKind.Utc);
        _cloud.Ec2.DescribeInstancesAsync(Arg.Any<DescribeInstancesRequest>(), Arg.Any<CancellationToken>()).Returns(new DescribeInstancesResponse
        {
            Reservations =
            [
                KindTests.Reservation("i-new", InstanceStateName.Running, "us-east-1b", old.AddHours(1)).Reservations[0],
                KindTests.Reservation("i-old", InstanceStateName.Running, "us-east-1a", old).Reservations[0],
            ],
        });

        var instances = await new NodePoolKind(await ResourcesAsync(_cloud, _inventory)).ListAsync("workers", Ct);

        instances.Should().Equal(
            new PoolInstance("i-old", "i-old", "us-east-1a", new DateTimeOffset(old), "running"),
            new PoolInstance("i-new", "i-new", "us-east-1b", new DateTimeOffset(old.AddHours(1)), "running"));
        await _cloud.Ec2.Received(1).DescribeInstancesAsync(
            Arg.Is<DescribeInstancesRequest>(r => r.Filters[0].Values.Count == 2 && !r.Filters[0].Values.Contains("i-cp")), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Terminating_an_instance_keeps_its_record_until_it_is_gone()
    {
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-workers-0", "us-east-1a", new() { ["pool"] = "workers" });
        var nodes = new NodePoolKind(await ResourcesAsync(_cloud, _inventory));

        await nodes.TerminateAsync("i-1", Ct);

        _inventory.Items.Should().ContainSingle(i => i.Id == "i-1", "it is shutting down, not gone");
        await _cloud.Ec2.Received(1).TerminateInstancesAsync(Arg.Is<TerminateInstancesRequest>(r => r.InstanceIds.Single() == "i-1"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Terminating_an_instance_EC2_no_longer_knows_is_done_and_forgets_it()
    {
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-workers-0", "us-east-1a", new() { ["pool"] = "workers" });
        _cloud.Ec2.TerminateInstancesAsync(Arg.Any<TerminateInstancesRequest>(), Arg.Any<CancellationToken>()).Throws(Ec2Error("InvalidInstanceID.NotFound"));
        var nodes = new NodePoolKind(await ResourcesAsync(_cloud, _inventory));

        await nodes.TerminateAsync("i-1", Ct);
        await nodes.TerminateAsync("i-1", Ct);

        _inventory.Items.Should().BeEmpty();
    }

    private static Instance Reporting(string id, string? phase, string? message = null)
    {
        var tags = new List<Tag>();
        if (phase is not null)
            tags.Add(new Tag(NodePhases.TagKey, phase));
        if (message is not null)
            tags.Add(new Tag(NodePhases.MessageTagKey, message));
        return new Instance { InstanceId = id, State = new InstanceState { Name = InstanceStateName.Running }, Tags = tags };
    }

    private async Task<NodePoolsState> CheckAsync(params Instance[] instances)
    {
        _inventory.Add(ResourceKinds.Instance, "i-cp0", attributes: new() { ["role"] = "control-plane", ["pool"] = "cp", [NodeReadiness.FirstControlPlaneAttribute] = "true" });
        _inventory.Add(ResourceKinds.Instance, "i-w0", attributes: new() { ["role"] = "worker", ["pool"] = "workers" });
        _cloud.Ec2.DescribeInstancesAsync(Arg.Any<DescribeInstancesRequest>(), Arg.Any<CancellationToken>())
            .Returns(new DescribeInstancesResponse { Reservations = [new Reservation { Instances = [.. instances] }] });
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
        _cloud.Ec2.DescribeInstancesAsync(Arg.Any<DescribeInstancesRequest>(), Arg.Any<CancellationToken>()).Returns(new DescribeInstancesResponse { Reservations = [] });
        _cloud.Ec2.RunInstancesAsync(Arg.Any<RunInstancesRequest>(), Arg.Any<CancellationToken>()).Returns(new RunInstancesResponse
        {
            Reservation = new Reservation { Instances = [new Instance { InstanceId = "i-cp" }] },
        });
        var resources = await ResourcesAsync(_cloud, _inventory);
        var first = ClusterPlan.Build(resources.Cluster).Instances.Single(i => i.IsFirstControlPlane);

        var item = await new NodePoolKind(resources).LaunchAsync(first, Launch(resources.Cluster) with { ImageByInstanceType = new Dictionary<string, string> { [first.InstanceType] = "ami-1" } }, "subnet-a", Ct);

        item.Attributes.Should().Contain(NodeReadiness.FirstControlPlaneAttribute, "true").And.Contain(NodeReadiness.ReportsPhasesAttribute, "true");
    }
}
