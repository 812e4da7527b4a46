using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// What one orphaned cluster left in one account and region: the unit the sweep workflow removes.
/// <paramref name="Account"/> is the project's cloud account by name, or null for the product's own account.
/// </summary>
public sealed record OrphanGroup(string? Account, string Region, string Uid, string Name);

/// <summary>
/// Finds, through the Tagging API, what carries the project's ownership tags but belongs to no live
/// cluster, in every account and region given; removes it with the same teardown as a delete.
/// </summary>
/// <param name="function">The function that sweeps (its sessions get its actions): the API finds, the sweep's steps find and remove.</param>
public sealed class OrphanSweeper(ICloudSessionOpener sessions, IInventoryStore inventory, TimeProvider clock, string? function = null) : IOrphanSweeper
{
    private readonly string _function = function ?? FunctionCatalog.Api.Name;

    private const string SessionName = "palette-orphan-sweep";

    public async Task<LeftoverReport> FindAsync(
        ProjectScope scope, IReadOnlyList<CloudAccount> accounts, IReadOnlyList<string> regions, IReadOnlySet<string> live, CancellationToken ct)
    {
        var leftovers = new List<Leftover>();
        await ForEachOrphanAsync(scope, accounts, regions, live, async (_, cloud, uid, name, resources) =>
        {
            var accountId = await cloud.AccountIdAsync(ct);
            foreach (var resource in resources)
            {
                var (kind, id) = Teardown.KindAndId(resource.Arn);
                kind ??= resource.Arn.Split(':').ElementAtOrDefault(2) ?? "other";
                leftovers.Add(new Leftover(LeftoverReport.TypeOf(kind), id, kind, accountId, cloud.Region,
                    $"tagged for cluster {name} ({uid}), which is not live", LeftoverReport.HourlyCost(kind), uid, name));
            }
        }, ct);
        return LeftoverReport.Of(null, leftovers, clock.GetUtcNow());
    }

    /// <summary>Every orphaned cluster, by account and region, for the sweep workflow to remove one at a time.</summary>
    public async Task<List<OrphanGroup>> FindGroupsAsync(
        ProjectScope scope, IReadOnlyList<CloudAccount> accounts, IReadOnlyList<string> regions, IReadOnlySet<string> live, CancellationToken ct)
    {
        var groups = new List<OrphanGroup>();
        await ForEachOrphanAsync(scope, accounts, regions, live, (account, cloud, uid, name, _) =>
        {
            groups.Add(new OrphanGroup(account.RoleArn is null ? null : account.Name, cloud.Region, uid, name));
            return Task.CompletedTask;
        }, ct);
        return groups;
    }

    /// <summary>
    /// One teardown sweep of what one orphaned cluster left (every stage attempted, safe to repeat);
    /// returns what is still there, with why and what it costs.
    /// </summary>
    public async Task<List<Leftover>> RemoveGroupAsync(ProjectScope scope, CloudAccount account, OrphanGroup group, CancellationToken ct)
    {
        using var cloud = await sessions.OpenAsync(account, group.Region, SessionScope.OfCluster(_function, scope, group.Uid, SessionName), ct);
        // The orphan's cluster record may be gone; the uid and scope are all the teardown needs.
        var cluster = new Cluster
        {
            Scope = scope,
            Uid = group.Uid,
            Spec = new ClusterSpec { Name = group.Name, Cloud = new CloudSpec { Region = cloud.Region } },
            Status = ClusterStatus.Deleted,
        };
        var resources = await ClusterResources.LoadAsync(cluster, cloud, inventory, clock, ct);
        return await LeftoverFinder.SweepAsync(resources, ct);
    }

    private async Task ForEachOrphanAsync(
        ProjectScope scope, IReadOnlyList<CloudAccount> accounts, IReadOnlyList<string> regions, IReadOnlySet<string> live,
        Func<CloudAccount, ICloudSession, string, string, IReadOnlyList<TaggedResource>, Task> visit, CancellationToken ct)
    {
        // The product's own account is one of them when the project has a cloud account without a role.
        var distinct = accounts.GroupBy(a => a.RoleArn).Select(g => g.First()).ToList();
        foreach (var account in distinct)
        {
            foreach (var region in regions)
            {
                using var cloud = await sessions.OpenAsync(account, region, SessionScope.OfProject(_function, scope, SessionName), ct);
                var tagged = await cloud.TaggedResources.FindAsync(new OwnedBy(new Dictionary<string, string>
                {
                    [OwnershipTags.Tenant] = scope.Tenant, [OwnershipTags.Project] = scope.Project,
                }), ct);
                var orphans = tagged
                    .Select(r => (Resource: r, Uid: r.Tag(OwnershipTags.ClusterUid)))
                    .Where(r => r.Uid is not null && !live.Contains(r.Uid))
                    .GroupBy(r => r.Uid!);
                foreach (var group in orphans)
                {
                    var name = group.First().Resource.Tag(OwnershipTags.ClusterName) ?? "unknown";
                    await visit(account, cloud, group.Key, name, group.Select(r => r.Resource).ToList());
                }
            }
        }
    }
}
