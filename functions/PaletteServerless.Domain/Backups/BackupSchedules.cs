using System.Globalization;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Backups;

/// <summary>
/// When a cluster's <c>settings.backup.schedule</c> asks for a backup and its <c>settings.securityScans.schedule</c> for
/// a scan: at a check's scheduled time, each schedule's latest occurrence within <see cref="Window"/> (the check runs
/// every minute; the window lets one failed check be made up by the next). Each operation is named by its occurrence,
/// and so is the workflow run that makes it, so two checks that see one occurrence start one backup or scan. An
/// occurrence no check saw within the window is not caught up: the next one comes. The product runs the schedules
/// (not Velero's own Schedule) so that a scheduled backup is the same workflow as an on-demand one: listed, announced
/// (BackupCompleted or BackupFailed) and its ttl the cluster's retention.
/// </summary>
public static class BackupSchedules
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    /// <summary>The backup and the scan due at <paramref name="now"/> (the check's scheduled time), none, one or both.</summary>
    public static IReadOnlyList<BackupOperation> Due(Cluster cluster, DateTimeOffset now)
    {
        if (cluster.Status != ClusterStatus.Running || cluster.Spec.Settings is not { } settings)
            return [];
        var due = new List<BackupOperation>();
        if (settings.Backup is { Enabled: true, Schedule: { } backupSchedule } backup && Occurrence(backupSchedule, now) is { } backupAt)
            due.Add(new BackupOperation
            {
                Kind = BackupOperation.BackupKind,
                // Velero's style, as an on-demand backup's: <cluster>-<UTC time>.
                Name = $"{cluster.Name}-{backupAt.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}",
                TtlHours = (backup.RetentionDays ?? BackupService.DefaultRetentionDays) * 24,
                RequestedAt = backupAt,
            });
        if (settings.SecurityScans is { Enabled: true, Schedule: { } scanSchedule } && Occurrence(scanSchedule, now) is { } scanAt)
            due.Add(new BackupOperation
            {
                Kind = BackupOperation.ScanKind,
                Name = $"{cluster.Name}-scheduled-scan-{scanAt.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}",
                RequestedAt = scanAt,
            });
        return due;
    }

    private static DateTimeOffset? Occurrence(string expression, DateTimeOffset now) => CronSchedule.Parse(expression).DueSince(now - Window, now);
}
