namespace PaletteServerless.Domain.Provisioning;

/// <summary>One node as the product sees it when it decides readiness: its instance, and what it last reported (<see cref="NodePhases"/>).</summary>
/// <param name="FirstControlPlane">The node that runs kubeadm init and installs the packs: ready only once they are applied.</param>
public sealed record NodeReport(string InstanceId, string Name, bool FirstControlPlane, string? Phase, string? Message)
{
    /// <summary>Ready as <see cref="NodePhases.IsReady"/> says; the first control plane only once its packs are applied.</summary>
    public bool IsReady => FirstControlPlane ? Phase == NodePhases.PacksApplied : NodePhases.IsReady(Phase);

    public bool Failed => NodePhases.IsFailure(Phase);

    /// <summary>What the node's failure report says, naming the node and its instance; null when it reported none.</summary>
    public string? Failure => Phase switch
    {
        NodePhases.PacksFailed =>
            $"node {Name} ({InstanceId}) could not apply the cluster profile's packs: pack {(string.IsNullOrWhiteSpace(Message) ? "(not named)" : Message)} failed to install",
        NodePhases.Failed =>
            $"node {Name} ({InstanceId}) failed: {(string.IsNullOrWhiteSpace(Message) ? "(it gave no reason)" : Message)}",
        _ => null,
    };

    /// <summary>"name (i-...), last phase Joined", or "never reported" when it said nothing yet.</summary>
    public string Describe() => $"{Name} ({InstanceId}), " + (Phase is null ? "never reported a phase" : $"last phase {Phase}");
}

/// <summary>
/// What the nodes' own reports mean for a cluster: ready when every node is; failed when a node reported
/// a failure (the first control plane a pack it could not apply, any node why it cannot be used); and, when the wait is over, which nodes never
/// got there and how far each came.
/// </summary>
public static class NodeReadiness
{
    /// <summary>The inventory attribute of the node launched to run kubeadm init (the first control plane).</summary>
    public const string FirstControlPlaneAttribute = "firstControlPlane";

    /// <summary>
    /// The inventory attribute of a node launched with user data that reports its phases. A node of an
    /// older cluster, launched before nodes reported, lacks it: a rolling update judges it as it always
    /// did (running, and for a control plane the health check) instead of waiting for a report that never comes.
    /// </summary>
    public const string ReportsPhasesAttribute = "reportsPhases";

    public static bool AllReady(IReadOnlyCollection<NodeReport> nodes) => nodes.Count > 0 && nodes.All(n => n.IsReady);

    /// <summary>
    /// Why the create fails now, or null: a node that reported a failure, named with its instance and what it
    /// said (the pack that failed to install, or why the node cannot be used).
    /// </summary>
    public static string? FailureOf(IEnumerable<NodeReport> nodes) => nodes.FirstOrDefault(n => n.Failed)?.Failure;

    /// <summary>The nodes still short of ready, each with how far it got.</summary>
    public static string Waiting(IEnumerable<NodeReport> nodes) =>
        string.Join("; ", nodes.Where(n => !n.IsReady).Select(n => n.Describe()));

    /// <summary>The create's failure when the wait for the nodes is over: every node that is not ready, named, with its last phase.</summary>
    public static string TimedOut(IEnumerable<NodeReport> nodes) =>
        $"node(s) did not report ready in time: {Waiting(nodes)}";
}
