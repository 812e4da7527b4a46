using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using ResourceType = Amazon.EC2.ResourceType;
using Tag = Amazon.EC2.Model.Tag;
using UserData = PaletteServerless.Domain.Provisioning.UserData;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// Velero's part as the node model runs it: once the agent has installed the Velero chart, an operation of the desired
/// state becomes Velero's objects in the bucket the chart's values name (a backup: its layout under backups/NAME/ with
/// velero-backup.json Completed; a restore: its results, with an error when the backup is not there), each once.
/// </summary>
public class VeleroModelTests : Ec2TestBase
{
    private static readonly Cluster Cluster = NodeAgentTests.Cluster with
    {
        Spec = NodeAgentTests.Cluster.Spec with { Settings = new ClusterSettings { Backup = new BackupSettings { Enabled = true, Schedule = "0 3 * * *", RetentionDays = 2 } } },
    };
    private static readonly TimeSpan UntilAgentStarts = TimeSpan.FromSeconds(45 + 90 + 20 + 40);
    private static readonly TimeSpan OneRun = TimeSpan.FromSeconds(10 + InClusterAgent.IntervalSeconds + 40);
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_backup_then_a_restore_of_it_and_of_a_missing_one_are_velero_objects_in_the_bucket()
    {
        var vpc = await CreateVpcAsync();
        var subnet = await CreateSubnetAsync(vpc);
        await NodeAgentTests.PutSecretsAsync(Host, Cluster);
        var location = BackupLocation.Of(Cluster, vpc)!;
        using var s3 = new AmazonS3Client(new BasicAWSCredentials("test", "test"), new AmazonS3Config { ServiceURL = Host.Url, AuthenticationRegion = "us-east-1", ForcePathStyle = true });
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = location.Bucket });
        await WriteAsync(DesiredState.Of(Cluster, NodeAgentTests.ProfileForTests, location));
        var instances = await RunAsync(subnet, "m5.large", configure: r =>
        {
            r.UserData = UserData.Encode(NodeAgentTests.UserDataOf(Cluster, "first"));
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag(OwnershipTags.ClusterUid, Cluster.Uid), new Tag(ResourceTags.CapaRole, "controlplane")] }];
        });
        Advance(UntilAgentStarts + OneRun);
        var report = (await DescribeInstanceAsync(instances.Single().InstanceId)).Tags ?? [];
        report.Should().Contain(t => t.Key == NodePhases.AgentMessageTagKey && t.Value == NodePhases.AgentApplied, string.Join(", ", report.Select(t => $"{t.Key}={t.Value}")));

        BackupOperation[] operations =
        [
            new() { Kind = BackupOperation.BackupKind, Name = "demo-1", TtlHours = 48, RequestedAt = At },
            new() { Kind = BackupOperation.RestoreKind, Name = "demo-1-r", Backup = "demo-1", RequestedAt = At.AddMinutes(1) },
            new() { Kind = BackupOperation.RestoreKind, Name = "demo-0-r", Backup = "demo-0", RequestedAt = At.AddMinutes(2) },
        ];
        await WriteAsync(DesiredState.Of(Cluster, NodeAgentTests.ProfileForTests, location, operations));
        Advance(OneRun);
        await DescribeInstanceAsync(instances.Single().InstanceId); // the node model steps when EC2 is asked

        var keys = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = location.Bucket })).S3Objects.Select(o => o.Key).ToList();
        keys.Should().Contain(location.BackupMetadataKey("demo-1")).And.Contain("velero/backups/demo-1/demo-1.tar.gz")
            .And.Contain(location.RestoreResultsKey("demo-1-r")).And.Contain(location.RestoreResultsKey("demo-0-r"));
        using var metadata = await s3.GetObjectAsync(location.Bucket, location.BackupMetadataKey("demo-1"));
        (await new StreamReader(metadata.ResponseStream).ReadToEndAsync()).Should().Contain("\"phase\":\"Completed\"");
        (await ResultsAsync(s3, location, "demo-1-r")).Should().Contain("\"errors\":{}");
        (await ResultsAsync(s3, location, "demo-0-r")).Should().Contain("not found");

        // Once each: the objects are not written again at the next run.
        var etag = (await s3.GetObjectMetadataAsync(location.Bucket, location.BackupMetadataKey("demo-1"))).LastModified;
        Advance(OneRun);
        await DescribeInstanceAsync(instances.Single().InstanceId);
        (await s3.GetObjectMetadataAsync(location.Bucket, location.BackupMetadataKey("demo-1"))).LastModified.Should().Be(etag);
        instances.Should().ContainSingle();
    }

    private static async Task<string> ResultsAsync(AmazonS3Client s3, BackupLocation location, string restore)
    {
        using var response = await s3.GetObjectAsync(location.Bucket, location.RestoreResultsKey(restore));
        await using var gzip = new System.IO.Compression.GZipStream(response.ResponseStream, System.IO.Compression.CompressionMode.Decompress);
        return await new StreamReader(gzip).ReadToEndAsync();
    }

    private async Task WriteAsync(DesiredState state)
    {
        using var ssm = new AmazonSimpleSystemsManagementClient(new BasicAWSCredentials("test", "test"),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = Host.Url, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
        await ssm.PutParameterAsync(new PutParameterRequest
        {
            Name = DesiredState.ParameterName(Cluster), Value = state.ToParameterValue(), Type = ParameterType.String, Tier = ParameterTier.IntelligentTiering, Overwrite = true,
        });
    }
}
