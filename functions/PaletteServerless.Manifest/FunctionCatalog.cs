namespace PaletteServerless.Manifest;

/// <summary>One deployed Lambda function: its name, the handler string the runtime loads, and what it reads.</summary>
public sealed record FunctionDefinition(string Name, string Handler, IReadOnlyList<string> EnvironmentVariables, string Description);

/// <summary>
/// Every Lambda function of the product, with its handler string exactly as the managed .NET
/// runtime resolves it (Assembly::Namespace.Type::Method). The CDK app deploys from this list and
/// the local stack invokes from it.
/// </summary>
public static class FunctionCatalog
{
    public static readonly FunctionDefinition Api = new(
        "Api",
        "PaletteServerless.Api::PaletteServerless.Api.ApiFunction::Handle",
        [EnvironmentNames.TableName, EnvironmentNames.ProvisionStateMachineArn, EnvironmentNames.DeleteStateMachineArn, EnvironmentNames.UpdateStateMachineArn,
         EnvironmentNames.ForceDeleteStateMachineArn, EnvironmentNames.SweepOrphansStateMachineArn, EnvironmentNames.BackupStateMachineArn, EnvironmentNames.EventBusName,
         EnvironmentNames.ProductAccountId, EnvironmentNames.RoleLessTenants],
        "The product API behind API Gateway (HTTP API payload 2.0)");

    private static readonly string[] StepEnvironment = [EnvironmentNames.TableName, EnvironmentNames.EventBusName, EnvironmentNames.ProductAccountId];

    private static FunctionDefinition Step(string area, string name, string description) => new(
        name, $"PaletteServerless.Steps::PaletteServerless.Steps.{area}.{name}Step::Handle", StepEnvironment, description);

    // Provisioning (statemachines/provision-cluster.asl.json)
    public static readonly FunctionDefinition Network = Step("Provisioning", "Network", "Pending -> Provisioning, the checks before anything is made; VPC, subnets, internet gateway, public routes, security groups; the API server load balancer, target group, listener; the control planes' instances");
    public static readonly FunctionDefinition NodePools = Step("Provisioning", "NodePools", "Node pool instances with kubeadm user data (the workers; the control planes launched in Network are adopted)");
    public static readonly FunctionDefinition LoadBalancerCheck = Step("Provisioning", "LoadBalancerCheck", "Is the load balancer active? Once it is, joins the control planes launched so far");
    public static readonly FunctionDefinition NatGateways = Step("Provisioning", "NatGateways", "Elastic IP and NAT gateway per zone");
    public static readonly FunctionDefinition NatGatewaysCheck = Step("Provisioning", "NatGatewaysCheck", "Are the NAT gateways available? Then private routes");
    public static readonly FunctionDefinition NodePoolsCheck = Step("Provisioning", "NodePoolsCheck", "Have all nodes reported ready? Joins control planes to the load balancer; Running when all serve");
    public static readonly FunctionDefinition ControlPlaneTargets = Step("Provisioning", "ControlPlaneTargets", "Register control-plane targets; once healthy, Provisioning -> Running");
    public static readonly FunctionDefinition MarkFailed = Step("Provisioning", "MarkFailed", "-> Failed with the reason");

    // Deletion (statemachines/delete-cluster.asl.json; Teardown also rolls back a failed create)
    public static readonly FunctionDefinition StartDeletion = Step("Deletion", "StartDeletion", "Announce Deleting; stop provisioning");
    public static readonly FunctionDefinition Teardown = Step("Deletion", "Teardown", "One teardown pass in the reference order");
    public static readonly FunctionDefinition ForceDeleteEligible = Step("Deletion", "ForceDeleteEligible", "15 minutes in Deleting: force delete becomes available");

    // Force delete (statemachines/force-delete-cluster.asl.json)
    public static readonly FunctionDefinition ForceDelete = Step("Deletion", "ForceDelete", "Stop the delete, sweep by tag, Deleted with the leftover report");

    // Orphan sweep (statemachines/sweep-orphans.asl.json)
    public static readonly FunctionDefinition FindOrphans = Step("Orphans", "FindOrphans", "What is tagged for the project's clusters that are not live, by cluster");
    public static readonly FunctionDefinition RemoveOrphans = Step("Orphans", "RemoveOrphans", "One teardown sweep of one orphaned cluster's resources");
    public static readonly FunctionDefinition FinishSweep = Step("Orphans", "FinishSweep", "The sweep's leftover report");

    // Update (statemachines/update-cluster.asl.json)
    public static readonly FunctionDefinition StartUpdate = Step("Update", "StartUpdate", "Announce Updating; the pools to roll and in which order");
    public static readonly FunctionDefinition RollPool = Step("Update", "RollPool", "One rolling-update pass over one pool: launch, register, drain, terminate");
    public static readonly FunctionDefinition FinishUpdate = Step("Update", "FinishUpdate", "Updating -> Running, or again if a newer generation arrived");
    public static readonly FunctionDefinition ApplyPacks = Step("Update", "ApplyPacks", "Write the desired in-cluster state (packs, RBAC) at the update's generation for the in-cluster agent");
    public static readonly FunctionDefinition PacksCheck = Step("Update", "PacksCheck", "Has the in-cluster agent reported the generation? PacksApplied, or the pack and its error");
    public static readonly FunctionDefinition UpdateFailed = Step("Update", "UpdateFailed", "Terminate new nodes that never became healthy; Running with Updated=False");

    // Remediation (statemachines/remediate-cluster.asl.json)
    public static readonly FunctionDefinition CheckNodes = Step("Remediation", "CheckNodes", "Judge the nodes; pause a pool past maxUnhealthy; the pass's replacements");
    public static readonly FunctionDefinition LaunchReplacement = Step("Remediation", "LaunchReplacement", "Launch a failed node's replacement in its pool, its zone first");
    public static readonly FunctionDefinition ReplacementReady = Step("Remediation", "ReplacementReady", "Has the replacement reported Ready?");
    public static readonly FunctionDefinition RetireNode = Step("Remediation", "RetireNode", "Terminate what is left of the replaced node; record the replacement");
    public static readonly FunctionDefinition FinishRemediation = Step("Remediation", "FinishRemediation", "Release the cluster's remediation lock");

    // OS patching (statemachines/os-patch-cluster.asl.json)
    public static readonly FunctionDefinition StartOsPatch = Step("Patching", "StartOsPatch", "Record the patch run with the cluster's running nodes; OsPatchStarted");
    public static readonly FunctionDefinition OsPatchPass = Step("Patching", "OsPatchPass", "Read the nodes' patch reports; ask the next nodes within maxUnavailable; OsPatchCompleted or OsPatchFailed at the end");
    public static readonly FunctionDefinition OsPatchFailed = Step("Patching", "OsPatchFailed", "The run ended by an error: stop asking nodes; OsPatchFailed");
    // Backups and restores (statemachines/backup-cluster.asl.json)
    public static readonly FunctionDefinition RequestBackup = Step("Backups", "RequestBackup", "Write one backup or restore into the desired in-cluster state for Velero");
    public static readonly FunctionDefinition BackupCheck = Step("Backups", "BackupCheck", "Has Velero written the backup's or restore's result to the bucket? BackupCompleted, RestoreCompleted or why not");

    private static readonly string[] TriggerEnvironment = [EnvironmentNames.TableName, EnvironmentNames.EventBusName, EnvironmentNames.RemediateStateMachineArn, EnvironmentNames.ProductAccountId];

    // Remediation triggers (EventRuleCatalog)
    public static readonly FunctionDefinition InstanceEvents = new(
        "InstanceEvents", "PaletteServerless.Steps::PaletteServerless.Steps.Remediation.InstanceEventsFunction::Handle", TriggerEnvironment,
        "EC2 spot interruption and instance state-change events: start the owning cluster's remediation");
    public static readonly FunctionDefinition HealthSweep = new(
        "HealthSweep", "PaletteServerless.Steps::PaletteServerless.Steps.Remediation.HealthSweepFunction::Handle", TriggerEnvironment,
        "Every 5 minutes: Running clusters with failed nodes the events missed get a remediation");

    // The scheduled check (EventRuleCatalog.Reconcile)
    public static readonly FunctionDefinition Reconcile = new(
        "Reconcile", "PaletteServerless.Steps::PaletteServerless.Steps.Reconcile.ReconcileFunction::Handle",
        [EnvironmentNames.TableName, EnvironmentNames.EventBusName, EnvironmentNames.ProvisionStateMachineArn, EnvironmentNames.ProductAccountId],
        "Every 5 minutes: Pending clusters whose workflow never started get it started; a workflow that ended without moving its cluster marks it Failed");

    // The OS patch schedule (EventRuleCatalog.OsPatchSchedule)
    public static readonly FunctionDefinition OsPatchSchedule = new(
        "OsPatchSchedule", "PaletteServerless.Steps::PaletteServerless.Steps.Patching.OsPatchScheduleFunction::Handle",
        [EnvironmentNames.TableName, EnvironmentNames.EventBusName, EnvironmentNames.OsPatchStateMachineArn, EnvironmentNames.ProductAccountId],
        "Every minute: Running clusters whose settings.patchSchedule is due since their last patch run get one");

    // The backup and scan schedules (EventRuleCatalog.BackupSchedule)
    public static readonly FunctionDefinition BackupSchedule = new(
        "BackupSchedule", "PaletteServerless.Steps::PaletteServerless.Steps.Backups.BackupScheduleFunction::Handle",
        [EnvironmentNames.TableName, EnvironmentNames.EventBusName, EnvironmentNames.BackupStateMachineArn, EnvironmentNames.ProductAccountId],
        "Every minute: Running clusters whose settings.backup.schedule or settings.securityScans.schedule has an occurrence now get that backup or scan (the backup workflow)");

    public static readonly IReadOnlyList<FunctionDefinition> All =
    [
        Api,
        Network, LoadBalancerCheck, NatGateways, NatGatewaysCheck,
        NodePools, NodePoolsCheck, ControlPlaneTargets, MarkFailed,
        StartDeletion, Teardown, ForceDeleteEligible, ForceDelete,
        FindOrphans, RemoveOrphans, FinishSweep,
        StartUpdate, RollPool, ApplyPacks, PacksCheck, FinishUpdate, UpdateFailed,
        CheckNodes, LaunchReplacement, ReplacementReady, RetireNode, FinishRemediation,
        RequestBackup, BackupCheck,
        InstanceEvents, HealthSweep,
        Reconcile,
        StartOsPatch, OsPatchPass, OsPatchFailed, OsPatchSchedule,
        BackupSchedule,
    ];
}
