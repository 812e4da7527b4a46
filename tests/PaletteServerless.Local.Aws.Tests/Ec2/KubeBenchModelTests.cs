using System.Text.Json.Nodes;
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
/// kube-bench as the node model runs it for a scan of the desired state: one JSON result per node role that has a
/// running node, in kube-bench's shape, each check judged from the node's kubeadm configuration; each scan once.
/// </summary>
public class KubeBenchModelTests : Ec2TestBase
{
    private static readonly Cluster Cluster = NodeAgentTests.Cluster with
    {
        Spec = NodeAgentTests.Cluster.Spec with { Settings = new ClusterSettings { SecurityScans = new ScheduledFeature { Enabled = true, Schedule = "0 4 * * SAT" } } },
    };
    private static readonly TimeSpan UntilAgentStarts = TimeSpan.FromSeconds(45 + 90 + 20 + 40);
    private static readonly TimeSpan OneRun = TimeSpan.FromSeconds(10 + InClusterAgent.IntervalSeconds + 40);

    [Fact]
    public async Task A_scan_writes_the_control_planes_result_derived_from_its_kubeadm_configuration_and_none_for_a_role_without_a_node()
    {
        var vpc = await CreateVpcAsync();
        var subnet = await CreateSubnetAsync(vpc);
        await NodeAgentTests.PutSecretsAsync(Host, Cluster);
        var bucket = ScanLocation.Bucket(Cluster, vpc)!;
        using var s3 = new AmazonS3Client(new BasicAWSCredentials("test", "test"), new AmazonS3Config { ServiceURL = Host.Url, AuthenticationRegion = "us-east-1", ForcePathStyle = true });
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        var instance = (await RunAsync(subnet, "m5.large", configure: r =>
        {
            r.UserData = UserData.Encode(NodeAgentTests.UserDataOf(Cluster, "first"));
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag(OwnershipTags.ClusterUid, Cluster.Uid), new Tag(ResourceTags.CapaRole, "controlplane")] }];
        })).Single().InstanceId;
        var scan = new BackupOperation { Kind = BackupOperation.ScanKind, Name = "demo-scan-1", RequestedAt = DateTimeOffset.UnixEpoch };
        await WriteAsync(DesiredState.Of(Cluster, NodeAgentTests.ProfileForTests, null, [scan], bucket));
        Advance(UntilAgentStarts + OneRun);
        await DescribeInstanceAsync(instance); // the node model steps when EC2 is asked

        var keys = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects?.Select(o => o.Key).ToList() ?? [];
        keys.Should().Equal(ScanLocation.ResultKey("demo-scan-1", ScanLocation.ControlPlaneRole));
        using var response = await s3.GetObjectAsync(bucket, keys[0]);
        var result = JsonNode.Parse(await new StreamReader(response.ResponseStream).ReadToEndAsync())!;
        result["Controls"]!.AsArray().Select(c => c!["node_type"]!.GetValue<string>()).Should().Equal("master", "node");
        var checks = result["Controls"]!.AsArray().SelectMany(c => c!["tests"]!.AsArray()).SelectMany(t => t!["results"]!.AsArray())
            .ToDictionary(r => r!["test_number"]!.GetValue<string>(), r => r!["status"]!.GetValue<string>());
        checks["1.2.16"].Should().Be("FAIL", "kubeadm's API server writes no audit log unless told to");
        checks["1.2.7"].Should().Be("PASS", "kubeadm's authorization mode is Node,RBAC");
        checks["4.2.1"].Should().Be("PASS", "kubeadm turns the kubelet's anonymous auth off");
        checks["1.2.1"].Should().Be("WARN", "a manual check");
        var totals = result["Totals"]!;
        (totals["total_pass"]!.GetValue<int>() + totals["total_fail"]!.GetValue<int>() + totals["total_warn"]!.GetValue<int>()).Should().Be(checks.Count);
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
