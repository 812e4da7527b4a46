using System.Text;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>Workers launch in batches: one RunInstances per zone, its ClientToken recorded before the call, a lost answer finished, never repeated.</summary>
public sealed class NodeBatchesTests
{
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private static readonly CancellationToken Ct = CancellationToken.None;

    // Every launch asked; the fake answers a ClientToken it saw with the instances of the first launch, as EC2 does.
    private IReadOnlyList<NodeLaunchRequest> Launches => _cloud.Nodes.Launches;

    public NodeBatchesTests()
    {
        _inventory.Add(ResourceKinds.SecurityGroup, "sg-node", SecurityGroupRoles.Node);
    }

    [Fact]
    public async Task Workers_of_a_pool_launch_in_one_call_per_zone_with_the_same_user_data_naming_no_node_and_are_each_recorded()
    {
        var resources = await ResourcesAsync(_cloud, _inventory, Create("us-east-1a", "us-east-1b"));
        var workers = ClusterPlan.Build(resources.Cluster).Instances.Where(i => i.Pool == "workers").ToList();

        await new NodeBatches(resources, new NodePoolKind(resources)).LaunchAsync(workers, NodePoolKindTests.Launch(resources.Cluster), zone => $"subnet-{zone}", Ct);

        Launches.Should().HaveCount(2).And.OnlyContain(r => r.Count == 1);
        Launches.Select(r => r.SubnetId).Should().BeEquivalentTo("subnet-us-east-1a", "subnet-us-east-1b");
        Launches.Select(r => r.UserData).Distinct().Should().ContainSingle();
        Encoding.UTF8.GetString(Convert.FromBase64String(Launches[0].UserData)).Should().NotContain("demo-workers-");
        _inventory.Items.Where(i => i.Kind == ResourceKinds.Instance).Select(i => i.Name).Should().BeEquivalentTo(workers.Select(w => w.Name));
        _inventory.Items.Should().NotContain(i => i.Kind == ResourceKinds.LaunchRequest);
    }

    [Fact]
    public async Task A_batch_recorded_before_its_call_is_finished_with_its_token_and_its_instances_recorded_once()
    {
        var resources = await ResourcesAsync(_cloud, _inventory);
        var workers = ClusterPlan.Build(resources.Cluster).Instances.Where(i => i.Pool == "workers").ToList();
        var batches = new NodeBatches(resources, new NodePoolKind(resources));
        await batches.LaunchAsync(workers, NodePoolKindTests.Launch(resources.Cluster), _ => "subnet-a", Ct);
        var token = Launches.Single().ClientToken;
        var first = _inventory.Items.Where(i => i.Kind == ResourceKinds.Instance).OrderBy(i => i.Name).ToList();

        // A run that recorded the batch and one of its instances, then stopped: the next run asks again with the token.
        var second = new InMemoryInventory();
        second.Add(ResourceKinds.SecurityGroup, "sg-node", SecurityGroupRoles.Node);
        second.Add(ResourceKinds.LaunchRequest, token, "worker", "us-east-1a",
            new() { [NodeBatches.PoolAttribute] = "workers", [NodeBatches.MembersAttribute] = string.Join(',', workers.Select(w => w.Name)) });
        second.Items.Add(first[0]);
        var again = await ResourcesAsync(_cloud, second);
        await new NodeBatches(again, new NodePoolKind(again)).LaunchAsync(workers, NodePoolKindTests.Launch(again.Cluster), _ => "subnet-a", Ct);

        Launches.Should().HaveCount(2).And.OnlyContain(r => r.ClientToken == token && r.Count == workers.Count);
        second.Items.Where(i => i.Kind == ResourceKinds.Instance).Select(i => i.Id).Should().BeEquivalentTo(first.Select(i => i.Id));
        _cloud.Nodes.All.Should().HaveCount(workers.Count, "the second launch of the token launched nothing");
        second.Items.Should().NotContain(i => i.Kind == ResourceKinds.LaunchRequest);
    }
}
