using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// Finds, through the Tagging API, what carries the project's ownership tags but belongs to no live
/// cluster, in every account and region given; removes it with the same teardown as a delete.
/// </summary>
public sealed class OrphanSweeper(ICloudSessionOpener sessions, IInventoryStore inventory, TimeProvider clock) : IOrphanSweeper
{
    public Task<LeftoverReport> FindAsync(ProjectScope scope, IReadOnlyList<CloudAccount> accounts, IReadOnlyList<string> regions, IReadOnlySet<string> live, CancellationToken ct) =>
        SweepAsync(scope, accounts, regions, live, remove: false, ct);

    public Task<LeftoverReport> RemoveAsync(ProjectScope scope, IReadOnlyList<CloudAccount> accounts, IReadOnlyList<string> regions, IReadOnlySet<string> live, CancellationToken ct) =>
        SweepAsync(scope, accounts, regions, live, remove: true, ct);

    private async Task<LeftoverReport> SweepAsync(
        ProjectScope scope, IReadOnlyList<CloudAccount> accounts, IReadOnlyList<string> regions, IReadOnlySet<string> live, bool remove, CancellationToken ct)
    {
        var leftovers = new List<Leftover>();
        // The product's own account counts too: a cloud account without a role builds there.
        var distinct = accounts.GroupBy(a => a.RoleArn).Select(g => g.First()).ToList();
        if (distinct.All(a => a.RoleArn is not null))
            distinct.Add(new CloudAccount { Name = "(product account)" });
        foreach (var account in distinct)
        {
            foreach (var region in regions)
            {
                using var cloud = await sessions.OpenAsync(account, region, "palette-orphan-sweep", ct);
                var tagged = await cloud.Tagging.GetAllResourcesAsync(new GetResourcesRequest
                {
                    TagFilters = [new TagFilter(OwnershipTags.Tenant, [scope.Tenant]), new TagFilter(OwnershipTags.Project, [scope.Project])],
                }, ct);
                var orphans = tagged
                    .Select(r => (Resource: r, Uid: r.Tags?.FirstOrDefault(t => t.Key == OwnershipTags.ClusterUid)?.Value))
                    .Where(r => r.Uid is not null && !live.Contains(r.Uid))
                    .GroupBy(r => r.Uid!);
                foreach (var group in orphans)
                {
                    var name = group.First().Resource.Tags?.FirstOrDefault(t => t.Key == OwnershipTags.ClusterName)?.Value ?? "unknown";
                    if (remove)
                    {
                        leftovers.AddRange(await RemoveGroupAsync(scope, cloud, group.Key, name, ct));
                        continue;
                    }
                    var accountId = await cloud.AccountIdAsync(ct);
                    foreach (var (resource, _) in group)
                    {
                        var (kind, id) = Teardown.KindAndId(resource.ResourceArn);
                        kind ??= resource.ResourceArn.Split(':').ElementAtOrDefault(2) ?? "other";
                        leftovers.Add(new Leftover(LeftoverReport.TypeOf(kind), id, kind, accountId, region,
                            $"tagged for cluster {name} ({group.Key}), which is not live", LeftoverReport.HourlyCost(kind), group.Key, name));
                    }
                }
            }
        }
        return LeftoverReport.Of(null, leftovers, clock.GetUtcNow());
    }

    private async Task<List<Leftover>> RemoveGroupAsync(ProjectScope scope, ICloudSession cloud, string uid, string name, CancellationToken ct)
    {
        // The orphan's cluster record may be gone; the uid and scope are all the teardown needs.
        var cluster = new Cluster
        {
            Scope = scope,
            Uid = uid,
            Spec = new ClusterSpec { Name = name, Cloud = new CloudSpec { Region = cloud.Region } },
            Status = ClusterStatus.Deleted,
        };
        var resources = await ClusterResources.LoadAsync(cluster, cloud, inventory, clock, ct);
        return await LeftoverFinder.SweepAsync(resources, ct);
    }
}
