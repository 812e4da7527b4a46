using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Aws.Storage;

/// <summary>The clusters of every tenant and project, for the periodic health check and the scheduled check.</summary>
public interface IRunningClusters
{
    Task<IReadOnlyList<Cluster>> ListRunningAsync(CancellationToken ct);

    /// <summary>Every cluster that is not Deleted, for the scheduled check (Reconcile).</summary>
    Task<IReadOnlyList<Cluster>> ListLiveAsync(CancellationToken ct);
}
