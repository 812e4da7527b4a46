using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Tests.Provisioning;

public sealed class NodeReadinessTests
{
    private static NodeReport First(string? phase, string? message = null) => new("i-1", "demo-cp-0", true, phase, message);
    private static NodeReport Worker(string? phase) => new("i-2", "demo-workers-0", false, phase, null);

    [Theory]
    [InlineData(null, false)]
    [InlineData(NodePhases.Joined, false)]
    [InlineData(NodePhases.Ready, true)]
    [InlineData(NodePhases.PacksApplied, true)]
    [InlineData(NodePhases.PacksFailed, false)]
    [InlineData(NodePhases.Failed, false)]
    public void A_joining_node_is_ready_from_Ready_on(string? phase, bool ready) => Worker(phase).IsReady.Should().Be(ready);

    [Theory]
    [InlineData(NodePhases.Joined, false)]
    [InlineData(NodePhases.Ready, false)]
    [InlineData(NodePhases.PacksApplied, true)]
    public void The_first_control_plane_is_ready_only_once_its_packs_are_applied(string phase, bool ready) => First(phase).IsReady.Should().Be(ready);

    [Fact]
    public void The_cluster_is_ready_when_every_node_is_and_not_before()
    {
        NodeReadiness.AllReady([First(NodePhases.PacksApplied), Worker(NodePhases.Ready)]).Should().BeTrue();
        NodeReadiness.AllReady([First(NodePhases.Ready), Worker(NodePhases.Ready)]).Should().BeFalse();
        NodeReadiness.AllReady([]).Should().BeFalse("no node has reported anything");
    }

    [Fact]
    public void A_pack_failure_names_the_node_and_the_pack()
    {
        NodeReadiness.FailureOf([First(NodePhases.PacksFailed, "calico-3.27.0"), Worker(NodePhases.Ready)])
            .Should().Be("node demo-cp-0 (i-1) could not apply the cluster profile's packs: pack calico-3.27.0 failed to install");
        NodeReadiness.FailureOf([First(NodePhases.Ready), Worker(null)]).Should().BeNull();
    }

    [Fact]
    public void A_timeout_names_every_node_short_of_ready_with_its_last_phase()
    {
        NodeReadiness.TimedOut([First(NodePhases.Joined), Worker(null), new NodeReport("i-3", "demo-workers-1", false, NodePhases.Ready, null)])
            .Should().Be("node(s) did not report ready in time: demo-cp-0 (i-1), last phase Joined; demo-workers-0 (i-2), never reported a phase");
    }

    [Fact]
    public void A_node_that_reported_Failed_fails_the_create_naming_the_node_its_instance_and_its_reason()
    {
        var worker = new NodeReport("i-2", "demo-workers-0", false, NodePhases.Failed, "the calico agent pod (k8s-app=calico-node) on this node is not ready: BGP not established");
        worker.Failed.Should().BeTrue();
        NodeReadiness.FailureOf([First(NodePhases.Ready), worker])
            .Should().Be("node demo-workers-0 (i-2) failed: the calico agent pod (k8s-app=calico-node) on this node is not ready: BGP not established");
        NodeReadiness.FailureOf([First(NodePhases.Failed, "kubeadm init failed: error execution phase preflight")])
            .Should().Be("node demo-cp-0 (i-1) failed: kubeadm init failed: error execution phase preflight");
        NodeReadiness.FailureOf([Worker(NodePhases.Failed)]).Should().Be("node demo-workers-0 (i-2) failed: (it gave no reason)");
        NodePhases.IsFailure(NodePhases.Failed).Should().BeTrue();
        NodePhases.IsFailure(NodePhases.PacksFailed).Should().BeTrue();
        NodePhases.IsFailure(NodePhases.Ready).Should().BeFalse();
    }
}
