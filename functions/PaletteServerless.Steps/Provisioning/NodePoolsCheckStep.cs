using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// One poll of the nodes: every instance runs, and every node has reported Ready (the first control
/// plane: its packs applied) by tagging its own instance. The control-plane instances join the API
/// load balancer as soon as they run: the joining nodes reach the API server through it. A pack
/// failure fails the create at once, naming the pack; a node still short of ready on the last poll
/// fails it naming the node and its last phase. When the nodes are ready and the load balancer's and
/// NAT gateways' branches are done, the cluster becomes Running here (<see cref="ClusterServing"/>).
/// The check runs beside the workers' launches (its first wait counts from the control planes' launch):
/// until the node pools' step has made every launch (its <see cref="LaunchedCondition"/>), the nodes
/// recorded so far are not the cluster's nodes, and the answer is not yet.
/// </summary>
public sealed class NodePoolsCheckStep(StepRuntime runtime)
{
    /// <summary>The condition the node pools' step writes once every launch is made (not ready yet: Starting).</summary>
    public const string LaunchedCondition = "NodePoolsReady";

    /// <summary>Whether the node pools' step has made every launch: it wrote <see cref="LaunchedCondition"/>.</summary>
    public static bool Launched(Domain.Clusters.Cluster cluster) => cluster.Conditions.Any(c => c.Type == LaunchedCondition);

    /// <summary>
    /// The polls the workflow makes (its NodePoolsReady Choice, after the first wait): the nodes get
    /// about 23 minutes from launch to report ready (a first wait of 195 s, then 120 polls 10 s apart),
    /// enough for cloud-init, kubeadm and the packs' Helm waits.
    /// </summary>
    public const int MaxPolls = 120;

    public NodePoolsCheckStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var resources = await step.ResourcesAsync(ct);
        if (!Launched(resources.Cluster))
            return step.Input.Polls?.N >= MaxPolls - 1
                ? throw new ProvisioningFailedException("the node pools' instances were not all launched in time")
                : StepResult.NotYet;
        var state = await new NodePoolKind(resources).CheckAsync(ct);
        var targetsHealthy = state.AllRunning && await new LoadBalancerKind(resources).RegisterControlPlaneAsync(ct);
        if (NodeReadiness.FailureOf(state.Nodes) is { } failure)
            throw new ProvisioningFailedException(failure);
        if (state.AllRunning && NodeReadiness.AllReady(state.Nodes))
        {
            const string nodesReady = "every node reported Ready, and the first control plane its packs applied";
            // The build's other branches usually finish first: then this poll ends the create, with no step after it.
            if (ClusterServing.OtherBranchesFinished(resources.Cluster) && targetsHealthy)
            {
                await ClusterServing.MarkRunningAsync(step, runtime, ct, ("NodePoolsReady", "NodesReady", nodesReady));
                return StepResult.Finished with { Running = true };
            }
            await step.SetConditionAsync("NodePoolsReady", true, "NodesReady", nodesReady, ct);
            return StepResult.Finished with { Running = false };
        }
        if (step.Input.Polls?.N >= MaxPolls - 1)
            throw new ProvisioningFailedException(NodeReadiness.TimedOut(state.Nodes));
        return StepResult.NotYet;
    });
}
