using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Aws.Storage;

/// <summary>The Running clusters of every tenant and project, for the periodic health check.</summary>
public interface IRunningClusters
{
    Task<IReadOnlyList<Cluster>> ListRunningAsync(CancellationToken ct);
}
