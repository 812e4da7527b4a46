using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using InventoryItem = PaletteServerless.Domain.Provisioning.InventoryItem;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// The cluster's desired in-cluster state (<see cref="DesiredState"/>) as one SSM String parameter beside its
/// secrets, tagged as they are (ownership and the cluster's VPC: what the control planes' policy matches), in
/// the tier its size needs (Intelligent-Tiering). Recorded in the inventory before its create; the teardown
/// removes it with everything under the cluster's path.
/// </summary>
public sealed class DesiredStateKind(ClusterResources resources)
{
    /// <summary>
    /// Writes the cluster's desired state at its current generation; returns the generation written. With backups on,
    /// the cluster's bucket is made first (when the product owns it), and <paramref name="operations"/> are the on-demand
    /// backups and restores the document carries (a write without them drops those before: the agent acted on each by name).
    /// </summary>
    public async Task<long> WriteAsync(Cluster cluster, ClusterProfile profile, CancellationToken ct, IReadOnlyList<Domain.Backups.BackupOperation>? operations = null)
    {
        var vpc = VpcOf(resources);
        var location = Domain.Backups.BackupLocation.Of(cluster, vpc);
        var scanBucket = Domain.Backups.ScanLocation.Bucket(cluster, vpc);
        // The cluster's own bucket: for its backups (no location given) and for its scans' results.
        if ((location is { ProductBucket: true } ? location.Bucket : scanBucket) is { } bucket)
            await new BackupBucketKind(resources).EnsureAsync(bucket, ct);
        var state = DesiredState.Of(cluster, profile, location, operations, scanBucket);
        var value = state.ToParameterValue();
        var name = DesiredState.ParameterName(cluster);
        if (resources.All(ResourceKinds.SecretParameter).All(i => i.Id != name))
            await resources.RecordAsync(new InventoryItem { Kind = ResourceKinds.SecretParameter, Id = name, Role = DesiredState.Parameter, Name = name, RecordedAt = resources.Clock.GetUtcNow() }, ct);
        // Created with its tags (a create cannot be untagged: the role requires the ownership tag), else overwritten.
        await resources.Cloud.Parameters.WriteAsync(new ParameterWrite(name, ParameterKind.Document, value, MayOutgrowStandard: true),
            SecretParameterKind.TagsOf(resources, name, DesiredState.Parameter, vpc), ct);
        return state.Generation;
    }

    /// <summary>The document the cluster's parameter holds now; null when there is none (or it cannot be read as one).</summary>
    public async Task<DesiredState?> ReadAsync(Cluster cluster, CancellationToken ct)
    {
        var value = await resources.Cloud.Parameters.ReadOneAsync(DesiredState.ParameterName(cluster), ct);
        return value is null ? null : DesiredState.FromParameterValue(value);
    }

    /// <summary>The VPC the cluster's nodes run in (the tag the node policy compares with the caller's source VPC).</summary>
    public static string VpcOf(ClusterResources resources) =>
        resources.Cluster.Definition.Cloud.Placement.IsDynamic ? resources.Id(ResourceKinds.Vpc) : resources.Cluster.Definition.Cloud.Placement.VpcId!;
}
