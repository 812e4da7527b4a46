using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// The orphan sweep: what a force delete or a crash left behind, found by the project's ownership
/// tags in every cloud account of the project and every region its clusters used.
/// </summary>
public sealed class OrphanService(IClusterStore clusters, ICloudAccountStore accounts, IOrphanSweeper sweeper, string homeRegion)
{
    public async Task<LeftoverReport> FindAsync(Caller caller, ProjectScope scope, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var (projectAccounts, regions, live) = await ScopeAsync(scope, ct);
        return await sweeper.FindAsync(scope, projectAccounts, regions, live, ct);
    }

    public async Task<LeftoverReport> RemoveAsync(Caller caller, ProjectScope scope, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        var (projectAccounts, regions, live) = await ScopeAsync(scope, ct);
        return await sweeper.RemoveAsync(scope, projectAccounts, regions, live, ct);
    }

    private async Task<(List<CloudAccount> Accounts, List<string> Regions, HashSet<string> Live)> ScopeAsync(ProjectScope scope, CancellationToken ct)
    {
        var all = new List<Cluster>();
        string? cursor = null;
        do
        {
            var page = await clusters.ListAsync(scope, includeDeleted: true, cursor, 100, ct);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        var projectAccounts = new List<CloudAccount>();
        cursor = null;
        do
        {
            var page = await accounts.ListAsync(scope, cursor, 100, ct);
            projectAccounts.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        var regions = all.Select(c => c.Spec.Cloud!.Region!).Append(homeRegion).Distinct().Order().ToList();
        var live = all.Where(c => ClusterStatus.IsLive(c.Status)).Select(c => c.Uid).ToHashSet();
        return (projectAccounts, regions, live);
    }
}
