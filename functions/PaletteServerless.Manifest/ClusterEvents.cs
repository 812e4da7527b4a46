namespace PaletteServerless.Manifest;

/// <summary>
/// The product's EventBridge bus and the events it carries. The functions put them, the CDK app
/// creates the bus and routes the detail types, and the local stack creates the same bus.
/// </summary>
public static class ClusterEvents
{
    public const string BusName = "palette-serverless";

    /// <summary>The source of every event the product puts.</summary>
    public const string Source = "palette.serverless";

    /// <summary>A cluster changed status (Provisioning, Running, Deleting, ...).</summary>
    public const string StatusChangeDetailType = "Cluster Status Change";

    /// <summary>A force delete left resources behind, listed in the detail.</summary>
    public const string LeftoversDetailType = "Cluster Leftover Resources";

    /// <summary>A failed node was replaced (or a replacement failed), with the pool, the nodes and why.</summary>
    public const string NodeRemediationDetailType = "Cluster Node Remediation";

    /// <summary>Remediation of a pool paused (more failed nodes than maxUnhealthy, or a control plane without quorum), or resumed.</summary>
    public const string RemediationPausedDetailType = "Cluster Remediation Paused";

    /// <summary>An OS patch run started, completed, or failed (naming the nodes and why): OsPatchStarted, OsPatchCompleted, OsPatchFailed.</summary>
    public const string OsPatchDetailType = "Cluster OS Patch";

    public static readonly IReadOnlyList<string> DetailTypes = [StatusChangeDetailType, LeftoversDetailType, NodeRemediationDetailType, RemediationPausedDetailType, OsPatchDetailType];
}
