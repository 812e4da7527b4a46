using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>The cluster's backup bucket: recorded first, made protected with its retention, deleted only once empty.</summary>
public sealed class BackupBucketKindTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly string Bucket = BackupLocation.BucketName("vpc-0123456789abcdef0", Uid);
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();

    private FakeBackupBuckets Buckets => _cloud.Buckets;

    private static Cluster WithBackups(int? retentionDays, string status = ClusterStatus.Provisioning)
    {
        var cluster = Create();
        return cluster with
        {
            Status = status,
            Spec = cluster.Spec with { Settings = new ClusterSettings { Backup = new BackupSettings { Enabled = true, RetentionDays = retentionDays } } },
        };
    }

    private async Task<BackupBucketKind> KindAsync(Cluster cluster) => new(await ResourcesAsync(_cloud, _inventory, cluster));

    [Fact]
    public async Task Ensure_records_the_bucket_before_making_it_tagged_and_protected_with_the_retention()
    {
        await (await KindAsync(WithBackups(7))).EnsureAsync(Bucket, Ct);

        _inventory.Items.Should().ContainSingle(i => i.Kind == ResourceKinds.Bucket && i.Id == Bucket && i.Role == BackupBucketKind.Role);
        var made = Buckets.Buckets[Bucket];
        made.Protected.Should().BeTrue();
        made.RetentionDays.Should().Be(7);
        made.Tags[OwnershipTags.ClusterUid].Should().Be(Uid);
    }

    [Fact]
    public async Task A_failed_make_leaves_the_bucket_recorded_so_nothing_can_be_orphaned()
    {
        Buckets.Fail("ensure", "InternalError", transient: true);

        var failure = await FluentActions.Awaiting(async () => await (await KindAsync(WithBackups(7))).EnsureAsync(Bucket, Ct)).Should().ThrowAsync<CloudServiceException>();

        failure.Which.Transient.Should().BeTrue();
        _inventory.Items.Should().ContainSingle(i => i.Id == Bucket);
    }

    [Fact]
    public async Task Ensure_again_records_once_and_a_changed_retention_reaches_the_rule_keeping_the_objects()
    {
        await (await KindAsync(WithBackups(7))).EnsureAsync(Bucket, Ct);
        Buckets.Put(Bucket, "velero/backups/b-1/velero-backup.json", "{}");

        await (await KindAsync(WithBackups(null))).EnsureAsync(Bucket, Ct);

        _inventory.Items.Where(i => i.Kind == ResourceKinds.Bucket).Should().ContainSingle();
        Buckets.Buckets[Bucket].RetentionDays.Should().Be(BackupService.DefaultRetentionDays);
        Buckets.Buckets[Bucket].Objects.Should().ContainKey("velero/backups/b-1/velero-backup.json");
    }

    [Fact]
    public async Task Another_accounts_bucket_of_that_name_is_the_clouds_error()
    {
        Buckets.SeedBucket(Bucket, foreign: true);

        var failure = await FluentActions.Awaiting(async () => await (await KindAsync(WithBackups(7))).EnsureAsync(Bucket, Ct)).Should().ThrowAsync<CloudServiceException>();

        failure.Which.Code.Should().Be("BucketAlreadyExists");
    }

    [Fact]
    public async Task Delete_removes_an_empty_bucket_and_forgets_a_missing_one()
    {
        Buckets.SeedBucket(Bucket);
        _inventory.Add(ResourceKinds.Bucket, Bucket, BackupBucketKind.Role);
        _inventory.Add(ResourceKinds.Bucket, "psbackup-gone-already", BackupBucketKind.Role);
        var pass = new DeletePass();

        (await (await KindAsync(WithBackups(7, ClusterStatus.Deleting))).DeleteAsync(pass, Ct)).Should().BeTrue();

        Buckets.Buckets.Should().BeEmpty();
        _inventory.Items.Should().BeEmpty();
        pass.WaitingFor.Should().BeEmpty();
        pass.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task A_deleting_cluster_forgets_a_bucket_holding_backups_and_keeps_it_for_their_retention()
    {
        Buckets.SeedBucket(Bucket);
        Buckets.Put(Bucket, "velero/backups/b-1/velero-backup.json", "{}");
        _inventory.Add(ResourceKinds.Bucket, Bucket, BackupBucketKind.Role);

        (await (await KindAsync(WithBackups(7, ClusterStatus.Deleting))).DeleteAsync(new DeletePass(), Ct)).Should().BeTrue();

        Buckets.Buckets.Should().ContainKey(Bucket);
        _inventory.Items.Should().BeEmpty();
        Buckets.Calls.Should().NotContain(c => c.StartsWith("delete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_orphan_sweep_waits_for_a_bucket_holding_backups_and_removes_it_once_its_lifecycle_emptied_it()
    {
        Buckets.SeedBucket(Bucket);
        Buckets.Put(Bucket, "velero/backups/b-1/velero-backup.json", "{}");
        _inventory.Add(ResourceKinds.Bucket, Bucket, BackupBucketKind.Role);
        var kind = await KindAsync(WithBackups(7, ClusterStatus.Deleted));
        var pass = new DeletePass();

        (await kind.DeleteAsync(pass, Ct)).Should().BeFalse();
        pass.WaitingFor.Should().ContainSingle().Which.Should().Contain("after 7 days");
        _inventory.Items.Should().ContainSingle();

        Buckets.RemoveObjects(Bucket);
        (await kind.DeleteAsync(new DeletePass(), Ct)).Should().BeTrue();
        Buckets.Buckets.Should().BeEmpty();
        _inventory.Items.Should().BeEmpty();
    }

    [Fact]
    public async Task A_bucket_written_to_while_it_is_deleted_stays_recorded_for_the_next_pass()
    {
        Buckets.SeedBucket(Bucket);
        _inventory.Add(ResourceKinds.Bucket, Bucket, BackupBucketKind.Role);
        Buckets.BeforeDelete = name => Buckets.Put(name, "velero/backups/late/velero-backup.json", "{}");
        var pass = new DeletePass();

        (await (await KindAsync(WithBackups(7, ClusterStatus.Deleting))).DeleteAsync(pass, Ct)).Should().BeFalse();

        pass.WaitingFor.Should().ContainSingle().Which.Should().Contain("received objects");
        Buckets.Buckets.Should().ContainKey(Bucket);
        _inventory.Items.Should().ContainSingle();
    }

    [Fact]
    public async Task A_bucket_the_session_cannot_read_or_a_failed_read_is_waited_for_not_forgotten()
    {
        Buckets.SeedBucket(Bucket, foreign: true);
        _inventory.Add(ResourceKinds.Bucket, Bucket, BackupBucketKind.Role);
        var pass = new DeletePass();

        (await (await KindAsync(WithBackups(7, ClusterStatus.Deleting))).DeleteAsync(pass, Ct)).Should().BeFalse();
        pass.WaitingFor.Should().ContainSingle().Which.Should().Contain("AccessDenied");

        Buckets.Fail("status", "SlowDown", transient: true);
        var next = new DeletePass();
        (await (await KindAsync(WithBackups(7, ClusterStatus.Deleting))).DeleteAsync(next, Ct)).Should().BeFalse();
        next.WaitingFor.Should().ContainSingle().Which.Should().Contain("SlowDown");
        _inventory.Items.Should().ContainSingle();
    }
}
