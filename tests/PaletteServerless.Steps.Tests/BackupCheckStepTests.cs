using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Manifest;
using PaletteServerless.Steps.Backups;

namespace PaletteServerless.Steps.Tests;

/// <summary>The backup workflow's poll of the bucket: Velero's backup and restore results and kube-bench's scans, read through the bucket port.</summary>
public sealed class BackupCheckStepTests
{
    private const string Vpc = "vpc-0123456789abcdef0";
    private static readonly string Bucket = BackupLocation.BucketName(Vpc, TestCluster.Uid);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private readonly IClusterStore _clusters = Substitute.For<IClusterStore>();
    private readonly ICloudSessionOpener _sessions = Substitute.For<ICloudSessionOpener>();
    private readonly EventRecorder _events = new();
    private readonly List<ClusterEvent> _clusterEvents = [];
    private readonly StepRuntime _runtime;
    private readonly Cluster _cluster;

    public BackupCheckStepTests()
    {
        var cluster = TestCluster.Create();
        _cluster = cluster with
        {
            Status = ClusterStatus.Running,
            Spec = cluster.Spec with
            {
                Settings = new ClusterSettings
                {
                    Backup = new BackupSettings { Enabled = true, RetentionDays = 7 },
                    SecurityScans = new ScheduledFeature { Enabled = true },
                },
            },
        };
        _inventory.Add(ResourceKinds.Vpc, Vpc);
        _cloud.Buckets.SeedBucket(Bucket);
        _runtime = TestRuntime.Create(_clusters, _inventory, _sessions, _clock, events: _events);
        _sessions.OpenAsync(Arg.Any<CloudAccount>(), Arg.Any<string>(), Arg.Any<SessionScope>(), Arg.Any<CancellationToken>()).Returns(_cloud);
        _clusters.GetAsync(Arg.Any<ProjectScope>(), "demo", Arg.Any<CancellationToken>()).Returns(_ => _cluster);
        _clusters.AddEventAsync(Arg.Any<Cluster>(), Arg.Do<ClusterEvent>(_clusterEvents.Add), Arg.Any<CancellationToken>()).Returns(Task.CompletedTask);
    }

    private static BackupLocation Location => new(Bucket, BackupLocation.OwnBucketPrefix, true);

    private async Task<JsonObject> CheckAsync(string kind, string name, string? backup = null, int polls = 0)
    {
        var input = new JsonObject
        {
            ["tenant"] = "acme", ["project"] = "demo", ["cluster"] = "demo", ["uid"] = TestCluster.Uid,
            ["backup"] = new JsonObject { ["kind"] = kind, ["name"] = name, ["backup"] = backup },
            ["polls"] = new JsonObject { ["n"] = polls },
        }.ToJsonString();
        var output = await new BackupCheckStep(_runtime).Handle(new MemoryStream(Encoding.UTF8.GetBytes(input)));
        return JsonNode.Parse(output)!.AsObject();
    }

    private static bool Ready(JsonObject result) => result["ready"]!.GetValue<bool>();

    [Fact]
    public async Task A_backup_is_waited_for_until_Velero_uploads_its_metadata_then_ends_with_its_phase()
    {
        var waiting = await CheckAsync(BackupOperation.BackupKind, "demo-20261207080000");
        Ready(waiting).Should().BeFalse();
        waiting["waitSeconds"]!.GetValue<int>().Should().Be(InClusterAgent.IntervalSeconds);
        _clusterEvents.Should().BeEmpty();

        _cloud.Buckets.Put(Bucket, Location.BackupMetadataKey("demo-20261207080000"),
            """{"kind":"Backup","status":{"phase":"Completed","startTimestamp":"2026-12-07T08:00:00Z","completionTimestamp":"2026-12-07T08:02:00Z"}}""");
        Ready(await CheckAsync(BackupOperation.BackupKind, "demo-20261207080000", polls: 1)).Should().BeTrue();

        _clusterEvents.Should().ContainSingle().Which.Reason.Should().Be(ClusterEvents.BackupCompleted);
        _clusterEvents[0].Message.Should().Contain($"s3://{Bucket}/velero/backups/demo-20261207080000");
        _events.Bodies.Should().ContainSingle().Which.Should().Contain(ClusterEvents.BackupCompleted);
    }

    [Fact]
    public async Task A_restore_ends_with_the_first_errors_of_its_gzipped_results()
    {
        Ready(await CheckAsync(BackupOperation.RestoreKind, "r-1", backup: "b-1")).Should().BeFalse("Velero has not uploaded the results yet");

        _cloud.Buckets.Put(Bucket, Location.RestoreResultsKey("r-1"), Gzip("""{"errors":{"namespaces":{"shop":["error restoring pods/shop/web-0: quota exceeded"]}}}"""));
        Ready(await CheckAsync(BackupOperation.RestoreKind, "r-1", backup: "b-1", polls: 1)).Should().BeTrue();

        var ended = _clusterEvents.Should().ContainSingle().Which;
        ended.Reason.Should().Be(ClusterEvents.RestoreFailed);
        ended.Message.Should().Contain("shop: error restoring pods/shop/web-0: quota exceeded");
    }

    [Fact]
    public async Task A_scan_completes_with_every_node_roles_result_and_sums_the_counts()
    {
        _cloud.Buckets.Put(Bucket, ScanLocation.ResultKey("s-1", ScanLocation.ControlPlaneRole), """{"Totals":{"total_pass":3,"total_fail":1,"total_warn":2}}""");
        Ready(await CheckAsync(BackupOperation.ScanKind, "s-1")).Should().BeFalse("the workers' result is not there yet");

        _cloud.Buckets.Put(Bucket, ScanLocation.ResultKey("s-1", ScanLocation.WorkerRole), """{"Totals":{"total_pass":4,"total_fail":0,"total_warn":1}}""");
        Ready(await CheckAsync(BackupOperation.ScanKind, "s-1", polls: 1)).Should().BeTrue();

        var ended = _clusterEvents.Should().ContainSingle().Which;
        ended.Reason.Should().Be(ClusterEvents.ScanCompleted);
        ended.Message.Should().Contain("pass 7, fail 1, warn 3");
        _cloud.Buckets.Calls.Should().OnlyContain(c => c.StartsWith("read ", StringComparison.Ordinal), "a check only reads");
    }

    [Fact]
    public async Task A_bucket_that_is_gone_is_no_result_and_the_polls_running_out_fail_the_backup()
    {
        (await _cloud.Buckets.DeleteIfEmptyAsync(Bucket, CancellationToken.None)).Should().BeTrue();

        Ready(await CheckAsync(BackupOperation.BackupKind, "b-1")).Should().BeFalse();
        Ready(await CheckAsync(BackupOperation.BackupKind, "b-1", polls: BackupCheckStep.MaxPolls)).Should().BeTrue();

        var ended = _clusterEvents.Should().ContainSingle().Which;
        ended.Reason.Should().Be(ClusterEvents.BackupFailed);
        ended.Message.Should().Contain("no result from Velero");
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionMode.Compress))
            gzip.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }
}
