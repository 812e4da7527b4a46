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
    string? RemediateExecutionsArn = null,
    string? DeleteExecutionsArn = null,
    string? SweepExecutionsArn = null,
    string? ForceDeleteExecutionsArn = null,
    string? ProvisionStateMachineArn = null,
    string? OsPatchStateMachineArn = null,
    string? BackupStateMachineArn = null);

/// <summary>
/// The policy table: for every function of <see cref="FunctionCatalog"/>, exactly what it may do.
/// A function that is not in the table fails synth, so a new function can never deploy with
/// borrowed or guessed permissions: whoever adds it decides here what it needs.
/// </summary>
public static class FunctionPolicies
{
    /// <summary>
    /// DynamoDB item actions the functions use on the one table (no scans, no table-level actions): every
    /// write is a PutItem (conditional on the version where it must be) or, for a batch of inventory items (a
    /// batch of nodes), a BatchWriteItem of puts and deletes; every read a GetItem or Query.
    /// </summary>
    public static readonly string[] TableItemActions =
        ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"];

    /// <summary>Target accounts' roles the product may assume: only those the tenant put under this path.</summary>
    public const string TargetRolePath = "/palette-serverless/";

    public static IReadOnlyList<PolicyStatement> For(FunctionDefinition function, ProductArns arns)
    {
        if (!FunctionAccessCatalog.Table.TryGetValue(function.Name, out var access))
            throw new InvalidOperationException(
                $"function {function.Name} is not in the policy table (functions/PaletteServerless.Manifest/FunctionAccessCatalog.cs): " +
                "add it with exactly the permissions it needs");

        List<PolicyStatement> statements =
        [
            ClusterResourcePolicy.Allow("ReadWriteTableItems", TableItemActions, [arns.TableArn]),
            ClusterResourcePolicy.Allow("PublishClusterEvents", ["events:PutEvents"], [arns.EventBusArn]),
        ];
        if (access.ControlsWorkflows)
        {
            statements.Add(ClusterResourcePolicy.Allow("StartWorkflows", ["states:StartExecution"], [.. arns.StateMachineArns]));
        }
        if (access.StartsRemediation)
        {
            if (arns.RemediateStateMachineArn is null || arns.RemediateExecutionsArn is null)
                throw new InvalidOperationException($"function {function.Name} starts remediations: the remediation state machine's ARN is needed");
            statements.Add(ClusterResourcePolicy.Allow("StartRemediation", ["states:StartExecution"], [arns.RemediateStateMachineArn]));
            statements.Add(ClusterResourcePolicy.Allow("DescribeRemediations", ["states:DescribeExecution"], [arns.RemediateExecutionsArn]));
        }
        if (access.ScansClusters)
            statements.Add(ClusterResourcePolicy.Allow("ScanClusters", ["dynamodb:Scan"], [arns.TableArn]));
        if (access.RestartsProvisioning)
        {
            statements.Add(ClusterResourcePolicy.Allow("StartProvisioning", ["states:StartExecution"],
                [arns.ProvisionStateMachineArn ?? throw new InvalidOperationException($"function {function.Name} starts provisioning, whose state machine's ARN was not given")]));
            statements.Add(ClusterResourcePolicy.Allow("DescribeProvisioning", ["states:DescribeExecution"], [arns.ProvisionExecutionsArn]));
        }
        if (access.StartsOsPatches)
            statements.Add(ClusterResourcePolicy.Allow("StartOsPatches", ["states:StartExecution"],
                [arns.OsPatchStateMachineArn ?? throw new InvalidOperationException($"function {function.Name} starts OS patch runs, whose state machine's ARN was not given")]));
        if (access.StartsBackups)
            statements.Add(ClusterResourcePolicy.Allow("StartScheduledBackups", ["states:StartExecution"],
                [arns.BackupStateMachineArn ?? throw new InvalidOperationException($"function {function.Name} starts the backup workflow, whose state machine's ARN was not given")]));
        if (access.StopsProvisioning)
            statements.Add(ClusterResourcePolicy.Allow("StopProvisioning", ["states:DescribeExecution", "states:StopExecution"],
                [arns.ProvisionExecutionsArn, .. new[] { arns.UpdateExecutionsArn, arns.RemediateExecutionsArn }.OfType<string>()]));
        if (access.StopsDeletion)
            statements.Add(ClusterResourcePolicy.Allow("StopDeletion", ["states:StopExecution"],
                [arns.DeleteExecutionsArn ?? throw new InvalidOperationException($"function {function.Name} stops the delete workflow, whose executions' ARN was not given")]));
        if (access.ReadsRuns)
            statements.Add(ClusterResourcePolicy.Allow("DescribeSweepsAndForceDeletes", ["states:DescribeExecution"],
            [
                arns.SweepExecutionsArn ?? throw new InvalidOperationException($"function {function.Name} reads sweeps, whose executions' ARN was not given"),
                arns.ForceDeleteExecutionsArn ?? throw new InvalidOperationException($"function {function.Name} reads force deletes, whose executions' ARN was not given"),
            ]));
        if (access.Cluster != ClusterPermissions.None)
        {
            // Any account (the tenant registers target accounts at run time, and the product's own account
            // has its cluster-builder role where role-less cloud accounts are allowed), but only roles under
            // our path. The function holds no cluster permission of its own: every session is a role's,
            // tagged with its tenant, project and cluster and narrowed by a session policy.
            statements.Add(ClusterResourcePolicy.Allow("AssumeClusterBuilderRoles", ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
                [$"arn:{CdkAws.PARTITION}:iam::*:role{TargetRolePath}*"]));
        }
        if (access.ReadsOwnInstances)
            statements.Add(ClusterResourcePolicy.AnyResource("DescribeOwnAccountsInstances", "ec2:DescribeInstances"));
        return statements;
    }
}
