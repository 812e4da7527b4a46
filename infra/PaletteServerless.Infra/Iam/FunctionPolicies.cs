using Amazon.CDK.AWS.IAM;
using CdkAws = Amazon.CDK.Aws;
using PaletteServerless.Manifest;

namespace PaletteServerless.Infra.Iam;

/// <summary>The ARNs of the product's own resources that function policies point at.</summary>
public sealed record ProductArns(
    string TableArn,
    string EventBusArn,
    IReadOnlyList<string> StateMachineArns,
    IReadOnlyList<string> ExecutionArns,
    string ProvisionExecutionsArn,
    string? UpdateExecutionsArn = null,
    string? RemediateStateMachineArn = null,
    string? RemediateExecutionsArn = null);

/// <summary>What one function needs beyond the table and the event bus, which every function uses.</summary>
/// <param name="Cluster">What it does to cluster resources, in the product account or through a target account's role.</param>
/// <param name="ControlsWorkflows">Starts both workflows and stops their executions (the API).</param>
/// <param name="StopsProvisioning">Describes and stops provisioning and update executions (the start of a delete).</param>
/// <param name="StartsRemediation">Starts the remediation workflow and describes its executions (whether the cluster's lock is stale).</param>
/// <param name="ScansClusters">Scans the table for the Running clusters of every tenant (the periodic health check only).</param>
public sealed record FunctionAccess(
    ClusterPermissions Cluster, bool ControlsWorkflows = false, bool StopsProvisioning = false, bool StartsRemediation = false, bool ScansClusters = false);

/// <summary>
/// The policy table: for every function of <see cref="FunctionCatalog"/>, exactly what it may do.
/// A function that is not in the table fails synth, so a new function can never deploy with
/// borrowed or guessed permissions: whoever adds it decides here what it needs.
/// </summary>
public static class FunctionPolicies
{
    private const ClusterPermissions TearDown = ClusterPermissions.Describe | ClusterPermissions.DeleteNetwork
        | ClusterPermissions.DeleteLoadBalancer | ClusterPermissions.DeleteInstances | ClusterPermissions.FindTagged
        | ClusterPermissions.DeleteSecrets;

    /// <summary>Every function by its catalog name.</summary>
    public static readonly IReadOnlyDictionary<string, FunctionAccess> Table = new Dictionary<string, FunctionAccess>(StringComparer.Ordinal)
    {
        // Starts and stops workflows; force delete and orphan removal sweep what carries a cluster's tag.
        // A dry run makes the preflight checks, the vCPU quota read included; issuing a kubeconfig
        // reads the cluster's CA parameter, and nothing else of its secrets.
        ["Api"] = new(TearDown | ClusterPermissions.ReadQuotas | ClusterPermissions.ReadCertificateAuthority, ControlsWorkflows: true),

        // Provisioning
        ["StartProvisioning"] = new(ClusterPermissions.None),
        ["Preflight"] = new(ClusterPermissions.Describe | ClusterPermissions.ReadQuotas),
        ["Network"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateNetwork),
        ["LoadBalancer"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateLoadBalancer),
        ["LoadBalancerCheck"] = new(ClusterPermissions.Describe),
        ["NatGateways"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateNetwork),
        // Adds the private routes once the NAT gateways are available.
        ["NatGatewaysCheck"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateNetwork),
        // Stores the cluster's secrets in SSM before it runs the nodes that read them.
        ["NodePools"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateInstances | ClusterPermissions.WriteSecrets),
        ["NodePoolsCheck"] = new(ClusterPermissions.Describe),
        // Registers the control-plane instances with the load balancer's target group.
        ["ControlPlaneTargets"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateLoadBalancer),
        ["MarkRunning"] = new(ClusterPermissions.None),
        ["MarkFailed"] = new(ClusterPermissions.None),

        // Deletion
        ["StartDeletion"] = new(ClusterPermissions.None, StopsProvisioning: true),
        // Deletes everything the cluster owns (and rolls back a failed create), and lists what still carries its tag.
        ["Teardown"] = new(TearDown),
        ["ForceDeleteEligible"] = new(ClusterPermissions.None),
        ["MarkDeleted"] = new(ClusterPermissions.None),

        // Update
        // Applies a change of the cluster's tags to what it owns; lists the pools from the inventory.
        ["StartUpdate"] = new(ClusterPermissions.Describe | ClusterPermissions.Retag),
        // Launches and terminates one pool's nodes; registers new control-plane nodes and drains old ones.
        ["RollPool"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateInstances | ClusterPermissions.DeleteInstances
            | ClusterPermissions.CreateLoadBalancer | ClusterPermissions.DrainTargets),
        ["FinishUpdate"] = new(ClusterPermissions.None),
        // Terminates new nodes that never became healthy.
        ["UpdateFailed"] = new(ClusterPermissions.Describe | ClusterPermissions.DeleteInstances),

        // Remediation
        // Reads the nodes (DescribeInstances, DescribeInstanceStatus, their phase tags) and forgets retired ones that are gone.
        ["CheckNodes"] = new(ClusterPermissions.Describe),
        // Launches a replacement node, as the rolling update does.
        ["LaunchReplacement"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateInstances),
        // Registers a new control-plane node with the API load balancer; terminates a replacement that failed.
        ["ReplacementReady"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateLoadBalancer | ClusterPermissions.DrainTargets
            | ClusterPermissions.DeleteInstances),
        // Deregisters and terminates the replaced node.
        ["RetireNode"] = new(ClusterPermissions.Describe | ClusterPermissions.DrainTargets | ClusterPermissions.DeleteInstances),
        ["FinishRemediation"] = new(ClusterPermissions.None),
        // Reads the event's instance's ownership tags; starts the owning cluster's remediation.
        ["InstanceEvents"] = new(ClusterPermissions.Describe, StartsRemediation: true),
        // Judges the nodes of every Running cluster; starts remediations.
        ["HealthSweep"] = new(ClusterPermissions.Describe, StartsRemediation: true, ScansClusters: true),
    };

    /// <summary>DynamoDB item actions the functions use on the one table (no scans, no table-level actions).</summary>
    public static readonly string[] TableItemActions =
        ["dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"];

    /// <summary>Target accounts' roles the product may assume: only those the tenant put under this path.</summary>
    public const string TargetRolePath = "/palette-serverless/";

    public static IReadOnlyList<PolicyStatement> For(FunctionDefinition function, ProductArns arns)
    {
        if (!Table.TryGetValue(function.Name, out var access))
            throw new InvalidOperationException(
                $"function {function.Name} is not in the policy table (infra/PaletteServerless.Infra/Iam/FunctionPolicies.cs): " +
                "add it with exactly the permissions it needs");

        List<PolicyStatement> statements =
        [
            ClusterResourcePolicy.Allow("ReadWriteTableItems", TableItemActions, [arns.TableArn]),
            ClusterResourcePolicy.Allow("PublishClusterEvents", ["events:PutEvents"], [arns.EventBusArn]),
        ];
        if (access.ControlsWorkflows)
        {
            statements.Add(ClusterResourcePolicy.Allow("StartWorkflows", ["states:StartExecution"], [.. arns.StateMachineArns]));
            statements.Add(ClusterResourcePolicy.Allow("StopWorkflows", ["states:StopExecution"], [.. arns.ExecutionArns]));
        }
        if (access.StartsRemediation)
        {
            if (arns.RemediateStateMachineArn is null || arns.RemediateExecutionsArn is null)
                throw new InvalidOperationException($"function {function.Name} starts remediations: the remediation state machine's ARN is needed");
            statements.Add(ClusterResourcePolicy.Allow("StartRemediation", ["states:StartExecution"], [arns.RemediateStateMachineArn]));
            statements.Add(ClusterResourcePolicy.Allow("DescribeRemediations", ["states:DescribeExecution"], [arns.RemediateExecutionsArn]));
        }
        if (access.ScansClusters)
            statements.Add(ClusterResourcePolicy.Allow("ScanRunningClusters", ["dynamodb:Scan"], [arns.TableArn]));
        if (access.StopsProvisioning)
            statements.Add(ClusterResourcePolicy.Allow("StopProvisioning", ["states:DescribeExecution", "states:StopExecution"],
                arns.UpdateExecutionsArn is { } update ? [arns.ProvisionExecutionsArn, update] : [arns.ProvisionExecutionsArn]));
        if (access.Cluster != ClusterPermissions.None)
        {
            // Any account (the tenant registers target accounts at run time), but only roles under our path.
            statements.Add(ClusterResourcePolicy.Allow("AssumeTargetAccountRoles", ["sts:AssumeRole"],
                [$"arn:{CdkAws.PARTITION}:iam::*:role{TargetRolePath}*"]));
            // The same permissions in the product account, for cloud accounts without a role to assume.
            statements.AddRange(ClusterResourcePolicy.Statements(access.Cluster));
        }
        return statements;
    }
}
