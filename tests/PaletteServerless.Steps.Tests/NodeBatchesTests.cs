using System.Text;
using Amazon.EC2.Model;
using NSubstitute;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>Workers launch in batches: one RunInstances per zone, its ClientToken recorded before the call, a lost answer finished, never repeated.</summary>
public sealed class NodeBatchesTests
{
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly List<RunInstancesRequest> _calls = [];

    public NodeBatchesTests()
    {
        _inventory.Add(ResourceKinds.SecurityGroup, "sg-node", SecurityGroupRoles.Node);
        // EC2 answers a ClientToken it saw with the same reservation: instance ids made from the token.
        _cloud.Ec2.RunInstancesAsync(Arg.Any<RunInstancesRequest>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            var request = call.Arg<RunInstancesRequest>();
            lock (_calls)
                _calls.Add(request);
            return new RunInstancesResponse
            {
                Reservation = new Reservation
                {
                    Instances = [.. Enumerable.Range(0, request.MaxCount!.Value).Select(i => new Instance { InstanceId = $"i-{request.ClientToken[^6..]}-{i}", AmiLaunchIndex = i })],
                },
            };
        });
    }

    [Fact]
    public async Task Workers_of_a_pool_launch_in_one_call_per_zone_with_the_same_user_data_naming_no_node_and_are_each_recorded()
    {
        var resources = await ResourcesAsync(_cloud, _inventory, Create("us-east-1a", "us-east-1b"));
        var workers = ClusterPlan.Build(resources.Cluster).Instances.Where(i => i.Pool == "workers").ToList();

        await new NodeBatches(resources, new NodePoolKind(resources)).LaunchAsync(workers, NodePoolKindTests.Launch(resources.Cluster), zone => $"subnet-{zone}", Ct);

        _calls.Should().HaveCount(2).And.OnlyContain(r => r.MinCount == 1 && r.MaxCount == 1);
        _calls.Select(r => r.SubnetId).Should().BeEquivalentTo("subnet-us-east-1a", "subnet-us-east-1b");
        _calls.Select(r => r.UserData).Distinct().Should().ContainSingle();
        Encoding.UTF8.GetString(Convert.FromBase64String(_calls[0].UserData)).Should().NotContain("demo-workers-");
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
        var token = _calls.Single().ClientToken;
        var first = _inventory.Items.Where(i => i.Kind == ResourceKinds.Instance).OrderBy(i => i.Name).ToList();

        // A run that recorded the batch and one of its instances, then stopped: the next run asks again with the token.
        var second = new InMemoryInventory();
        second.Add(ResourceKinds.SecurityGroup, "sg-node", SecurityGroupRoles.Node);
        second.Add(ResourceKinds.LaunchRequest, token, "worker", "us-east-1a",
            new() { [NodeBatches.PoolAttribute] = "workers", [NodeBatches.MembersAttribute] = string.Join(',', workers.Select(w => w.Name)) });
        second.Items.Add(first[0]);
        var again = await ResourcesAsync(_cloud, second);
        await new NodeBatches(again, new NodePoolKind(again)).LaunchAsync(workers, NodePoolKindTests.Launch(again.Cluster), _ => "subnet-a", Ct);

        _calls.Should().HaveCount(2).And.OnlyContain(r => r.ClientToken == token && r.MaxCount == workers.Count);
        second.Items.Where(i => i.Kind == ResourceKinds.Instance).Select(i => i.Id).Should().BeEquivalentTo(first.Select(i => i.Id));
        second.Items.Should().NotContain(i => i.Kind == ResourceKinds.LaunchRequest);
    }
}
