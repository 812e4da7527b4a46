using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Patching;
using PaletteServerless.Domain.Provisioning;
using ResourceType = Amazon.EC2.ResourceType;
using Tag = Amazon.EC2.Model.Tag;
using UserData = PaletteServerless.Domain.Provisioning.UserData;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// The modelled OS patching of a node: security updates applied at boot when the user data runs unattended-upgrade
/// before kubeadm (and the patch level reported with the phase), and the patch agent learned from the user data,
/// which applies a run once when the request lists its own instance, reboots when an update needs it, and reports.
/// </summary>
public class OsPatchModelTests : Ec2TestBase
{
    private static readonly Cluster Plain = NodeAgentTests.Cluster;
    private static readonly Cluster OnBoot = Plain with { Spec = Plain.Spec with { Settings = new ClusterSettings { OsPatchOnBoot = true } } };
    /// <summary>Running, booted (with the updates at boot), joined, Ready, and the first control plane's packs.</summary>
    private static readonly TimeSpan UntilTimerStarts = TimeSpan.FromSeconds(45 + 60 + 90 + 20 + 40);
    /// <summary>The timer's first run and one interval, unattended-upgrade, a drain and a reboot.</summary>
    private static readonly TimeSpan OneRun = TimeSpan.FromSeconds(30 + OsPatchAgent.IntervalSeconds + 90 + 120 + 1);

    private string _subnet = "";

    private async Task<string> LaunchAsync(Cluster cluster, string node)
    {
        if (_subnet.Length == 0)
        {
            _subnet = await CreateSubnetAsync(await CreateVpcAsync());
            await NodeAgentTests.PutSecretsAsync(Host, cluster);
        }
        var instances = await RunAsync(_subnet, "m5.large", configure: r =>
        {
            r.UserData = UserData.Encode(NodeAgentTests.UserDataOf(cluster, node));
            r.TagSpecifications =
            [
                new TagSpecification
                {
                    ResourceType = ResourceType.Instance,
                    Tags = [new Tag(OwnershipTags.ClusterUid, cluster.Uid), new Tag(ResourceTags.CapaRole, node == "worker" ? "node" : "controlplane")],
                },
            ];
        });
        return instances.Single().InstanceId;
    }

    private async Task RequestAsync(string run, params string[] instances)
    {
        using var ssm = new AmazonSimpleSystemsManagementClient(new BasicAWSCredentials("test", "test"),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = Host.Url, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
        await ssm.PutParameterAsync(new PutParameterRequest
        {
            Name = OsPatchRequest.ParameterName(Plain), Value = OsPatchRequest.Render(run, instances), Type = ParameterType.String, Overwrite = true,
        });
    }

    private async Task<string?> TagAsync(string instanceId, string key) =>
        (await DescribeInstanceAsync(instanceId)).Tags?.FirstOrDefault(t => t.Key == key)?.Value;

    [Fact]
    public async Task A_node_that_patches_at_boot_reports_its_level_with_its_phase_and_one_that_does_not_reports_none()
    {
        var first = await LaunchAsync(OnBoot, "first");
        var worker = await LaunchAsync(Plain, "worker");
        Advance(UntilTimerStarts + TimeSpan.FromSeconds(60));

        (await TagAsync(first, NodePhases.TagKey)).Should().Be(NodePhases.PacksApplied);
        (await TagAsync(first, OsPatchReport.LevelTagKey)).Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$");
        (await TagAsync(worker, NodePhases.TagKey)).Should().Be(NodePhases.Ready);
        (await TagAsync(worker, OsPatchReport.LevelTagKey)).Should().BeNull("its image's updates were never applied");
    }

    [Fact]
    public async Task The_patch_agent_applies_a_run_once_when_its_instance_is_listed_rebooting_for_a_kernel_and_reports_it()
    {
        var first = await LaunchAsync(Plain, "first");
        var worker = await LaunchAsync(Plain, "worker");
        Advance(UntilTimerStarts);

        await RequestAsync("r1", first);
        Advance(OneRun);
        var report = OsPatchReport.Parse(await TagAsync(first, OsPatchReport.TagKey));
        report.Should().NotBeNull();
        report!.Run.Should().Be("r1");
        report.Patched.Should().BeTrue();
        // The image is 30 modelled days old: an update every 6 hours since, kernels among them.
        report.Detail.Should().MatchRegex(@"^patched 1[12]\d security updates and rebooted$");
        (await TagAsync(first, OsPatchReport.LevelTagKey)).Should().NotBeNull();
        (await TagAsync(worker, OsPatchReport.TagKey)).Should().BeNull("the request did not list it");

        // The same run again changes nothing; the next run finds nothing new and needs no reboot.
        Advance(OneRun);
        (await TagAsync(first, OsPatchReport.TagKey)).Should().Be($"r1 {report.Detail}");
        await RequestAsync("r2", first, worker);
        Advance(OneRun);
        (await TagAsync(first, OsPatchReport.TagKey)).Should().Be("r2 patched 0 security updates");
        (await TagAsync(worker, OsPatchReport.TagKey)).Should().StartWith("r2 patched ").And.EndWith(" and rebooted");
    }
}
