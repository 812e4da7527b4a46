using PaletteServerless.Aws.Storage;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Testing;

namespace PaletteServerless.Aws.Tests.Storage;

/// <summary>The inventory on the table: a batch of nodes recorded and forgotten in BatchWriteItem calls of 25.</summary>
public class DynamoDbInventoryStoreTests(StoreFixture table) : IClassFixture<StoreFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private DynamoDbInventoryStore Inventory => new(table.Dynamo, StoreFixture.TableName);

    private static Cluster ClusterOf(string uid) => new()
    {
        Scope = new ProjectScope("t" + Guid.NewGuid().ToString("N")[..10], "web"),
        Uid = uid,
        Spec = new ClusterSpec { Name = "big" },
        Status = ClusterStatus.Provisioning,
    };

    private static InventoryItem Node(int i) => new()
    {
        Kind = ResourceKinds.Instance, Id = $"i-{i:x17}", Role = "workers", Name = $"big-workers-{i}", AvailabilityZone = "us-east-1a",
        Attributes = new Dictionary<string, string> { [NodeAttributes.Pool] = "workers" }, RecordedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public async Task Many_items_beyond_one_batch_are_all_recorded_and_all_forgotten_and_another_clusters_are_untouched()
    {
        var cluster = ClusterOf(Guid.NewGuid().ToString("N"));
        var other = cluster with { Uid = Guid.NewGuid().ToString("N") };
        var nodes = Enumerable.Range(0, 2 * DynamoDbInventoryStore.BatchSize + 7).Select(Node).ToList();
        await Inventory.RecordAsync(other, Node(0), None);

        await Inventory.RecordManyAsync(cluster, nodes, None);

        (await Inventory.ListAsync(cluster, None)).Select(i => i.Id).Should().BeEquivalentTo(nodes.Select(n => n.Id));
        // Recorded again (an update of the same items): still one item each.
        await Inventory.RecordManyAsync(cluster, nodes.Take(30).Select(n => n with { Name = n.Name + "-again" }).ToList(), None);
        var listed = await Inventory.ListAsync(cluster, None);
        listed.Should().HaveCount(nodes.Count);
        listed.Count(i => i.Name!.EndsWith("-again", StringComparison.Ordinal)).Should().Be(30);

        await Inventory.ForgetManyAsync(cluster, nodes.Skip(5).ToList(), None);

        (await Inventory.ListAsync(cluster, None)).Select(i => i.Id).Should().BeEquivalentTo(nodes.Take(5).Select(n => n.Id));
        (await Inventory.ListAsync(other, None)).Should().ContainSingle();
    }
}
