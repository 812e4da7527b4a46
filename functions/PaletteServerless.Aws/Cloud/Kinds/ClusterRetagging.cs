using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// A change of the cluster's tags applied in place to everything it owns: the inventory's EC2 resources, the
/// instances' volumes (found by the ownership tag), the load balancer, target group and listener, and the
/// secret parameters. Idempotent.
/// </summary>
public sealed class ClusterRetagging(ClusterResources resources)
{
    private static readonly string[] LoadBalancing = [ResourceKinds.LoadBalancer, ResourceKinds.TargetGroup, ResourceKinds.Listener];

    /// <summary>Returns how many resources were retagged (0 when the tags did not change).</summary>
    public async Task<int> ApplyAsync(IReadOnlyDictionary<string, string>? applied, CancellationToken ct)
    {
        var (set, remove) = ClusterUpdates.TagChanges(applied, resources.Cluster.Definition.Tags);
        if (set.Count == 0 && remove.Count == 0)
            return 0;
        var ec2 = resources.Items.Where(i => i.Kind.StartsWith("ec2:", StringComparison.Ordinal) && i.Kind != ResourceKinds.Volume).Select(i => i.Id).ToList();
        ec2.AddRange(await resources.Cloud.Nodes.OwnedVolumesAsync(
            new OwnedBy(new Dictionary<string, string> { [OwnershipTags.ClusterUid] = resources.Cluster.Uid }), ct));
        foreach (var batch in ec2.Distinct().Chunk(INodeFleet.TagResourcesPerCall))
        {
            if (set.Count > 0)
                await resources.Cloud.Nodes.TagAsync(batch, set, ct);
            if (remove.Count > 0)
                await resources.Cloud.Nodes.UntagAsync(batch, remove, ct);
        }
        var elb = resources.Items.Where(i => LoadBalancing.Contains(i.Kind)).Select(i => i.Id).ToList();
        // The listener is found through its load balancer (the inventory records the load balancer and target group).
        foreach (var loadBalancer in resources.All(ResourceKinds.LoadBalancer).ToList())
            elb.AddRange((await resources.Cloud.LoadBalancers.ListenersAsync(loadBalancer.Id, ct)).Select(l => l.Arn));
        elb = [.. elb.Distinct()];
        // AddTags and RemoveTags take at most 20 ARNs a call.
        foreach (var batch in elb.Chunk(20))
        {
            if (set.Count > 0)
                await resources.Cloud.LoadBalancers.TagAsync(batch, set, ct);
            if (remove.Count > 0)
                await resources.Cloud.LoadBalancers.UntagAsync(batch, remove, ct);
        }
        // Parameters are tagged one by one.
        var parameters = resources.All(ResourceKinds.SecretParameter).Select(i => i.Id).ToList();
        foreach (var parameter in parameters)
        {
            if (set.Count > 0)
                await resources.Cloud.Parameters.TagAsync(parameter, set, ct);
            if (remove.Count > 0)
                await resources.Cloud.Parameters.UntagAsync(parameter, remove, ct);
        }
        return ec2.Count + elb.Count + parameters.Count;
    }
}
