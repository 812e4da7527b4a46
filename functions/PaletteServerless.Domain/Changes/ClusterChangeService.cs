using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Domain.Changes;

/// <summary>What a change request returns: the cluster as stored, or (dry run) the plan and nothing stored.</summary>
public sealed record ChangeResult(Cluster Cluster, ChangePlan? Plan, bool UpdateStarted);

/// <summary>
/// Day-2 use cases: PATCH of the spec, node pool routes, retry. Changes are declarative: an accepted change
/// bumps the generation; a Running cluster becomes Updating and its one update workflow starts; a change while
/// Updating is stored and the running workflow converges to it before it finishes.
/// </summary>
public sealed class ClusterChangeService(
    IClusterStore clusters, ICloudAccountStore accounts, IProfileStore profiles, IWorkflowStarter workflows, INodeInventory nodes, TimeProvider clock,
    VirtualClusters.IVirtualClusterStore? virtualClusters = null, Backups.IBackupCatalog? backupLocations = null)
{
    /// <summary>
    /// Applies <paramref name="change"/> (current spec -> validated next spec) to the cluster. With
    /// <paramref name="expectedVersion"/> (If-Match) only if the cluster is still at that version. A change that
    /// changes nothing starts an update only when one is pending (a failed update is retried this way).
    /// </summary>
    public async Task<ChangeResult> ChangeAsync(
        Caller caller, ProjectScope scope, string name, Func<ClusterSpec, ClusterSpec> change, long? expectedVersion, bool dryRun, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        for (var attempt = 0; ; attempt++)
        {
            var cluster = await clusters.GetAsync(scope, name, ct);
            if (cluster is null || cluster.Status == ClusterStatus.Deleted)
                throw NotFound(name);
            if (expectedVersion is { } expected && expected != cluster.Version)
                throw new ConflictException($"If-Match version {expected} is stale: cluster '{name}' is at version {cluster.Version}; read it again");
            if (cluster.Status is not (ClusterStatus.Running or ClusterStatus.Updating))
                throw new ConflictException($"cluster '{name}' is {cluster.Status}: it can be changed only while Running or Updating");
            var next = change(cluster.Spec);
            // settings.virtualClusters.enabled goes off only when the cluster has no virtual cluster (409 naming them).
            if (virtualClusters is not null && VirtualClusters.VirtualClusterRules.Enabled(cluster.Spec) && !VirtualClusters.VirtualClusterRules.Enabled(next))
                VirtualClusters.VirtualClusterRules.DemandNoneWhenOff(cluster.Spec, next, await virtualClusters.ListAsync(cluster, ct));
            // Judged against what is stored: a binding the change keeps is not the caller's to answer for.
            RbacBindingPolicy.Demand(caller, scope.Project, next.Settings?.Rbac, cluster.Spec.Settings?.Rbac);
            var nextProfile = await ClusterService.CheckReferencesAsync(accounts, profiles, scope, next, ct);
            next = ChangeScope.WithNodePacks(next, nextProfile);
            // A new Kubernetes version: the skew rules, before anything is stored or started.
            var upgrade = await KubernetesUpgrade.CheckAsync(profiles, scope, cluster, next, nextProfile, ct);
            // A backup location the change names anew must be a bucket of the cloud account, as at create.
            if (next.Settings?.Backup is { Enabled: true, Location: { Length: > 0 } location } && location != cluster.Spec.Settings?.Backup?.Location)
                await ClusterService.CheckBackupLocationAsync(backupLocations, accounts, scope, next, ct);
            if (dryRun)
                return new ChangeResult(cluster, ChangePlan.Of(cluster, next, await nodes.ListAsync(cluster, ct)) with { Upgrade = upgrade }, false);

            var accepted = ClusterChanges.Accept(cluster, next);
            var changed = accepted.Generation != cluster.Generation;
            var start = cluster.Status == ClusterStatus.Running && ClusterUpdates.IsPending(accepted);
            // An update whose workflow start was lost (the request ended between storing Updating and
            // starting the workflow) is started by the next change or retry: the execution is named
            // after its run, so a start that did happen is found again, never doubled.
            var resume = cluster.Status == ClusterStatus.Updating && cluster.UpdateExecutionArn is null;
            if (!changed && !start)
                return resume ? new ChangeResult(await StartAsync(cluster, ct), null, true) : new ChangeResult(cluster, null, false);
            if (start)
                accepted = ClusterUpdates.Begin(cluster, accepted, $"update to generation {accepted.Generation} requested by {caller.Subject}");
            Cluster stored;
            try
            {
                stored = await clusters.UpdateAsync(accepted with { UpdatedAt = clock.GetUtcNow() }, cluster.Version, ct);
            }
            catch (ConflictException) when (expectedVersion is null && attempt < 10)
            {
                // A workflow wrote status meanwhile (or another change landed): judge the change again on what is stored now.
                continue;
            }
            if (!start)
            {
                await clusters.AddEventAsync(stored, NewEvent("Normal", "SpecChanged",
                    $"generation {stored.Generation} accepted from {caller.Subject}; the running update converges to it"), ct);
                return resume ? new ChangeResult(await StartAsync(stored, ct), null, true) : new ChangeResult(stored, null, false);
            }
            await clusters.AddEventAsync(stored, NewEvent("Normal", ClusterStatus.Updating, stored.StatusReason!), ct);
            if (upgrade is not null)
                await clusters.AddEventAsync(stored, NewEvent("Normal", "KubernetesUpgrade", upgrade.Describe()), ct);
            return new ChangeResult(await StartAsync(stored, ct), null, true);
        }
    }

    private async Task<Cluster> StartAsync(Cluster updating, CancellationToken ct)
    {
        string executionArn;
        try
        {
            executionArn = await ClusterService.StartOrExplainAsync(() => workflows.StartUpdateAsync(updating, ct), "update");
        }
        catch (ServiceUnavailableException)
        {
            // Nothing changed in the cloud: back to Running with the change pending, so the same request retries it.
            await WriteAsync(updating.Scope, updating.Name, c => c.Status != ClusterStatus.Updating || c.UpdateRuns != updating.UpdateRuns ? c : c with
            {
                Status = ClusterStatus.Running,
                PreviousStatus = ClusterStatus.Updating,
                StatusReason = "the update workflow could not be started; repeat the change to retry",
            }, ct);
            throw;
        }
        return await WriteAsync(updating.Scope, updating.Name,
            c => c.UpdateRuns == updating.UpdateRuns ? c with { UpdateExecutionArn = executionArn } : c, ct);
    }

    private Task<Cluster> WriteAsync(ProjectScope scope, string name, Func<Cluster, Cluster> change, CancellationToken ct) =>
        ClusterService.UpdateWithRetryAsync(clusters, clock, scope, name, change, ct);

    private ClusterEvent NewEvent(string type, string reason, string message) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        At = clock.GetUtcNow(),
        Type = type,
        Reason = reason,
        Message = message,
    };

    private static NotFoundException NotFound(string name) => new($"cluster '{name}' not found");
}
