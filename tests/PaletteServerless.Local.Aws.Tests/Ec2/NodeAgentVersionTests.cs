using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>The Kubernetes version a node reports, and the skew its kubeadm allows against the cluster's control plane.</summary>
public partial class NodeAgentTests
{
    private static readonly ClusterProfile Profile131 = Profile with
    {
        Version = "1.1.0",
        Packs = [.. Profile.Packs!.Select(p => p.Layer == PackLayers.Kubernetes ? p with { Version = "1.31.2" } : p)],
    };

    private async Task<string?> KubernetesVersionAsync(string instanceId) =>
        ((await DescribeInstanceAsync(instanceId)).Tags ?? []).FirstOrDefault(t => t.Key == NodePhases.KubernetesVersionTagKey)?.Value;

    [Fact]
    public async Task Nodes_report_the_version_they_installed_and_a_newer_worker_joins_only_once_a_control_plane_moved_the_cluster_to_it()
    {
        var first = await LaunchAsync(UserDataOf(Cluster, "first"), controlPlane: true);
        var tooNew = await LaunchAsync(UserDataOf(Cluster, "worker", Profile131), controlPlane: false);
        Advance(TimeSpan.FromMinutes(30));
        (await PhaseAsync(first)).Phase.Should().Be(NodePhases.PacksApplied);
        (await KubernetesVersionAsync(first)).Should().Be("1.30.4", "the kubelet the first control plane installed");
        var refused = await PhaseAsync(tooNew);
        refused.Phase.Should().Be(NodePhases.Failed, "a kubelet newer than the control plane is not a supported skew");
        refused.Message.Should().Contain("kubeadm join failed").And.Contain("v1.31.2").And.Contain("newer than the control plane version (v1.30.4)");

        // A control plane of the next minor joins (kubeadm allows one minor) and moves the cluster to it; then workers of it join.
        var controlPlane = await LaunchAsync(UserDataOf(Cluster, "control-plane", Profile131), controlPlane: true);
        Advance(TimeSpan.FromMinutes(30));
        (await PhaseAsync(controlPlane)).Phase.Should().Be(NodePhases.Ready);
        (await KubernetesVersionAsync(controlPlane)).Should().Be("1.31.2");
        var worker = await LaunchAsync(UserDataOf(Cluster, "worker", Profile131), controlPlane: false);
        Advance(TimeSpan.FromMinutes(30));
        (await PhaseAsync(worker)).Phase.Should().Be(NodePhases.Ready);
        (await KubernetesVersionAsync(worker)).Should().Be("1.31.2");
    }
}

/// <summary>What the first control plane installed lives on in the cluster after a roll replaced it.</summary>
public partial class NodeAgentTests
{
    [Fact]
    public async Task A_worker_joining_after_the_first_control_plane_is_gone_finds_the_network_it_installed()
    {
        var first = await LaunchAsync(UserDataOf(Cluster, "first"), controlPlane: true);
        Advance(TimeSpan.FromMinutes(30));
        var controlPlane = await LaunchAsync(UserDataOf(Cluster, "control-plane"), controlPlane: true);
        Advance(TimeSpan.FromMinutes(30));
        (await PhaseAsync(controlPlane)).Phase.Should().Be(NodePhases.Ready);

        // The roll terminates the first control plane, and EC2 stops listing it after its terminal retention.
        await Ec2.TerminateInstancesAsync(new Amazon.EC2.Model.TerminateInstancesRequest { InstanceIds = [first] });
        Advance(TimeSpan.FromHours(3));
        (await Ec2.DescribeInstancesAsync(new Amazon.EC2.Model.DescribeInstancesRequest())).Reservations
            .SelectMany(r => r.Instances).Should().NotContain(i => i.InstanceId == first, "EC2 lists a terminated instance for about an hour");

        var worker = await LaunchAsync(UserDataOf(Cluster, "worker"), controlPlane: false);
        Advance(TimeSpan.FromMinutes(30));
        var phase = await PhaseAsync(worker);
        phase.Phase.Should().Be(NodePhases.Ready, phase.Message);
    }
}
