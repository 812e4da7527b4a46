using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Domain.VirtualClusters;

/// <summary>A virtual cluster's kubeconfig as vcluster wrote it (its secret <c>vc-&lt;name&gt;</c>), published by the agent.</summary>
public sealed record VirtualClusterKubeconfig(string Cluster, string VirtualCluster, string Kubeconfig);

/// <summary>
/// The use cases of virtual clusters. A record is stored first (Pending), then its report parameter and the desired
/// list are written for the in-cluster agent. Status is learned on read: every list or get reads the agent's reports
/// (one SSM call per ten virtual clusters) and stores what moved (Pending -> Running or Failed; Deleting -> gone, its
/// record and report parameter removed and the list written again).
/// </summary>
public sealed class VirtualClusterService(
    IClusterStore clusters, ICloudAccountStore accounts, IProfileStore profiles, IVirtualClusterStore store, IVirtualClusterCloud cloud, TimeProvider clock)
{
    public async Task<IReadOnlyList<VirtualCluster>> ListAsync(Caller caller, ProjectScope scope, string clusterName, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var (cluster, account) = await HostAsync(scope, clusterName, ct);
        return await RefreshAsync(cluster, account, await store.ListAsync(cluster, ct), ct);
    }

    public async Task<VirtualCluster> GetAsync(Caller caller, ProjectScope scope, string clusterName, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        VirtualClusterRules.ValidateName("virtualCluster", name);
        var (cluster, account) = await HostAsync(scope, clusterName, ct);
        return await FindAsync(cluster, account, name, ct);
    }

    public async Task<VirtualCluster> CreateAsync(Caller caller, ProjectScope scope, string clusterName, string? name, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        VirtualClusterRules.ValidateName("name", name);
        var (cluster, account) = await HostAsync(scope, clusterName, ct);
        var existing = await store.ListAsync(cluster, ct);
        var profile = await profiles.GetAsync(scope, cluster.Definition.Profile.Name, cluster.Definition.Profile.Version, ct);
        if (VirtualClusterRules.CannotCreate(cluster, profile, existing.Count) is { } why)
            throw new ConflictException(why);
        var now = clock.GetUtcNow();
        var record = new VirtualCluster
        {
            Name = name!,
            Status = VirtualClusterStatus.Pending,
            StatusReason = "waiting for the in-cluster agent to install it",
            Namespace = Profiles.VirtualClusterChart.NamespaceOf(name!),
            ChartVersion = Profiles.VirtualClusterChart.Pinned.Version,
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = caller.Subject,
        };
        // Stored first (a duplicate is a 409 here), so nothing in the cluster's account exists that no record names.
        await store.CreateAsync(cluster, record, ct);
        try
        {
            // A PATCH turning the setting off judges the records it finds; this write of the cluster record makes the
            // two meet: whichever writes second sees the other (a stale version), and the setting is judged again.
            cluster = await FenceAsync(cluster, ct);
            await cloud.PublishAsync(cluster, account, [.. existing, record], ct);
        }
        catch
        {
            await store.RemoveAsync(cluster, record.Name, CancellationToken.None);
            throw;
        }
        await EventAsync(cluster, "VirtualClusterCreated", $"virtual cluster {record.Name} requested by {caller.Subject} (vcluster {record.ChartVersion} in namespace {record.Namespace})", ct);
        return record;
    }

    /// <summary>Deleting: the agent uninstalls the release and removes its namespace; again while Deleting is a no-op.</summary>
    public async Task<VirtualCluster> DeleteAsync(Caller caller, ProjectScope scope, string clusterName, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        VirtualClusterRules.ValidateName("virtualCluster", name);
        var (cluster, account) = await HostAsync(scope, clusterName, ct);
        var record = await store.GetAsync(cluster, name, ct) ?? throw NotFound(cluster, name);
        if (record.Status == VirtualClusterStatus.Deleting)
            return record;
        var deleting = record with { Status = VirtualClusterStatus.Deleting, StatusReason = $"delete requested by {caller.Subject}", UpdatedAt = clock.GetUtcNow() };
        await store.PutAsync(cluster, deleting, ct);
        await cloud.PublishAsync(cluster, account, await store.ListAsync(cluster, ct), ct);
        await EventAsync(cluster, "VirtualClusterDeleting", $"virtual cluster {name}: delete requested by {caller.Subject}", ct);
        return deleting;
    }

    /// <summary>
    /// The virtual cluster's kubeconfig, as vcluster wrote it: its own admin credentials for the virtual cluster,
    /// so only a role that may change the host cluster's workloads (editor and up) reads it.
    /// </summary>
    public async Task<VirtualClusterKubeconfig> KubeconfigAsync(Caller caller, ProjectScope scope, string clusterName, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        VirtualClusterRules.ValidateName("virtualCluster", name);
        var (cluster, account) = await HostAsync(scope, clusterName, ct);
        var record = await FindAsync(cluster, account, name, ct);
        if (record.Status != VirtualClusterStatus.Running)
            throw new ConflictException($"virtual cluster '{name}' is {record.Status}: its kubeconfig is published once it is Running");
        var reports = await cloud.ReadAsync(cluster, account, [name], ct);
        if (reports.GetValueOrDefault(name)?.Kubeconfig is not { Length: > 0 } kubeconfig)
            throw new ConflictException($"virtual cluster '{name}' has no kubeconfig published yet");
        return new VirtualClusterKubeconfig(cluster.Name, name, kubeconfig);
    }

    private async Task<VirtualCluster> FindAsync(Cluster cluster, CloudAccount account, string name, CancellationToken ct)
    {
        var record = await store.GetAsync(cluster, name, ct) ?? throw NotFound(cluster, name);
        return (await RefreshAsync(cluster, account, [record], ct)).SingleOrDefault() ?? throw NotFound(cluster, name);
    }

    /// <summary>Reads the agent's reports of <paramref name="records"/> and stores what moved; returns the records still there.</summary>
    private async Task<IReadOnlyList<VirtualCluster>> RefreshAsync(Cluster cluster, CloudAccount account, IReadOnlyList<VirtualCluster> records, CancellationToken ct)
    {
        if (records.Count == 0)
            return records;
        var reports = await cloud.ReadAsync(cluster, account, [.. records.Select(r => r.Name)], ct);
        var now = clock.GetUtcNow();
        var result = new List<VirtualCluster>();
        var gone = false;
        foreach (var record in records)
        {
            var observed = VirtualClusterRules.Observe(record, reports.GetValueOrDefault(record.Name), now);
            if (observed is null)
            {
                await cloud.RemoveAsync(cluster, account, record.Name, ct);
                await store.RemoveAsync(cluster, record.Name, ct);
                await EventAsync(cluster, "VirtualClusterDeleted", $"virtual cluster {record.Name} was removed from the cluster", ct);
                gone = true;
                continue;
            }
            if (observed != record)
            {
                await store.PutAsync(cluster, observed, ct);
                await EventAsync(cluster, observed.Status == VirtualClusterStatus.Running ? "VirtualClusterRunning" : "VirtualClusterFailed",
                    $"virtual cluster {observed.Name} is {observed.Status}: {observed.StatusReason}", ct);
            }
            result.Add(observed);
        }
        // The agent need not be asked for what is gone any more; and a list that lost a write (two requests writing it at
        // once, each from the records it read) is written again from the records as they are now, so every read heals it.
        var current = await store.ListAsync(cluster, ct);
        if (gone || !SameItems(await cloud.PublishedAsync(cluster, account, ct), DesiredVirtualClusters.Of(cluster, current)))
            await cloud.PublishAsync(cluster, account, current, ct);
        return result;
    }

    private static bool SameItems(DesiredVirtualClusters? published, DesiredVirtualClusters wanted) =>
        published is not null && published.Enabled == wanted.Enabled && published.Items.SequenceEqual(wanted.Items);

    private async Task<Cluster> FenceAsync(Cluster cluster, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (!VirtualClusterRules.Enabled(cluster.Spec) || cluster.Status is not (ClusterStatus.Running or ClusterStatus.Updating))
                throw new ConflictException(VirtualClusterRules.CannotCreate(cluster, null, 0) ?? $"cluster '{cluster.Name}' changed meanwhile");
            try
            {
                return await clusters.UpdateAsync(cluster, cluster.Version, ct);
            }
            catch (ConflictException) when (attempt < 10)
            {
                cluster = await clusters.GetAsync(cluster.Scope, cluster.Name, ct) ?? throw new NotFoundException($"cluster '{cluster.Name}' not found");
            }
        }
    }

    private async Task<(Cluster Cluster, CloudAccount Account)> HostAsync(ProjectScope scope, string clusterName, CancellationToken ct)
    {
        var cluster = await clusters.GetAsync(scope, clusterName, ct);
        if (cluster is null || cluster.Status == ClusterStatus.Deleted)
            throw new NotFoundException($"cluster '{clusterName}' not found");
        var account = await accounts.GetAsync(scope, cluster.Definition.CloudAccount, ct)
            ?? throw new NotFoundException($"cluster '{clusterName}': its cloud account '{cluster.Definition.CloudAccount}' is gone");
        return (cluster, account);
    }

    private Task EventAsync(Cluster cluster, string reason, string message, CancellationToken ct) => clusters.AddEventAsync(cluster, new ClusterEvent
    {
        Id = Guid.NewGuid().ToString("N"),
        At = clock.GetUtcNow(),
        Type = "Normal",
        Reason = reason,
        Message = message,
    }, ct);

    private static NotFoundException NotFound(Cluster cluster, string name) => new($"virtual cluster '{name}' not found in cluster '{cluster.Name}'");
}
