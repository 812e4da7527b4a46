using Amazon.S3.Model;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Adapters;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Local.Aws.Tests.S3;

namespace PaletteServerless.Local.Aws.Tests.Kinds;

/// <summary>
/// What the product reads back from a backup location over S3's wire: Velero's backups (velero-backup.json's phase and
/// times; none before Velero uploads it) and kube-bench's results per node role (Completed only with every role, the
/// counts summed, each failed check with its role).
/// </summary>
public sealed class BackupResultReadTests : S3TestBase
{
    private const string Bucket = "psbackup-vpc-0123456789abcdef0-0123456789abcdef0123456789abcdef";

    /// <summary>The product's port over the test's SDK client.</summary>
    private S3BackupBuckets Buckets => new(S3, "us-east-1");

    private async Task PutAsync(string key, string body) =>
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = body });

    [Fact]
    public async Task Velero_backups_are_listed_newest_first_with_their_phase_and_times_once_their_metadata_is_uploaded()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        var location = new BackupLocation(Bucket, "velero", true);
        await PutAsync(location.BackupMetadataKey("c-1"),
            """{"kind":"Backup","status":{"phase":"Completed","startTimestamp":"2026-12-01T03:00:00Z","completionTimestamp":"2026-12-01T03:01:00Z"}}""");
        await PutAsync(location.BackupMetadataKey("c-2"), """{"kind":"Backup","status":{"phase":"PartiallyFailed","startTimestamp":"2026-12-02T03:00:00Z"}}""");
        await PutAsync("velero/backups/c-3/c-3-logs.gz", "in progress: no metadata yet");

        var backups = await BackupCatalog.ListAsync(Buckets, location, default);
        backups.Select(b => (b.Name, b.Phase)).Should().Equal(("c-2", "PartiallyFailed"), ("c-1", "Completed"));
        backups[1].CompletedAt.Should().Be(DateTimeOffset.Parse("2026-12-01T03:01:00Z", System.Globalization.CultureInfo.InvariantCulture));
        backups[1].Location.Should().Be($"s3://{Bucket}/velero/backups/c-1");
        (await BackupCatalog.ListAsync(Buckets, new BackupLocation("no-such-bucket-here", "velero", true), default)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_scan_is_completed_with_every_roles_result_and_sums_their_counts_and_failed_checks()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        string[] roles = [ScanLocation.ControlPlaneRole, ScanLocation.WorkerRole];
        await PutAsync(ScanLocation.ResultKey("s-1", "controlplane"), """
            {"Controls":[{"id":"1","tests":[{"section":"1.2","results":[
              {"test_number":"1.2.15","test_desc":"Ensure that the --profiling argument is set to false (Automated)","status":"FAIL"},
              {"test_number":"1.2.7","test_desc":"Ensure that the --authorization-mode argument includes Node (Automated)","status":"PASS"},
              {"test_number":"1.2.1","test_desc":"Ensure that the --anonymous-auth argument is set to false (Manual)","status":"WARN"}]}]}],
             "Totals":{"total_pass":1,"total_fail":1,"total_warn":1,"total_info":0}}
            """);
        var partial = await ScanCatalog.ReadAsync(Buckets, Bucket, "s-1", roles, default);
        partial.Phase.Should().Be("Running");
        partial.NodeRoles.Should().Equal("controlplane");

        await PutAsync(ScanLocation.ResultKey("s-1", "worker"), """
            {"Controls":[{"id":"4","tests":[{"section":"4.2","results":[
              {"test_number":"4.2.14","test_desc":"Ensure that the --protect-kernel-defaults argument is set to true (Automated)","status":"FAIL"},
              {"test_number":"4.2.1","test_desc":"Ensure that the --anonymous-auth argument is set to false (Automated)","status":"PASS"}]}]}],
             "Totals":{"total_pass":1,"total_fail":1,"total_warn":0,"total_info":0}}
            """);
        var scan = await ScanCatalog.ReadAsync(Buckets, Bucket, "s-1", roles, default);
        scan.Phase.Should().Be("Completed");
        (scan.Pass, scan.Fail, scan.Warn).Should().Be((2, 2, 1));
        scan.Failed.Should().Equal(
            new ScanFinding("1.2.15", "Ensure that the --profiling argument is set to false (Automated)", "controlplane"),
            new ScanFinding("4.2.14", "Ensure that the --protect-kernel-defaults argument is set to true (Automated)", "worker"));
        scan.CompletedAt.Should().NotBeNull();
        scan.Location.Should().Be($"s3://{Bucket}/scans/s-1");
    }
}
