using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud;

/// <summary>Turns what a teardown could not remove into a report a person can act on: type, id, why, and cost.</summary>
public static class LeftoverFinder
{
    public static async Task<List<Leftover>> SweepAsync(ClusterResources resources, CancellationToken ct)
    {
        var result = await new Teardown(resources).PassAsync(ct, attemptEveryStage: true);
        var account = await resources.Cloud.AccountIdAsync(ct);
        var cluster = resources.Cluster;
        var notes = result.WaitingFor.Concat(result.Errors).ToList();
        var leftovers = resources.Items.Select(item =>
        {
            var pool = cluster.Spec.NodePools?.FirstOrDefault(p => p.Name == item.Attributes?.GetValueOrDefault(NodeAttributes.Pool));
            return new Leftover(
                LeftoverReport.TypeOf(item.Kind), item.Id, item.Kind, account, resources.Cloud.Region,
                notes.FirstOrDefault(n => n.Contains(item.Id, StringComparison.Ordinal)) ?? "still exists after the sweep",
                LeftoverReport.HourlyCost(item.Kind, pool?.InstanceType, pool?.DiskSizeGiB), cluster.Uid, cluster.Name);
        }).ToList();
        // What blocks without being ours is reported too: it is why the VPC could not go.
        foreach (var blocker in result.Blocking)
        {
            leftovers.Add(new Leftover(LeftoverReport.TypeOf(blocker.Kind), blocker.Id, blocker.Kind, account, resources.Cloud.Region,
                "not created by the product, so not removed; it keeps the network from being deleted: " + blocker.Description,
                LeftoverReport.HourlyCost(blocker.Kind)));
        }
        return leftovers;
    }
}
