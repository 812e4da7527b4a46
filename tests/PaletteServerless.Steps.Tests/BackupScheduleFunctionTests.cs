using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Steps.Backups;

namespace PaletteServerless.Steps.Tests;

/// <summary>The backup and scan schedules' check: which Running clusters get a scan at a scheduled time, and that one cluster's failure stops no other.</summary>
public sealed class BackupScheduleFunctionTests
{
    private static readonly DateTimeOffset Occurrence = new(2026, 12, 7, 8, 10, 0, TimeSpan.Zero);
    private readonly IRunningClusters _running = Substitute.For<IRunningClusters>();
    private readonly IBackupWorkflow _workflow = Substitute.For<IBackupWorkflow>();

    private static Cluster Named(string name, string? schedule, bool enabled = true) => TestCluster.Create() with
    {
        Status = ClusterStatus.Running,
        Spec = TestCluster.Create().Spec with { Name = name, Settings = new ClusterSettings { SecurityScans = new ScheduledFeature { Enabled = enabled, Schedule = schedule } } },
    };

    private BackupScheduleFunction Function() => new(
        TestRuntime.Create(Substitute.For<IClusterStore>(), new InMemoryInventory(), Substitute.For<ICloudSessionOpener>(), new FakeTimeProvider(Occurrence)),
        _running, _workflow);

    [Fact]
    public async Task Clusters_whose_schedule_has_an_occurrence_now_get_one_scan_each_and_a_failed_start_is_reported_not_thrown()
    {
        _running.ListRunningAsync(Arg.Any<CancellationToken>()).Returns(
        [
            Named("every-five", "*/5 * * * *"), Named("nightly", "0 3 * * *"), Named("off", "*/5 * * * *", enabled: false),
            Named("broken-start", "*/10 * * * *"), Named("unscheduled", null),
        ]);
        _workflow.StartAsync(Arg.Is<Cluster>(c => c.Name == "broken-start"), Arg.Any<BackupOperation>(), Arg.Any<CancellationToken>())
            .Returns(Task.FromException(new InvalidOperationException("throttled")));

        var outcome = await Function().CheckAsync(Occurrence, CancellationToken.None);

        outcome.Checked.Should().Be(3, "the clusters with scans on and a schedule");
        outcome.Started.Should().Equal("acme/demo/every-five: scan every-five-scheduled-scan-202612070810");
        outcome.Errors.Should().ContainSingle().Which.Should().Contain("broken-start").And.Contain("throttled");
        await _workflow.Received(1).StartAsync(Arg.Is<Cluster>(c => c.Name == "every-five"),
            Arg.Is<BackupOperation>(o => o.Kind == BackupOperation.ScanKind && o.RequestedAt == Occurrence), Arg.Any<CancellationToken>());
        await _workflow.DidNotReceive().StartAsync(Arg.Is<Cluster>(c => c.Name == "nightly" || c.Name == "off"), Arg.Any<BackupOperation>(), Arg.Any<CancellationToken>());
    }
}
