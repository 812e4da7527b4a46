using System.Globalization;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Backups;

/// <summary>
/// When a cluster's <c>settings.securityScans.schedule</c> asks for a scan: at a check's scheduled time, the schedule's
/// latest occurrence within <see cref="Window"/> (the check runs every minute; the window lets one failed check be made
/// up by the next). The scan is named by its occurrence, and so is the workflow run that makes it, so two checks that
/// see one occurrence start one scan. An occurrence no check saw within the window is not caught up: the next one comes.
/// </summary>
public static class ScanSchedule
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    /// <summary>The scan due at <paramref name="now"/> (the check's scheduled time), or null.</summary>
    public static BackupOperation? Due(Cluster cluster, DateTimeOffset now)
    {
        if (cluster.Status != ClusterStatus.Running || cluster.Spec.Settings?.SecurityScans is not { Enabled: true, Schedule: { } expression })
            return null;
        if (CronSchedule.Parse(expression).DueSince(now - Window, now) is not { } occurrence)
            return null;
        return new BackupOperation
        {
            Kind = BackupOperation.ScanKind,
            Name = $"{cluster.Name}-scheduled-scan-{occurrence.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}",
            RequestedAt = occurrence,
        };
    }
}
