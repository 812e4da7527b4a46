namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// How a node tells the product how far it got: it tags its own instance (its instance profile may
/// tag only the instance it runs on) with <see cref="TagKey"/> set to one of the phases below, in
/// order, and on a failure <see cref="MessageTagKey"/> with what failed. The product's node-pool,
/// control-plane and health-check decisions read these tags; nothing else says a node is ready.
/// </summary>
public static class NodePhases
{
    public const string TagKey = "palette.serverless/node-phase";
    public const string MessageTagKey = "palette.serverless/node-message";

    /// <summary>
    /// With every phase, the Kubernetes version the node runs, as its kubelet says (<c>kubelet --version</c>):
    /// what it booted, not what the spec asks, so an upgrade shows node by node.
    /// </summary>
    public const string KubernetesVersionTagKey = "palette.serverless/kubernetes-version";

    /// <summary>Every tag key a worker may write on its own instance (its instance profile allows these only).</summary>
    /// <remarks>With them, the OS patch agent's report and patch level (<see cref="Patching.OsPatchReport"/>).</remarks>
    public static readonly IReadOnlyList<string> ReportTagKeys =
        [TagKey, MessageTagKey, KubernetesVersionTagKey, Patching.OsPatchReport.TagKey, Patching.OsPatchReport.LevelTagKey];

    /// <summary>
    /// The in-cluster agent's report, on the control plane it runs on (<see cref="InClusterAgent"/>): the generation
    /// of the desired in-cluster state it last applied or tried, and <see cref="AgentApplied"/> or
    /// <c>failed: PACK-VERSION: error</c>. Apart from the phase: a failed apply leaves the node serving.
    /// </summary>
    public const string AgentGenerationTagKey = "palette.serverless/agent-generation";
    public const string AgentMessageTagKey = "palette.serverless/agent-message";
    public const string AgentApplied = "applied";
    public const string AgentFailedPrefix = "failed: ";

    /// <summary>The tag keys a control plane writes on its own instance: a worker's and the agent's.</summary>
    public static readonly IReadOnlyList<string> ControlPlaneReportKeys = [.. ReportTagKeys, AgentGenerationTagKey, AgentMessageTagKey];

    /// <summary>kubeadm init or join finished: the node is a member of the cluster.</summary>
    public const string Joined = "Joined";
    /// <summary>The kubelet reports the node Ready.</summary>
    public const string Ready = "Ready";
    /// <summary>First control-plane node only: the profile's CNI, CSI and addon packs are applied.</summary>
    public const string PacksApplied = "PacksApplied";
    /// <summary>First control-plane node only: applying a pack failed; the message tag names it.</summary>
    public const string PacksFailed = "PacksFailed";
    /// <summary>
    /// Any node: it cannot become usable (kubeadm failed, a secret could not be read, or the node check found
    /// the kubelet, the cloud controller manager, the pod network or the cluster DNS not working on it); the
    /// message tag says which and why. Final: the node reports nothing after it.
    /// </summary>
    public const string Failed = "Failed";

    /// <summary>The phases that end a node's boot without it serving: whatever waits on the node fails.</summary>
    public static bool IsFailure(string? phase) => phase is PacksFailed or Failed;

    /// <summary>Whether a reported phase means the node is serving (Ready, or past it).</summary>
    public static bool IsReady(string? phase) => phase is Ready or PacksApplied;
}
