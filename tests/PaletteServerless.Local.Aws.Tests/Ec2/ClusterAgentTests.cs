using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using ResourceType = Amazon.EC2.ResourceType;
using Tag = Amazon.EC2.Model.Tag;
using UserData = PaletteServerless.Domain.Provisioning.UserData;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// The modelled in-cluster agent: it learns its parameter and report keys from the control planes' user data,
/// runs on the control plane whose name sorts first, applies each new generation of the desired state as helm
/// and kubectl would judge it, and reports the generation applied, or the pack and the error.
/// </summary>
public class ClusterAgentTests : Ec2TestBase
{
    private static readonly Cluster Cluster = NodeAgentTests.Cluster;
    private static readonly TimeSpan UntilAgentStarts = TimeSpan.FromSeconds(45 + 90 + 20 + 40);
    private static readonly TimeSpan OneRun = TimeSpan.FromSeconds(10 + InClusterAgent.IntervalSeconds + 40);

    private string _subnet = "";

    private async Task<string> LaunchAsync(string node)
    {
        if (_subnet.Length == 0)
        {
            _subnet = await CreateSubnetAsync(await CreateVpcAsync());
            await NodeAgentTests.PutSecretsAsync(Host, Cluster);
        }
        var instances = await RunAsync(_subnet, "m5.large", configure: r =>
        {
            r.UserData = UserData.Encode(NodeAgentTests.UserDataOf(Cluster, node));
            r.TagSpecifications =
            [
                new TagSpecification
                {
                    ResourceType = ResourceType.Instance,
                    Tags = [new Tag(OwnershipTags.ClusterUid, Cluster.Uid), new Tag(ResourceTags.CapaRole, node == "worker" ? "node" : "controlplane")],
                },
            ];
        });
        return instances.Single().InstanceId;
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

    private static DesiredState At(long generation) => DesiredState.Of(Cluster with { Generation = generation }, NodeAgentTests.ProfileForTests);

    private async Task<(string? Generation, string? Message)> ReportAsync(string instanceId)
    {
        var tags = (await DescribeInstanceAsync(instanceId)).Tags ?? [];
        return (tags.FirstOrDefault(t => t.Key == NodePhases.AgentGenerationTagKey)?.Value, tags.FirstOrDefault(t => t.Key == NodePhases.AgentMessageTagKey)?.Value);
    }

    [Fact]
    public async Task The_agent_reports_each_new_generation_applied_on_the_control_plane_that_leads_and_nowhere_else()
    {
        await WriteAsync(At(1));
        var first = await LaunchAsync("first");
        var joined = await LaunchAsync("control-plane");
        var worker = await LaunchAsync("worker");

        Advance(UntilAgentStarts + OneRun);
        (await ReportAsync(first)).Should().Be(("1", NodePhases.AgentApplied), "its first run applies (again) what the boot installed");

        await WriteAsync(At(2) with { Packs = [.. At(2).Packs.Select(p => p.Name == "calico" ? p with { Values = "mtu: 1400\n" } : p)] });
        Advance(OneRun);
        (await ReportAsync(first)).Should().Be(("2", NodePhases.AgentApplied));
        (await ReportAsync(joined)).Should().Be(((string?)null, (string?)null), "one agent acts: the control plane whose name sorts first");
        (await ReportAsync(worker)).Should().Be(((string?)null, (string?)null), "workers run no agent");
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "values that are not a mapping", "aws-ebs-csi-1.30.0: Error: failed to parse values.yaml" },
        { "values that are not YAML", "aws-ebs-csi-1.30.0: Error: failed to parse values.yaml: error converting YAML to JSON" },
        { "an unknown pack", "mystery-1.0.0: no install is known for this pack" },
        { "a calico pool calico does not run", "calico-3.27.0: CALICO_IPV4POOL_IPIP Always with CALICO_IPV4POOL_VXLAN Always is not a pool Calico runs" },
        { "an rbac object without a name", "rbac-bindings: error: error validating data" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_generation_helm_or_kubectl_would_refuse_is_reported_failed_naming_the_pack_and_a_newer_one_applies(string what, string error)
    {
        await WriteAsync(At(1));
        var first = await LaunchAsync("first");
        Advance(UntilAgentStarts + OneRun);
        (await ReportAsync(first)).Generation.Should().Be("1");

        var bad = At(2);
        bad = what switch
        {
            "values that are not a mapping" => bad with { Packs = [.. bad.Packs.Select(p => p.Name == "aws-ebs-csi" ? p with { Values = "- a\n- b\n" } : p)] },
            "values that are not YAML" => bad with { Packs = [.. bad.Packs.Select(p => p.Name == "aws-ebs-csi" ? p with { Values = "a: [b\n" } : p)] },
            "an unknown pack" => bad with { Packs = [.. bad.Packs, new DesiredPack { Name = "mystery", Version = "1.0.0", Layer = "addon", Kind = "unknown" }] },
            "a calico pool calico does not run" => bad with { Packs = [.. bad.Packs.Select(p => p.Name == "calico" ? p with { Calico = new CalicoEdits("Always", "Always", true) } : p)] },
            _ => bad with { Rbac = bad.Rbac with { Manifest = "apiVersion: v1\nkind: Namespace\nmetadata: {}\n" } },
        };
        await WriteAsync(bad);
        Advance(OneRun);
        var (generation, message) = await ReportAsync(first);
        generation.Should().Be("2");
        message.Should().StartWith(NodePhases.AgentFailedPrefix + error[..Math.Min(error.Length, 60)]);

        await WriteAsync(At(3));
        Advance(OneRun);
        (await ReportAsync(first)).Should().Be(("3", NodePhases.AgentApplied));
    }

    [Fact]
    public async Task Without_its_parameter_the_agent_reports_nothing()
    {
        var first = await LaunchAsync("first");
        Advance(UntilAgentStarts + OneRun + OneRun);
        (await ReportAsync(first)).Should().Be(((string?)null, (string?)null));
        (await DescribeInstanceAsync(first)).Tags.Should().Contain(t => t.Key == NodePhases.TagKey && t.Value == NodePhases.PacksApplied, "the node itself is fine");
    }
}
