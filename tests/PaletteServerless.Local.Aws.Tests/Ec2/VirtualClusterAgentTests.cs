using System.Text.Json.Nodes;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.VirtualClusters;
using ResourceType = Amazon.EC2.ResourceType;
using Tag = Amazon.EC2.Model.Tag;
using UserData = PaletteServerless.Domain.Provisioning.UserData;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// The modelled virtual-cluster agent: it learns its list parameter and its KMS key from the control planes' user
/// data, installs each present virtual cluster (deployed after the modelled time), reports Running with a kubeconfig
/// vcluster would write, Deleted once asked absent, Failed with the setting off, and never creates a report parameter.
/// </summary>
public class VirtualClusterAgentTests : Ec2TestBase
{
    private static readonly Cluster Cluster = NodeAgentTests.Cluster;
    private static readonly TimeSpan UntilAgentStarts = TimeSpan.FromSeconds(45 + 90 + 20 + 40);
    private static readonly TimeSpan OneRun = TimeSpan.FromSeconds(10 + InClusterAgent.IntervalSeconds + 40);

    private static VirtualCluster Record(string name, string status = VirtualClusterStatus.Pending) => new()
    {
        Name = name, Status = status, Namespace = "vcluster-" + name, ChartVersion = "0.26.0",
        CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch, CreatedBy = "alice",
    };

    private AmazonSimpleSystemsManagementClient Ssm() => new(new BasicAWSCredentials("test", "test"),
        new AmazonSimpleSystemsManagementConfig { ServiceURL = Host.Url, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    private async Task ListAsync(bool enabled, params VirtualCluster[] records)
    {
        using var ssm = Ssm();
        var host = Cluster with { Spec = Cluster.Spec with { Settings = new ClusterSettings { VirtualClusters = new VirtualClusterSettings { Enabled = enabled } } } };
        await ssm.PutParameterAsync(new PutParameterRequest
        {
            Name = DesiredVirtualClusters.ParameterName(Cluster), Value = DesiredVirtualClusters.Of(host, records).ToJson(),
            Type = ParameterType.String, Overwrite = true,
        });
    }

    private async Task CreateReportAsync(string name)
    {
        using var ssm = Ssm();
        await ssm.PutParameterAsync(new PutParameterRequest
        {
            Name = DesiredVirtualClusters.ReportName(Cluster, name), Value = VirtualClusterReport.Initial, Type = ParameterType.SecureString,
            KeyId = SecretParameters.KmsKeyAlias, Tier = ParameterTier.IntelligentTiering,
        });
    }

    private string _instance = "";

    private async Task<VirtualClusterReport?> ReportAsync(string name)
    {
        // The node model catches up with the clock at EC2's calls, as every life cycle of the local AWS does.
        await DescribeInstanceAsync(_instance);
        using var ssm = Ssm();
        var found = await ssm.GetParametersAsync(new GetParametersRequest { Names = [DesiredVirtualClusters.ReportName(Cluster, name)], WithDecryption = true });
        return found.Parameters is [var parameter] ? VirtualClusterReport.Parse(parameter.Value) : null;
    }

    private async Task LaunchFirstControlPlaneAsync()
    {
        var subnet = await CreateSubnetAsync(await CreateVpcAsync());
        await NodeAgentTests.PutSecretsAsync(Host, Cluster);
        var instances = await RunAsync(subnet, "m5.large", configure: r =>
        {
            r.UserData = UserData.Encode(NodeAgentTests.UserDataOf(Cluster, "first"));
            r.TagSpecifications =
            [
                new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag(OwnershipTags.ClusterUid, Cluster.Uid), new Tag(ResourceTags.CapaRole, "controlplane")] },
            ];
        });
        _instance = instances.Single().InstanceId;
    }

    [Fact]
    public async Task A_present_virtual_cluster_is_reported_Running_with_a_kubeconfig_then_Deleted_once_asked_absent()
    {
        await ListAsync(true, Record("dev"));
        await CreateReportAsync("dev");
        await LaunchFirstControlPlaneAsync();

        Advance(UntilAgentStarts + OneRun);
        await DescribeInstanceAsync(_instance);
        Advance(OneRun);
        var running = await ReportAsync("dev");
        running!.Status.Should().Be("Running");
        running.Kubeconfig.Should().Contain("kind: Config").And.Contain("server: https://localhost:8443").And.Contain("client-key-data:");

        await ListAsync(true, Record("dev", VirtualClusterStatus.Deleting));
        Advance(OneRun);
        (await ReportAsync("dev"))!.Status.Should().Be("Deleted");
    }

    [Fact]
    public async Task The_agent_never_creates_a_report_parameter_and_with_the_setting_off_reports_Failed()
    {
        await ListAsync(false, Record("dev"), Record("ghost"));
        await CreateReportAsync("dev");
        await LaunchFirstControlPlaneAsync();

        Advance(UntilAgentStarts + OneRun);
        await DescribeInstanceAsync(_instance);
        Advance(OneRun);
        var failed = await ReportAsync("dev");
        failed!.Status.Should().Be("Failed");
        failed.Message.Should().Contain("settings.virtualClusters.enabled");
        (await ReportAsync("ghost")).Should().BeNull("the product creates each report parameter; the control plane may only overwrite one");
    }
}
