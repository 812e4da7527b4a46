using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>A change of the cluster's tags reaches every parameter it records; the desired state reads as absent until written.</summary>
public sealed class ParameterRetaggingTests
{
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private const string Path = "/palette-serverless/acme/" + Uid;

    [Fact]
    public async Task A_tag_change_sets_and_removes_the_tags_of_each_recorded_parameter_keeping_the_others()
    {
        foreach (var name in new[] { $"{Path}/ca", $"{Path}/desired-state" })
        {
            _cloud.Parameters.Seed(name, "v", tags: new Dictionary<string, string> { [OwnershipTags.ClusterUid] = Uid, ["team"] = "a", ["cost"] = "1" });
            _inventory.Add(ResourceKinds.SecretParameter, name, "secret");
        }
        var cluster = Create() with { Spec = Create().Spec with { Tags = new() { ["team"] = "b" } } };

        var changed = await new ClusterRetagging(await ResourcesAsync(_cloud, _inventory, cluster))
            .ApplyAsync(new Dictionary<string, string> { ["team"] = "a", ["cost"] = "1" }, CancellationToken.None);

        changed.Should().Be(2);
        _cloud.Parameters.Parameters.Values.Should().AllSatisfy(p => p.Tags.Should().BeEquivalentTo(new Dictionary<string, string> { [OwnershipTags.ClusterUid] = Uid, ["team"] = "b" }));
    }

    [Fact]
    public async Task A_tag_change_reaches_the_recorded_EC2_resources_and_the_volumes_of_the_cluster_s_nodes()
    {
        var cluster = Create() with { Spec = Create().Spec with { Tags = new() { ["team"] = "b" } } };
        var before = new Dictionary<string, string> { [OwnershipTags.ClusterUid] = Uid, ["team"] = "a", ["cost"] = "1" };
        _cloud.Nodes.Seed("i-1", tags: before);
        _cloud.Nodes.ResourceTags["vol-1"] = new(before);
        _cloud.Nodes.ResourceTags["vol-theirs"] = new() { [OwnershipTags.ClusterUid] = "fedcba9876543210fedcba9876543210", ["team"] = "a" };
        _cloud.Nodes.ResourceTags["vpc-1"] = new(before);
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-workers-0", "us-east-1a");
        _inventory.Add(ResourceKinds.Vpc, "vpc-1");

        var changed = await new ClusterRetagging(await ResourcesAsync(_cloud, _inventory, cluster))
            .ApplyAsync(new Dictionary<string, string> { ["team"] = "a", ["cost"] = "1" }, CancellationToken.None);

        changed.Should().Be(3);
        var after = new Dictionary<string, string> { [OwnershipTags.ClusterUid] = Uid, ["team"] = "b" };
        _cloud.Nodes.Find("i-1")!.Tags.Should().BeEquivalentTo(after);
        _cloud.Nodes.ResourceTags["vol-1"].Should().BeEquivalentTo(after);
        _cloud.Nodes.ResourceTags["vpc-1"].Should().BeEquivalentTo(after);
        _cloud.Nodes.ResourceTags["vol-theirs"]["team"].Should().Be("a", "another cluster's volume is not ours to retag");
    }

    [Fact]
    public async Task The_desired_state_of_a_cluster_that_has_none_reads_as_null()
    {
        var resources = await ResourcesAsync(_cloud, _inventory);

        (await new DesiredStateKind(resources).ReadAsync(resources.Cluster, CancellationToken.None)).Should().BeNull();
        _cloud.Parameters.Seed(DesiredState.ParameterName(resources.Cluster), "not a document", Domain.Ports.ParameterKind.Document);
        (await new DesiredStateKind(resources).ReadAsync(resources.Cluster, CancellationToken.None)).Should().BeNull("it cannot be read as one");
    }
}
