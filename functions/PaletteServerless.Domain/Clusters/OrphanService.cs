using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Clusters;

/// <summary>Where a sweep looks: every cloud account of the project, every region its clusters used, and which clusters are live.</summary>
public sealed record OrphanScope(IReadOnlyList<CloudAccount> Accounts, IReadOnlyList<string> Regions, IReadOnlySet<string> Live)
{
    public static async Task<OrphanScope> LoadAsync(IClusterStore clusters, ICloudAccountStore accounts, string homeRegion, ProjectScope scope, CancellationToken ct)
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
        return new OrphanScope(projectAccounts, regions, live);
    }
}

/// <summary>The states of a sweep, as the API shows them.</summary>
public static class SweepStates
{
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
}

/// <summary>One orphan sweep: its state, and its report once it succeeded (or why it failed).</summary>
public sealed record OrphanSweep(string Id, string State, DateTimeOffset StartedAt, DateTimeOffset? StoppedAt, LeftoverReport? Report, string? Error);

/// <summary>
/// The orphan sweep: what a force delete or a crash left behind, found by the project's ownership
/// tags in every cloud account of the project and every region its clusters used. Finding is a
/// read the API answers at once; removing runs as a workflow, watched through its sweep id.
/// </summary>
public sealed class OrphanService(IClusterStore clusters, ICloudAccountStore accounts, IOrphanSweeper sweeper, ISweepWorkflow sweeps, string homeRegion)
{
    public async Task<LeftoverReport> FindAsync(Caller caller, ProjectScope scope, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var where = await OrphanScope.LoadAsync(clusters, accounts, homeRegion, scope, ct);
        return await sweeper.FindAsync(scope, where.Accounts, where.Regions, where.Live, ct);
    }

    /// <summary>Starts a sweep that removes the project's orphans; returns its id.</summary>
    public async Task<string> StartSweepAsync(Caller caller, ProjectScope scope, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        var id = Guid.NewGuid().ToString("N");
        try
        {
            await sweeps.StartAsync(scope, id, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ServiceUnavailableException("the sweep workflow could not be started; nothing was removed, try again", ex);
        }
        return id;
    }

    public async Task<OrphanSweep> GetSweepAsync(Caller caller, ProjectScope scope, string sweepId, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        // Ids are what StartSweepAsync makes (32 hex digits); anything else names no sweep.
        if (sweepId.Length != 32 || !sweepId.All(char.IsAsciiHexDigitLower))
            throw new NotFoundException($"no sweep '{sweepId}' in project '{scope.Project}'");
        return await sweeps.GetAsync(scope, sweepId, ct)
            ?? throw new NotFoundException($"no sweep '{sweepId}' in project '{scope.Project}'");
    }
}
