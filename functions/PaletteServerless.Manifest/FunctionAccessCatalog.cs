namespace PaletteServerless.Manifest;

/// <summary>What one function needs beyond the table and the event bus, which every function uses.</summary>
/// <param name="Cluster">What it does to cluster resources, through a cluster-builder role (none: it assumes no role).</param>
/// <param name="ControlsWorkflows">Starts the workflows but remediation (the API); stopping one is the job of the workflow that takes over.</param>
/// <param name="StopsProvisioning">Describes and stops provisioning, update and remediation executions (the start of a delete).</param>
/// <param name="StartsRemediation">Starts the remediation workflow and describes its executions (whether the cluster's lock is stale).</param>
/// <param name="ScansClusters">Scans the table for the clusters of every tenant (the periodic health check and the scheduled check).</param>
/// <param name="StopsDeletion">Stops the delete workflow's executions (force delete).</param>
/// <param name="ReadsRuns">Describes the orphan sweep's executions (their output is the sweep's report) and the force delete's (is one running, or did it fail?): the API.</param>
/// <param name="RestartsProvisioning">Describes provisioning executions and starts the provisioning workflow (the scheduled check).</param>
/// <param name="StartsOsPatches">Starts the OS patch workflow (the patch schedule's check).</param>
/// <param name="StartsBackups">Starts the backup workflow (the backup and scan schedules' check).</param>
/// <param name="ReadsOwnInstances">Also describes instances of the product's own account with the function's own role (EC2 events of this account name them).</param>
public sealed record FunctionAccess(
    ClusterPermissions Cluster, bool ControlsWorkflows = false, bool StopsProvisioning = false, bool StartsRemediation = false, bool ScansClusters = false,
    bool StopsDeletion = false, bool ReadsRuns = false, bool ReadsOwnInstances = false, bool RestartsProvisioning = false, bool StartsOsPatches = false,
    bool StartsBackups = false);

/// <summary>
/// The access table: for every function of <see cref="FunctionCatalog"/>, exactly what it may do. The CDK
/// app builds each function's role from it (FunctionPolicies, which refuses a function missing here), and
/// each function narrows its sessions in cloud accounts to its own <see cref="FunctionAccess.Cluster"/>
/// permissions with it (<see cref="ClusterActions"/>): one table, read at synth and at run time.
/// </summary>
public static class FunctionAccessCatalog
{
    private const ClusterPermissions TearDown = ClusterPermissions.Describe | ClusterPermissions.DeleteNetwork
        | ClusterPermissions.DeleteLoadBalancer | ClusterPermissions.DeleteInstances | ClusterPermissions.FindTagged
        | ClusterPermissions.DeleteSecrets | ClusterPermissions.BackupBucket;

    /// <summary>Every function by its catalog name.</summary>
    public static readonly IReadOnlyDictionary<string, FunctionAccess> Table = new Dictionary<string, FunctionAccess>(StringComparer.Ordinal)
    {
        // Starts the workflows; reads a cloud account for the console (key pairs, zones, instance types, VPCs,
        // subnets) and a cluster's nodes (DescribeInstances); lists the orphans (what carries a project's tags);
        // force delete and orphan removal run as workflows, so the API deletes nothing itself, and reads the
        // sweeps and force deletes back. A dry run makes the preflight checks, the vCPU quota read and the node
        // instance profile's included; issuing a kubeconfig reads the cluster's CA parameter, and nothing else of its secrets.
        // Virtual clusters: it writes the list the in-cluster agent reads and each one's report parameter, reads the reports.
        // Backups: it lists a cluster's backups from its bucket, and checks that a backup location named by a spec exists.
        ["Api"] = new(ClusterPermissions.Describe | ClusterPermissions.FindTagged | ClusterPermissions.ReadQuotas | ClusterPermissions.ReadCertificateAuthority
            | ClusterPermissions.VirtualClusters | ClusterPermissions.ReadBackups,
            ControlsWorkflows: true, ReadsRuns: true),

        // Provisioning
        // Pending -> Provisioning; every check before anything is made: the key pair, the two node instance profiles,
        // zones, instance type offerings, quotas (counted by describes; the vCPU quota from Service Quotas), static placement's network.
        // Then the network core, then the API server's load balancer, target group and listener as soon as its subnets exist
        // (no targets yet), and beside it the cluster's secrets in SSM (removed again if a delete or a rollback took
        // the cluster over while they were stored), and the desired in-cluster state the control planes' agent reads.
        // The security groups' rules between the nodes are reconciled with the profile's CNI (SecurityGroupRules).
        // Then the control planes' instances, as soon as the load balancer's name and the secrets exist (the CA's hash
        // goes into the nodes' user data: ReadSecrets).
        ["Network"] = new(ClusterPermissions.Describe | ClusterPermissions.ReadQuotas | ClusterPermissions.CreateNetwork | ClusterPermissions.CreateLoadBalancer
            | ClusterPermissions.WriteSecrets | ClusterPermissions.DeleteSecrets | ClusterPermissions.WriteDesiredState | ClusterPermissions.SecurityGroupRules
            | ClusterPermissions.BackupBucket | ClusterPermissions.CreateInstances | ClusterPermissions.ReadSecrets),
        // Reads the load balancer's state.
        ["LoadBalancerCheck"] = new(ClusterPermissions.Describe | ClusterPermissions.RegisterTargets),
        // An Elastic IP and a NAT gateway per zone.
        ["NatGateways"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateNetwork),
        // Adds the private route tables, routes and associations once the NAT gateways are available.
        ["NatGatewaysCheck"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateNetwork),
        // Reads the cluster's secrets (the CA's hash goes into the nodes' user data) and runs the workers (adopts the control planes).
        ["NodePools"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateInstances | ClusterPermissions.ReadSecrets),
        // Joins the control-plane instances to the API load balancer's target group as soon as they run; marks Running when all serve.
        ["NodePoolsCheck"] = new(ClusterPermissions.Describe | ClusterPermissions.RegisterTargets),
        // Registers the control-plane instances the target group lacks; marks Running once they are healthy and Ready.
        ["ControlPlaneTargets"] = new(ClusterPermissions.Describe | ClusterPermissions.RegisterTargets),
        // -> Failed with the reason (the table and the bus only).
        ["MarkFailed"] = new(ClusterPermissions.None),

        // Deletion
        // Announces Deleting; describes and stops the cluster's provisioning, update or remediation execution.
        ["StartDeletion"] = new(ClusterPermissions.None, StopsProvisioning: true),
        // Deletes everything the cluster owns (and rolls back a failed create), and lists what still carries its tag; Deleting -> Deleted once nothing is left.
        ["Teardown"] = new(TearDown),
        // Opens force delete after 15 minutes in Deleting (the table only).
        ["ForceDeleteEligible"] = new(ClusterPermissions.None),
        // Stops the stuck delete workflow, then sweeps what carries the cluster's tag with the delete's teardown.
        ["ForceDelete"] = new(TearDown, StopsDeletion: true),

        // Orphan sweep
        // Lists what carries the project's tags in every account and region of the project.
        ["FindOrphans"] = new(ClusterPermissions.FindTagged),
        // Removes one orphaned cluster's resources with the delete's teardown.
        ["RemoveOrphans"] = new(TearDown),
        // Sums up the sweep's leftovers (its input only).
        ["FinishSweep"] = new(ClusterPermissions.None),

        // Update
        // Announces Updating; applies a change of the cluster's tags in place to everything it owns (the inventory's
        // EC2 resources and the volumes found by the ownership tag, the load balancer with its listener, the secret
        // parameters); re-ensures the rules between the nodes' security groups for the CNI's (maybe changed) values;
        // lists the pools from the inventory.
        ["StartUpdate"] = new(ClusterPermissions.Describe | ClusterPermissions.Retag | ClusterPermissions.SecurityGroupRules),
        // Launches and terminates one pool's nodes (reading the cluster's secrets for the launch); registers new
        // control-plane nodes with the target group and deregisters old ones.
        ["RollPool"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateInstances | ClusterPermissions.DeleteInstances
            | ClusterPermissions.RegisterTargets | ClusterPermissions.DrainTargets | ClusterPermissions.ReadSecrets),
        // Revokes the rules between the nodes' security groups that the CNI's values no longer need (every pool has
        // rolled); then generation applied: Updating -> Running, or again for a newer one.
        ["FinishUpdate"] = new(ClusterPermissions.None),
        // Writes the cluster's desired in-cluster state at the update's generation (the agent applies it in place).
        ["ApplyPacks"] = new(ClusterPermissions.WriteDesiredState | ClusterPermissions.BackupBucket),
        // Reads the control planes' agent reports (their tags) for the generation written.
        ["PacksCheck"] = new(ClusterPermissions.Describe),
        // Terminates new nodes that never became healthy (reading the pools' instances and target health); Running with Updated=False.
        ["UpdateFailed"] = new(ClusterPermissions.Describe | ClusterPermissions.DeleteInstances),

        // Remediation
        // Reads the nodes (DescribeInstances, DescribeInstanceStatus, their phase tags) and forgets retired ones that are gone.
        ["CheckNodes"] = new(ClusterPermissions.Describe),
        // Launches a replacement node, as the rolling update does; if a delete began meanwhile, takes the new node
        // out of the target group again and terminates it.
        ["LaunchReplacement"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateInstances | ClusterPermissions.ReadSecrets
            | ClusterPermissions.DrainTargets | ClusterPermissions.DeleteInstances),
        // Registers a new control-plane node with the API load balancer; deregisters and terminates a replacement that failed.
        ["ReplacementReady"] = new(ClusterPermissions.Describe | ClusterPermissions.RegisterTargets | ClusterPermissions.DrainTargets
            | ClusterPermissions.DeleteInstances),
        // Deregisters and terminates the replaced node.
        ["RetireNode"] = new(ClusterPermissions.Describe | ClusterPermissions.DrainTargets | ClusterPermissions.DeleteInstances),
        // Releases the cluster's remediation lock (the table and the bus only).
        ["FinishRemediation"] = new(ClusterPermissions.None),
        // Reads the event's instance's ownership tags, always with its own role in the product account (DescribeInstances);
        // starts the owning cluster's remediation.
        ["InstanceEvents"] = new(ClusterPermissions.Describe, StartsRemediation: true, ReadsOwnInstances: true),
        // Judges the nodes of every Running cluster (DescribeInstances, DescribeInstanceStatus); starts remediations.
        ["HealthSweep"] = new(ClusterPermissions.Describe, StartsRemediation: true, ScansClusters: true),

        // Backups
        // Adds one backup or restore to the operations the desired in-cluster state holds (read, then written back),
        // making the cluster's bucket first if backups were turned on since.
        ["RequestBackup"] = new(ClusterPermissions.ReadDesiredState | ClusterPermissions.WriteDesiredState | ClusterPermissions.BackupBucket),
        // Reads Velero's result for it from the bucket.
        ["BackupCheck"] = new(ClusterPermissions.ReadBackups),

        // The scheduled check: scans the clusters, describes their provisioning executions, starts one that never
        // started, marks Failed a cluster whose execution ended without moving it (the table and the bus).
        ["Reconcile"] = new(ClusterPermissions.None, ScansClusters: true, RestartsProvisioning: true),

        // OS patching
        // Lists the cluster's running nodes (the run's nodes); records the run (the table and the bus).
        ["StartOsPatch"] = new(ClusterPermissions.Describe),
        // Reads the nodes' patch reports (their tags); writes the patch request naming the nodes whose turn it is.
        ["OsPatchPass"] = new(ClusterPermissions.Describe | ClusterPermissions.WriteDesiredState),
        // Writes the patch request with no node in it (nothing more starts); the run Failed (the table and the bus).
        ["OsPatchFailed"] = new(ClusterPermissions.WriteDesiredState),
        // The patch schedule: scans the clusters, starts the patch workflow of each one that is due.
        ["OsPatchSchedule"] = new(ClusterPermissions.None, ScansClusters: true, StartsOsPatches: true),
        ["BackupSchedule"] = new(ClusterPermissions.None, ScansClusters: true, StartsBackups: true),
    };

}
