using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Domain.Ports;

/// <summary>Clusters and their events. Writes are conditional: a duplicate or a stale version is a <see cref="Errors.ConflictException"/>.</summary>
public interface IClusterStore
{
    Task<Cluster?> GetAsync(ProjectScope scope, string name, CancellationToken ct);

    /// <summary>Stores a new cluster; a live cluster of the same name is a conflict. A deleted one is replaced.</summary>
    Task CreateAsync(Cluster cluster, CancellationToken ct);

    /// <summary>Writes <paramref name="cluster"/> if the stored version is still <paramref name="expectedVersion"/>; returns it with the bumped version.</summary>
    Task<Cluster> UpdateAsync(Cluster cluster, long expectedVersion, CancellationToken ct);

    Task<Page<Cluster>> ListAsync(ProjectScope scope, bool includeDeleted, string? cursor, int limit, CancellationToken ct);

    /// <summary>True when a live cluster of the project references the account (or profile) of that name.</summary>
    Task<bool> AnyLiveUsesAsync(ProjectScope scope, Func<ClusterSpec, bool> uses, CancellationToken ct);

    /// <summary>Events belong to one cluster's life (its uid), so a new cluster of a reused name starts with none.</summary>
    Task AddEventAsync(Cluster cluster, ClusterEvent clusterEvent, CancellationToken ct);

    Task<Page<ClusterEvent>> ListEventsAsync(Cluster cluster, string? cursor, int limit, CancellationToken ct);
}

public interface ICloudAccountStore
{
    Task<CloudAccount?> GetAsync(ProjectScope scope, string name, CancellationToken ct);
    Task CreateAsync(ProjectScope scope, CloudAccount account, CancellationToken ct);
    Task<Page<CloudAccount>> ListAsync(ProjectScope scope, string? cursor, int limit, CancellationToken ct);
    Task<bool> DeleteAsync(ProjectScope scope, string name, CancellationToken ct);
}

/// <summary>Cluster profiles, one record per version: a name and a version identify one.</summary>
public interface IProfileStore
{
    /// <summary>One version of a profile, or null.</summary>
    Task<ClusterProfile?> GetAsync(ProjectScope scope, string name, string version, CancellationToken ct);
    /// <summary>Every version of a profile, oldest first (empty when none).</summary>
    Task<IReadOnlyList<ClusterProfile>> VersionsAsync(ProjectScope scope, string name, CancellationToken ct);
    /// <summary>Stores a new version; 409 (<see cref="Errors.ConflictException"/>) when that name and version exist.</summary>
    Task CreateAsync(ProjectScope scope, ClusterProfile profile, CancellationToken ct);
    /// <summary>Every version of every profile, by name then version.</summary>
    Task<Page<ClusterProfile>> ListAsync(ProjectScope scope, string? cursor, int limit, CancellationToken ct);
    Task<bool> DeleteAsync(ProjectScope scope, string name, string version, CancellationToken ct);
}

/// <summary>Starts the Step Functions workflows. The execution name is derived from the cluster and operation, so a retry never starts two.</summary>
public interface IWorkflowStarter
{
    Task<string> StartProvisioningAsync(Cluster cluster, CancellationToken ct);
    Task<string> StartDeletionAsync(Cluster cluster, CancellationToken ct);
    /// <summary>Starts the update workflow of the cluster's current update run (<see cref="Cluster.UpdateRuns"/>).</summary>
    Task<string> StartUpdateAsync(Cluster cluster, CancellationToken ct);
}

/// <summary>The nodes a cluster's inventory records, as the change plan sees them (no cloud call).</summary>
public interface INodeInventory
{
    Task<IReadOnlyList<Changes.PoolNode>> ListAsync(Cluster cluster, CancellationToken ct);
}

/// <summary>
/// Force delete (product doc): stop the delete workflow, sweep what carries the cluster's ownership
/// tag, and report what could not be removed. It runs as a workflow (a sweep outlasts an API
/// request); this starts it, one execution per cluster, and returns the execution's ARN.
/// </summary>
public interface IForceDeleter
{
    Task<string> StartAsync(Cluster cluster, Caller caller, CancellationToken ct);
}

/// <summary>
/// What the product created for each cluster, recorded as soon as each create call returns, so
/// that a crash can never orphan a resource: the delete walks this list (and the ownership tags).
/// </summary>
public interface IInventoryStore
{
    Task RecordAsync(Cluster cluster, Provisioning.InventoryItem item, CancellationToken ct);
    Task<IReadOnlyList<Provisioning.InventoryItem>> ListAsync(Cluster cluster, CancellationToken ct);
    Task ForgetAsync(Cluster cluster, Provisioning.InventoryItem item, CancellationToken ct);
    /// <summary>Records many items at once (a batch of nodes): the same as one <see cref="RecordAsync"/> each, in fewer calls.</summary>
    Task RecordManyAsync(Cluster cluster, IReadOnlyList<Provisioning.InventoryItem> items, CancellationToken ct);
    /// <summary>Forgets many items at once (a pool's terminated nodes), in fewer calls.</summary>
    Task ForgetManyAsync(Cluster cluster, IReadOnlyList<Provisioning.InventoryItem> items, CancellationToken ct);
}

/// <summary>The checks made before anything is created (key pair, zones, offerings, quotas, static placement, the role); returns every problem.</summary>
public interface IPreflight
{
    Task<IReadOnlyList<string>> CheckAsync(Cluster cluster, CloudAccounts.CloudAccount account, CancellationToken ct);
}

/// <summary>Finds and removes resources tagged for a project's clusters that belong to no live cluster.</summary>
public interface IOrphanSweeper
{
    /// <param name="liveClusterUids">Resources of these clusters are not orphans.</param>
    Task<Provisioning.LeftoverReport> FindAsync(ProjectScope scope, IReadOnlyList<CloudAccounts.CloudAccount> accounts, IReadOnlyList<string> regions, IReadOnlySet<string> liveClusterUids, CancellationToken ct);

}

/// <summary>The orphan sweep's workflow: removing a project's orphans outlasts an API request.</summary>
public interface ISweepWorkflow
{
    /// <summary>Starts the sweep <paramref name="sweepId"/> of the project.</summary>
    Task StartAsync(ProjectScope scope, string sweepId, CancellationToken ct);

    /// <summary>The sweep's state and, once it ended, its report; null when the project has no such sweep.</summary>
    Task<Clusters.OrphanSweep?> GetAsync(ProjectScope scope, string sweepId, CancellationToken ct);
}

/// <summary>What a kubeconfig is made from: the cluster CA (with its key) and the API load balancer's DNS name.</summary>
public sealed record ClusterAccess(Provisioning.CertificateAuthority Authority, string ApiHost);

/// <summary>Reads a cluster's CA from where its secrets live, and its API host; null when either is missing.</summary>
public interface IClusterCredentials
{
    Task<ClusterAccess?> ReadAsync(Cluster cluster, CloudAccounts.CloudAccount account, CancellationToken ct);
}

/// <summary>
/// Every client certificate issued for a cluster, kept per cluster life (its uid), newest last. A record
/// outlives its certificate by a while (the store says how long), so who held access lately can be read.
/// </summary>
public interface IKubeconfigRecords
{
    Task AddAsync(Cluster cluster, KubeconfigRecord record, CancellationToken ct);

    /// <summary>One page of the cluster's records; with <paramref name="issuedTo"/>, only those issued to that JWT subject.</summary>
    Task<Page<KubeconfigRecord>> ListAsync(Cluster cluster, string? issuedTo, string? cursor, int limit, CancellationToken ct);
}
