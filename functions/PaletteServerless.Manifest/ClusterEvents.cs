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

    /// <summary>A backup, restore or security scan of the cluster ended (<see cref="BackupReasons"/>), with its name, phase and location.</summary>
    public const string BackupDetailType = "Cluster Backup";

    public const string BackupCompleted = "BackupCompleted";
    public const string BackupFailed = "BackupFailed";
    public const string RestoreCompleted = "RestoreCompleted";
    public const string RestoreFailed = "RestoreFailed";
    public const string ScanCompleted = "ScanCompleted";
    public const string ScanFailed = "ScanFailed";

    /// <summary>The reasons of the cluster events (and of the bus event's detail) a backup or restore ends with.</summary>
    public static readonly IReadOnlyList<string> BackupReasons = [BackupCompleted, BackupFailed, RestoreCompleted, RestoreFailed, ScanCompleted, ScanFailed];

    public static readonly IReadOnlyList<string> DetailTypes = [StatusChangeDetailType, LeftoversDetailType, NodeRemediationDetailType, RemediationPausedDetailType, OsPatchDetailType, BackupDetailType];
}
