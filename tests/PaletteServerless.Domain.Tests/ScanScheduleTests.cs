using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Clusters;
using Fixture = PaletteServerless.Domain.Tests.Provisioning.UserDataFixture;

namespace PaletteServerless.Domain.Tests;

/// <summary>When a cluster's scan schedule asks for a scan, and how the scan is named so that one occurrence is one scan.</summary>
public sealed class ScanScheduleTests
{
    private static Cluster Scheduled(string? schedule, bool enabled = true, string status = ClusterStatus.Running) => Fixture.Cluster with
    {
        Status = status,
        Spec = Fixture.Cluster.Spec with { Settings = new ClusterSettings { SecurityScans = new ScheduledFeature { Enabled = enabled, Schedule = schedule } } },
    };

    private static DateTimeOffset At(int hour, int minute, int second = 0) => new(2026, 12, 7, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public void An_occurrence_is_due_for_two_minutes_and_always_names_the_same_scan()
    {
        var cluster = Scheduled("*/5 * * * *");

        var atTheMinute = ScanSchedule.Due(cluster, At(8, 10));
        var aMinuteLater = ScanSchedule.Due(cluster, At(8, 11, 30));

        atTheMinute.Should().NotBeNull();
        atTheMinute!.Kind.Should().Be(BackupOperation.ScanKind);
        atTheMinute.Name.Should().Be($"{cluster.Name}-scheduled-scan-202612070810");
        atTheMinute.RequestedAt.Should().Be(At(8, 10));
        aMinuteLater.Should().BeEquivalentTo(atTheMinute, "a second check of one occurrence starts the same scan (and the same workflow run)");
        ScanSchedule.Due(cluster, At(8, 12, 30)).Should().BeNull("an occurrence no check saw within two minutes is not caught up");
        ScanSchedule.Due(cluster, At(8, 15))!.Name.Should().EndWith("202612070815");
    }

    [Fact]
    public void Nothing_is_due_without_an_enabled_schedule_or_on_a_cluster_that_is_not_Running()
    {
        ScanSchedule.Due(Scheduled(null), At(8, 10)).Should().BeNull();
        ScanSchedule.Due(Scheduled("*/5 * * * *", enabled: false), At(8, 10)).Should().BeNull();
        ScanSchedule.Due(Scheduled("*/5 * * * *", status: ClusterStatus.Updating), At(8, 10)).Should().BeNull();
        ScanSchedule.Due(Fixture.Cluster with { Status = ClusterStatus.Running }, At(8, 10)).Should().BeNull();
    }
}
