namespace PaletteServerless.Manifest;

/// <summary>
/// The metrics the product emits in CloudWatch embedded metric format (EMF) in its log lines: one namespace, one
/// dimension (the service) on every metric, and <see cref="Status"/> on the cluster count. The functions write
/// them, the CDK app alarms on them and draws them on the dashboard: one list for all three.
/// </summary>
public static class ProductMetrics
{
    public const string Namespace = "PaletteServerless";
    public const string ServiceDimension = "Service";
    public const string Service = "palette-serverless";
    public const string StatusDimension = "Status";

    // Workflow outcomes, counted where the cluster's status moves (ClusterStatusWriter).
    public const string CreatesStarted = "CreatesStarted";
    public const string CreatesSucceeded = "CreatesSucceeded";
    /// <summary>Milliseconds from the cluster's creation to Running.</summary>
    public const string CreateDuration = "CreateDuration";
    public const string CreatesFailed = "CreatesFailed";
    public const string DeletesStarted = "DeletesStarted";
    public const string DeletesSucceeded = "DeletesSucceeded";
    /// <summary>Milliseconds from Deleting to Deleted.</summary>
    public const string DeleteDuration = "DeleteDuration";
    public const string UpdatesStarted = "UpdatesStarted";
    public const string UpdatesFinished = "UpdatesFinished";

    // Remediation (the remediation lock and its workflow).
    public const string RemediationsStarted = "RemediationsStarted";
    public const string RemediationsFinished = "RemediationsFinished";
    /// <summary>Milliseconds from the remediation's start to its finish.</summary>
    public const string RemediationDuration = "RemediationDuration";
    /// <summary>A pool's remediation paused (more unhealthy nodes than its maxUnhealthy): alarmed.</summary>
    public const string RemediationPaused = "RemediationPaused";

    /// <summary>A delete still in Deleting after 15 minutes (force delete opens): alarmed. Its workflow still succeeds.</summary>
    public const string StuckDeletes = "StuckDeletes";
    /// <summary>Resources a force delete or an orphan sweep left behind.</summary>
    public const string LeftoverResources = "LeftoverResources";

    // The scheduled check (Reconcile).
    /// <summary>Live clusters by <see cref="StatusDimension"/>, counted by every run of the scheduled check.</summary>
    public const string Clusters = "Clusters";
    /// <summary>Clusters the scheduled check started a workflow for, or marked Failed.</summary>
    public const string ClustersRecovered = "ClustersRecovered";

    /// <summary>Every metric and its unit, as the EMF lines declare them.</summary>
    public static readonly IReadOnlyDictionary<string, string> Units = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [CreatesStarted] = "Count", [CreatesSucceeded] = "Count", [CreateDuration] = "Milliseconds", [CreatesFailed] = "Count",
        [DeletesStarted] = "Count", [DeletesSucceeded] = "Count", [DeleteDuration] = "Milliseconds",
        [UpdatesStarted] = "Count", [UpdatesFinished] = "Count",
        [RemediationsStarted] = "Count", [RemediationsFinished] = "Count", [RemediationDuration] = "Milliseconds", [RemediationPaused] = "Count",
        [StuckDeletes] = "Count", [LeftoverResources] = "Count",
        [Clusters] = "Count", [ClustersRecovered] = "Count",
    };
}
