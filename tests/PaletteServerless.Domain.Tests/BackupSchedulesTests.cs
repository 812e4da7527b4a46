using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Clusters;
using Fixture = PaletteServerless.Domain.Tests.Provisioning.UserDataFixture;

namespace PaletteServerless.Domain.Tests;

/// <summary>When a cluster's backup and scan schedules ask for an operation, and how it is named so that one occurrence is one operation.</summary>
public sealed class BackupSchedulesTests
{
    private static Cluster Scheduled(string? scans, string? backups = null, bool enabled = true, string status = ClusterStatus.Running) => Fixture.Cluster with
    {
        Status = status,
        Spec = Fixture.Cluster.Spec with
        {
            Settings = new ClusterSettings
            {
                SecurityScans = new ScheduledFeature { Enabled = enabled, Schedule = scans },
                Backup = backups is null ? null : new BackupSettings { Enabled = enabled, Schedule = backups, RetentionDays = 7 },
            },
        },
    };

    private static DateTimeOffset At(int hour, int minute, int second = 0) => new(2026, 12, 7, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public void An_occurrence_is_due_for_two_minutes_and_always_names_the_same_scan()
    {
        var cluster = Scheduled("*/5 * * * *");

        var atTheMinute = BackupSchedules.Due(cluster, At(8, 10)).Single();
        var aMinuteLater = BackupSchedules.Due(cluster, At(8, 11, 30)).Single();

        atTheMinute.Kind.Should().Be(BackupOperation.ScanKind);
        atTheMinute.Name.Should().Be($"{cluster.Name}-scheduled-scan-202612070810");
        atTheMinute.RequestedAt.Should().Be(At(8, 10));
        aMinuteLater.Should().BeEquivalentTo(atTheMinute, "a second check of one occurrence starts the same scan (and the same workflow run)");
        BackupSchedules.Due(cluster, At(8, 12, 30)).Should().BeEmpty("an occurrence no check saw within two minutes is not caught up");
        BackupSchedules.Due(cluster, At(8, 15)).Single().Name.Should().EndWith("202612070815");
    }

    [Fact]
    public void A_backup_schedule_gives_a_backup_named_as_velero_names_one_with_the_clusters_retention_as_its_ttl()
    {
        var cluster = Scheduled("0 4 * * SAT", backups: "0 3 * * *");

        var backup = BackupSchedules.Due(cluster, At(3, 1)).Single();

        backup.Kind.Should().Be(BackupOperation.BackupKind);
        backup.Name.Should().Be($"{cluster.Name}-20261207030000");
        backup.TtlHours.Should().Be(7 * 24);
        backup.RequestedAt.Should().Be(At(3, 0));
        BackupSchedules.Due(cluster, At(4, 0)).Should().BeEmpty("the scan schedule is Saturdays only; 2026-12-07 is a Monday");
    }

    [Fact]
    public void Nothing_is_due_without_an_enabled_schedule_or_on_a_cluster_that_is_not_Running()
    {
        BackupSchedules.Due(Scheduled(null), At(8, 10)).Should().BeEmpty();
        BackupSchedules.Due(Scheduled("*/5 * * * *", "*/5 * * * *", enabled: false), At(8, 10)).Should().BeEmpty();
        BackupSchedules.Due(Scheduled("*/5 * * * *", status: ClusterStatus.Updating), At(8, 10)).Should().BeEmpty();
        BackupSchedules.Due(Fixture.Cluster with { Status = ClusterStatus.Running }, At(8, 10)).Should().BeEmpty();
    }
}
