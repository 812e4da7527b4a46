namespace PaletteServerless.Manifest;

/// <summary>
/// One EventBridge rule of the product with a Lambda target: on <see cref="Bus"/> with an event pattern, or on a
/// schedule (scheduled rules live on the default bus).
/// </summary>
public sealed record EventRuleDefinition(string Name, string Bus, string? EventPattern, string? ScheduleExpression, FunctionDefinition Target, string Description);

/// <summary>
/// Every EventBridge rule the product owns. The CDK app makes each a rule with its function as target (and the
/// permission for EventBridge to invoke it); the local stack creates the same rules in its local EventBridge at
/// start, with the same targets, so both deliver the same events to the same handlers.
/// </summary>
public static class EventRuleCatalog
{
    public const string DefaultBus = "default";

    /// <summary>The two-minute warning before EC2 reclaims a spot instance (Amazon EC2 User Guide, spot instance interruption notices).</summary>
    public static readonly EventRuleDefinition SpotInterruptions = new(
        "palette-spot-interruptions", DefaultBus,
        $$"""{"source":["{{Ec2EventTypes.Source}}"],"detail-type":["{{Ec2EventTypes.SpotInterruptionWarning}}"]}""",
        null, FunctionCatalog.InstanceEvents, "Spot interruption warnings: replace the node before it goes");

    /// <summary>An instance stopping or going away (Amazon EC2 User Guide, instance state-change events).</summary>
    public static readonly EventRuleDefinition InstanceStateChanges = new(
        "palette-instance-state-changes", DefaultBus,
        $$$"""{"source":["{{{Ec2EventTypes.Source}}}"],"detail-type":["{{{Ec2EventTypes.InstanceStateChange}}}"],"detail":{"state":["stopping","stopped","shutting-down","terminated"]}}""",
        null, FunctionCatalog.InstanceEvents, "Instances stopping or terminating: replace the node");

    /// <summary>What events miss (a lost event, a failed status check, a node that never came up): checked every 5 minutes.</summary>
    public static readonly EventRuleDefinition HealthSweep = new(
        "palette-health-sweep", DefaultBus, null, "rate(5 minutes)", FunctionCatalog.HealthSweep,
        "Every 5 minutes: the nodes of Running clusters with health checks on");

    /// <summary>Nothing lost between two writes: clusters whose workflow never started, or ended without moving them, every 5 minutes.</summary>
    public static readonly EventRuleDefinition Reconcile = new(
        "palette-reconcile", DefaultBus, null, "rate(5 minutes)", FunctionCatalog.Reconcile,
        "Every 5 minutes: start the workflow of a Pending cluster that has none; fail a cluster whose workflow ended without moving it");

    /// <summary>One rule for every cluster's patch schedule: each minute (cron's resolution) a check of each cluster's own schedule.</summary>
    public static readonly EventRuleDefinition OsPatchSchedule = new(
        "palette-os-patch-schedule", DefaultBus, null, "rate(1 minute)", FunctionCatalog.OsPatchSchedule,
        "Every minute: start the OS patch run of each Running cluster whose settings.patchSchedule is due");

    /// <summary>One rule for every cluster's backup and scan schedules, as for the patch schedule: each minute a check of each cluster's own.</summary>
    public static readonly EventRuleDefinition BackupSchedule = new(
        "palette-backup-schedule", DefaultBus, null, "rate(1 minute)", FunctionCatalog.BackupSchedule,
        "Every minute: start the backup or the security scan of each Running cluster whose settings.backup.schedule or settings.securityScans.schedule has an occurrence now");

    public static readonly IReadOnlyList<EventRuleDefinition> All = [SpotInterruptions, InstanceStateChanges, HealthSweep, Reconcile, OsPatchSchedule, BackupSchedule];
}
