using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using Fixture = PaletteServerless.Domain.Tests.Provisioning.UserDataFixture;

namespace PaletteServerless.Domain.Tests.InCluster;

/// <summary>
/// settings.backup in the desired in-cluster state: where the backups go (a bucket of the cluster's own, named for its
/// VPC and uid, or the user's with a prefix for the VPC and cluster), Velero with that location among the packs, and
/// the on-demand operations, the newest ten.
/// </summary>
public sealed class DesiredBackupTests
{
    private const string Vpc = "vpc-0123456789abcdef0";

    private static Cluster With(BackupSettings? backup) =>
        Fixture.Cluster with { Spec = Fixture.Cluster.Spec with { Settings = new ClusterSettings { Backup = backup } } };

    [Fact]
    public void Backups_off_put_neither_velero_nor_a_backup_section_in_the_document()
    {
        BackupLocation.Of(With(null), Vpc).Should().BeNull();
        BackupLocation.Of(With(new BackupSettings { Enabled = false, Schedule = "0 1 * * *" }), Vpc).Should().BeNull();
        var state = DesiredState.Of(With(null), Fixture.Profile);
        state.Backup.Should().BeNull();
        state.Packs.Should().NotContain(p => p.Name == "velero");
    }

    [Fact]
    public void An_empty_location_is_a_bucket_of_the_cluster_named_for_its_vpc_and_uid_within_s3s_63_characters()
    {
        var cluster = With(new BackupSettings { Enabled = true, Schedule = "0 1 * * *", RetentionDays = 7 });
        var location = BackupLocation.Of(cluster, Vpc)!;
        location.ProductBucket.Should().BeTrue();
        location.Bucket.Should().Be($"psbackup-{Vpc}-{cluster.Uid}");
        location.Bucket.Length.Should().BeLessThanOrEqualTo(63);
        BackupLocation.IsBucketName(location.Bucket).Should().BeTrue();
        location.Uri.Should().Be($"s3://{location.Bucket}/velero");
        location.BackupMetadataKey("b1").Should().Be("velero/backups/b1/velero-backup.json");
        location.RestoreResultsKey("r1").Should().Be("velero/restores/r1/restore-r1-results.gz");
    }

    [Fact]
    public void A_bucket_of_the_users_gets_a_prefix_for_the_vpc_and_the_cluster()
    {
        var cluster = With(new BackupSettings { Enabled = true, Schedule = "0 1 * * *", Location = "team-backups" });
        var location = BackupLocation.Of(cluster, Vpc)!;
        location.ProductBucket.Should().BeFalse();
        location.Uri.Should().Be($"s3://team-backups/palette-backups/{Vpc}/{cluster.Name}");
    }

    [Fact]
    public void Velero_joins_the_packs_with_the_location_and_no_schedule_of_its_own_and_the_operations_are_kept_newest_ten()
    {
        var cluster = With(new BackupSettings { Enabled = true, Schedule = "0 1 * * *", RetentionDays = 2 });
        var location = BackupLocation.Of(cluster, Vpc)!;
        var start = DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var operations = Enumerable.Range(0, 12).Select(i => new BackupOperation { Kind = BackupOperation.BackupKind, Name = $"b{i}", TtlHours = 48, RequestedAt = start.AddMinutes(i) }).Reverse().ToList();
        var state = DesiredState.Of(cluster, Fixture.Profile, location, operations);

        var velero = state.Packs.Single(p => p.Name == "velero");
        velero.Kind.Should().Be("helm");
        velero.Chart.Should().Be("velero");
        velero.Repository.Should().Be("https://vmware-tanzu.github.io/helm-charts");
        velero.Values.Should().Contain($"bucket: {location.Bucket}").And.Contain("prefix: velero").And.Contain("region: us-east-1")
            .And.Contain("useSecret: false");
        // The product runs the schedule (BackupSchedules): a Velero Schedule beside it would back up twice.
        velero.Values.Should().NotContain("schedules:").And.NotContain("0 1 * * *");
        state.Backup!.Bucket.Should().Be(location.Bucket);
        state.Backup.TtlHours.Should().Be(48);
        state.Backup.Operations.Select(o => o.Name).Should().Equal("b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11");

        // The document still fits one parameter, and reads back.
        var back = DesiredState.FromParameterValue(state.ToParameterValue())!;
        back.Backup!.Operations.Should().HaveCount(10);
        back.Packs.Should().Contain(p => p.Name == "velero");
    }
}
