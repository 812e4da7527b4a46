using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.VirtualClusters;

/// <summary>The virtual clusters of a host cluster, kept per cluster life (its uid). Create is conditional: a duplicate name is a 409.</summary>
public interface IVirtualClusterStore
{
    Task<IReadOnlyList<VirtualCluster>> ListAsync(Cluster cluster, CancellationToken ct);
    Task<VirtualCluster?> GetAsync(Cluster cluster, string name, CancellationToken ct);
    Task CreateAsync(Cluster cluster, VirtualCluster record, CancellationToken ct);
    Task PutAsync(Cluster cluster, VirtualCluster record, CancellationToken ct);
    Task RemoveAsync(Cluster cluster, string name, CancellationToken ct);
    /// <summary>Removes every record of the cluster (its delete); safe to run again.</summary>
    Task RemoveAllAsync(Cluster cluster, CancellationToken ct);
}

/// <summary>
/// The cluster side of virtual clusters, in the cluster's account: the desired list the in-cluster agent reads
/// (<see cref="DesiredVirtualClusters"/>) and the report parameter of each virtual cluster.
/// </summary>
public interface IVirtualClusterCloud
{
    /// <summary>Creates the report parameter of every present record that lacks one (recorded first), then writes the desired list.</summary>
    Task PublishAsync(Cluster cluster, CloudAccount account, IReadOnlyList<VirtualCluster> records, CancellationToken ct);

    /// <summary>The agent's reports of <paramref name="names"/>; a name without a report parameter is absent.</summary>
    Task<IReadOnlyDictionary<string, VirtualClusterReport>> ReadAsync(Cluster cluster, CloudAccount account, IReadOnlyList<string> names, CancellationToken ct);

    /// <summary>The list as last written to the cluster's account, or null when there is none.</summary>
    Task<DesiredVirtualClusters?> PublishedAsync(Cluster cluster, CloudAccount account, CancellationToken ct);

    /// <summary>Removes a virtual cluster's report parameter (and its record in the inventory); safe to run again.</summary>
    Task RemoveAsync(Cluster cluster, CloudAccount account, string name, CancellationToken ct);
}
