using PaletteServerless.Domain.Clusters;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Observability;

/// <summary>
/// The workflow metrics a status move stands for: a create, delete or update that starts, succeeds or fails, with
/// the create's and the delete's durations. (A delete starts in the API, which moves the cluster to Deleting itself:
/// its workflow's first step counts it, StartDeletionStep.) Counted where the status is written, once per real move (a repeated
/// move writes nothing and counts nothing).
/// </summary>
public static class StatusMetrics
{
    public static Dictionary<string, double> Of(Cluster before, Cluster after, DateTimeOffset now)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        switch (before.Status, after.Status)
        {
            case (ClusterStatus.Pending, ClusterStatus.Provisioning):
                values[ProductMetrics.CreatesStarted] = 1;
                break;
            case (ClusterStatus.Provisioning, ClusterStatus.Running):
                values[ProductMetrics.CreatesSucceeded] = 1;
                values[ProductMetrics.CreateDuration] = (now - after.CreatedAt).TotalMilliseconds;
                break;
            case (ClusterStatus.Pending or ClusterStatus.Provisioning, ClusterStatus.Failed):
                values[ProductMetrics.CreatesFailed] = 1;
                break;
            case (ClusterStatus.Deleting, ClusterStatus.Deleted):
                values[ProductMetrics.DeletesSucceeded] = 1;
                if (after.DeletingSince is { } since)
                    values[ProductMetrics.DeleteDuration] = (now - since).TotalMilliseconds;
                break;
            case (_, ClusterStatus.Updating):
                values[ProductMetrics.UpdatesStarted] = 1;
                break;
            case (ClusterStatus.Updating, ClusterStatus.Running):
                values[ProductMetrics.UpdatesFinished] = 1;
                break;
        }
        return values;
    }

    /// <summary>Writes the move's EMF line, if the move stands for any metric.</summary>
    public static void Emit(Cluster before, Cluster after, TimeProvider clock) =>
        JsonLog.Metric($"cluster {after.Name}: {before.Status} -> {after.Status}", Of(before, after, clock.GetUtcNow()), JsonLog.Of(after), clock: clock);
}
