using PaletteServerless.Domain.Patching;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using InventoryItem = PaletteServerless.Domain.Provisioning.InventoryItem;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// The cluster's side of OS patching: its running nodes with their patch reports (one describe of the inventory's
/// instances), and its patch request (<see cref="OsPatchRequest"/>), one SSM String parameter beside its secrets,
/// tagged as the desired state is (ownership and the VPC the node policy matches). Recorded in the inventory before
/// its create; the teardown removes it with everything under the cluster's path.
/// </summary>
public sealed class OsPatchKind(ClusterResources resources)
{
    /// <summary>The cluster's running nodes (pool from the inventory) and each one's report tag.</summary>
    public async Task<List<PatchNodeObservation>> RunningNodesAsync(CancellationToken ct)
    {
        var items = resources.All(ResourceKinds.Instance).ToDictionary(i => i.Id, StringComparer.Ordinal);
        var instances = await resources.Cloud.Nodes.DescribeAsync(items.Keys, ct);
        return [.. instances.Where(i => i.State == InstanceStates.Running).Select(i => new PatchNodeObservation(i.Id,
            items[i.Id].Attributes?.GetValueOrDefault(NodeAttributes.Pool) ?? "",
            i.Tag(OsPatchReport.TagKey)))];
    }

    /// <summary>Writes the request: the run, and the instances that are to patch now.</summary>
    public async Task WriteAsync(string run, IReadOnlyList<string> instances, CancellationToken ct)
    {
        var cluster = resources.Cluster;
        var value = OsPatchRequest.Render(run, instances);
        var name = OsPatchRequest.ParameterName(cluster);
        if (resources.All(ResourceKinds.SecretParameter).All(i => i.Id != name))
            await resources.RecordAsync(new InventoryItem { Kind = ResourceKinds.SecretParameter, Id = name, Role = OsPatchRequest.Parameter, Name = name, RecordedAt = resources.Clock.GetUtcNow() }, ct);
        await resources.Cloud.Parameters.WriteAsync(new ParameterWrite(name, ParameterKind.Document, value),
            SecretParameterKind.TagsOf(resources, name, OsPatchRequest.Parameter, DesiredStateKind.VpcOf(resources)), ct);
    }
}
