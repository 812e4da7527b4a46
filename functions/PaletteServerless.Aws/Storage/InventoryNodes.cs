using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Storage;

/// <summary>
/// A cluster's nodes as its inventory records them (pool, zone, launch fingerprint), for the dry run's change
/// plan: no cloud call, so a node counts as healthy, and one the update already retires is left out.
/// </summary>
public sealed class InventoryNodes(IInventoryStore inventory) : INodeInventory
{
    public async Task<IReadOnlyList<PoolNode>> ListAsync(Cluster cluster, CancellationToken ct) =>
        (await inventory.ListAsync(cluster, ct))
            .Where(i => i.Kind == ResourceKinds.Instance && i.Attributes?.GetValueOrDefault(NodeAttributes.Pool) is not null)
            .Select(i => new PoolNode(
                i.Id, i.Attributes![NodeAttributes.Pool], i.AvailabilityZone ?? "", i.RecordedAt,
                ClusterUpdates.NodeFingerprint(cluster, i.Attributes[NodeAttributes.Pool], i.Attributes.GetValueOrDefault(LaunchFingerprint.AttributeName)),
                i.Attributes.GetValueOrDefault("retiring") == "true" ? NodeState.Terminating : NodeState.Healthy))
            .ToList();
}
