using NSubstitute;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using Fixture = PaletteServerless.Domain.Tests.Provisioning.UserDataFixture;

namespace PaletteServerless.Domain.Tests;

/// <summary>Who may list, start and restore backups, and when: the rules before any workflow starts.</summary>
public sealed class BackupServiceTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-07T03:15:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly IClusterStore _clusters = Substitute.For<IClusterStore>();
    private readonly ICloudAccountStore _accounts = Substitute.For<ICloudAccountStore>();
    private readonly IBackupCatalog _catalog = Substitute.For<IBackupCatalog>();
    private readonly IBackupWorkflow _workflow = Substitute.For<IBackupWorkflow>();
    private readonly Cluster _cluster;

    public BackupServiceTests()
    {
        _cluster = Fixture.Cluster with
        {
            Status = ClusterStatus.Running,
            Spec = Fixture.Cluster.Spec with { Settings = new ClusterSettings { Backup = new BackupSettings { Enabled = true, Schedule = "0 1 * * *", RetentionDays = 3 } } },
        };
        _clusters.GetAsync(_cluster.Scope, _cluster.Name, Arg.Any<CancellationToken>()).Returns(_ => _cluster);
        _accounts.GetAsync(_cluster.Scope, Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(new CloudAccount { Name = "main" });
        _catalog.ListAsync(Arg.Any<Cluster>(), Arg.Any<CloudAccount>(), Arg.Any<CancellationToken>()).Returns(
        [
            new BackupRecord("demo-cluster-20261206031500", BackupPhases.Completed, Now.AddDays(-1), Now.AddDays(-1), "s3://b/velero/backups/demo-cluster-20261206031500"),
            new BackupRecord("demo-cluster-20261205031500", BackupPhases.PartiallyFailed, Now.AddDays(-2), Now.AddDays(-2), "s3://b/velero/backups/demo-cluster-20261205031500"),
        ]);
    }

    private BackupService Service(Cluster? cluster = null)
    {
        if (cluster is not null)
            _clusters.GetAsync(_cluster.Scope, _cluster.Name, Arg.Any<CancellationToken>()).Returns(cluster);
        var clock = Substitute.For<TimeProvider>();
        clock.GetUtcNow().Returns(Now);
        return new BackupService(_clusters, _accounts, _catalog, _workflow, clock);
    }

    private Caller As(string role) => new("someone", _cluster.Scope.Tenant, [$"{role}:{_cluster.Scope.Project}"]);

    [Fact]
    public async Task A_viewer_lists_and_an_editor_starts_a_backup_named_as_velero_names_them_with_the_retention_as_its_ttl()
    {
        (await Service().ListAsync(As("project-viewer"), _cluster.Scope, _cluster.Name, default)).Should().HaveCount(2);
        await FluentActions.Awaiting(() => Service().StartBackupAsync(As("project-viewer"), _cluster.Scope, _cluster.Name, default)).Should().ThrowAsync<ForbiddenException>();

        var started = await Service().StartBackupAsync(As("project-editor"), _cluster.Scope, _cluster.Name, default);
        started.Name.Should().Be("demo-cluster-20261207031500");
        started.TtlHours.Should().Be(72);
        await _workflow.Received(1).StartAsync(Arg.Any<Cluster>(), Arg.Is<BackupOperation>(o => o.Name == started.Name && o.Kind == BackupOperation.BackupKind), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Backups_off_or_a_cluster_that_is_not_running_is_a_409_and_starts_nothing()
    {
        var off = _cluster with { Spec = _cluster.Spec with { Settings = new ClusterSettings() } };
        await FluentActions.Awaiting(() => Service(off).StartBackupAsync(As("project-editor"), _cluster.Scope, _cluster.Name, default))
            .Should().ThrowAsync<ConflictException>().WithMessage("*settings.backup.enabled*");
        (await Service(off).ListAsync(As("project-viewer"), _cluster.Scope, _cluster.Name, default)).Should().BeEmpty();
        await FluentActions.Awaiting(() => Service(_cluster with { Status = ClusterStatus.Provisioning }).StartBackupAsync(As("project-editor"), _cluster.Scope, _cluster.Name, default))
            .Should().ThrowAsync<ConflictException>().WithMessage("*Provisioning*");
        await _workflow.DidNotReceiveWithAnyArgs().StartAsync(default!, default!, default);
    }

    [Fact]
    public async Task A_restore_names_a_completed_backup_of_the_cluster_else_400_404_or_409()
    {
        var editor = As("project-editor");
        (await FluentActions.Awaiting(() => Service().StartRestoreAsync(editor, _cluster.Scope, _cluster.Name, null, default))
            .Should().ThrowAsync<ValidationFailedException>()).Which.Errors.Single().Field.Should().Be("backup");
        await FluentActions.Awaiting(() => Service().StartRestoreAsync(editor, _cluster.Scope, _cluster.Name, "nope", default)).Should().ThrowAsync<NotFoundException>();
        await FluentActions.Awaiting(() => Service().StartRestoreAsync(editor, _cluster.Scope, _cluster.Name, "demo-cluster-20261205031500", default))
            .Should().ThrowAsync<ConflictException>().WithMessage("*PartiallyFailed*");

        var restore = await Service().StartRestoreAsync(editor, _cluster.Scope, _cluster.Name, "demo-cluster-20261206031500", default);
        restore.Kind.Should().Be(BackupOperation.RestoreKind);
        restore.Name.Should().Be("demo-cluster-20261206031500-20261207031500");
        restore.Backup.Should().Be("demo-cluster-20261206031500");
    }
}
