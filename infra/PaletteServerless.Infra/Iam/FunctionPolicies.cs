using Amazon.CDK.AWS.IAM;
using CdkAws = Amazon.CDK.Aws;
using PaletteServerless.Aws.Configuration;

namespace PaletteServerless.Infra.Iam;

/// <summary>The ARNs of the product's own resources that function policies point at.</summary>
public sealed record ProductArns(
    string TableArn,
    string EventBusArn,
    IReadOnlyList<string> StateMachineArns,
    IReadOnlyList<string> ExecutionArns);

/// <summary>
/// The policy table: for every function of <see cref="FunctionCatalog"/>, exactly what it may do.
/// A function that is not in the table fails synth, so a new function can never deploy with
/// borrowed or guessed permissions: whoever adds it decides here what it needs.
/// </summary>
public static class FunctionPolicies
{
    /// <summary>
    /// Workflow steps by the step name their function's name ends with (the longest match wins, so
    /// "DeleteNetwork" is not "Network"). Every step also records in the table, publishes status
    /// events and may assume a target account's role (see <see cref="ForStep"/>).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, ClusterPermissions> Steps = new Dictionary<string, ClusterPermissions>(StringComparer.Ordinal)
    {
        ["Preflight"] = ClusterPermissions.Describe | ClusterPermissions.Quotas,
        ["Network"] = ClusterPermissions.Describe | ClusterPermissions.CreateNetwork,
        ["NatGateways"] = ClusterPermissions.Describe | ClusterPermissions.CreateNetwork,
        ["LoadBalancer"] = ClusterPermissions.Describe | ClusterPermissions.CreateLoadBalancer,
        ["NodePools"] = ClusterPermissions.Describe | ClusterPermissions.CreateInstances,
        ["Readiness"] = ClusterPermissions.Describe,
        ["Status"] = ClusterPermissions.None,
        ["Rollback"] = ClusterPermissions.Describe | ClusterPermissions.DeleteNetwork | ClusterPermissions.DeleteLoadBalancer | ClusterPermissions.DeleteInstances,
        ["DeleteNodePools"] = ClusterPermissions.Describe | ClusterPermissions.DeleteInstances,
        ["DeleteLoadBalancer"] = ClusterPermissions.Describe | ClusterPermissions.DeleteLoadBalancer,
        ["DeleteNatGateways"] = ClusterPermissions.Describe | ClusterPermissions.DeleteNetwork,
        ["DeleteNetwork"] = ClusterPermissions.Describe | ClusterPermissions.DeleteNetwork,
        ["Leftovers"] = ClusterPermissions.Describe | ClusterPermissions.FindTagged,
    };

    /// <summary>DynamoDB item actions the functions use on the one table (no scans, no table-level actions).</summary>
    public static readonly string[] TableItemActions =
        ["dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"];

    /// <summary>Target accounts' roles the product may assume: only those the tenant put under this path.</summary>
    public const string TargetRolePath = "/palette-serverless/";

    public static IReadOnlyList<PolicyStatement> For(FunctionDefinition function, ProductArns arns)
    {
        if (function.Name == FunctionCatalog.Api.Name)
            return ForApi(arns);
        var step = StepOf(function)
            ?? throw new InvalidOperationException(
                $"function {function.Name} is not in the policy table (infra/PaletteServerless.Infra/Iam/FunctionPolicies.cs): " +
                "add its step name with exactly the permissions it needs");
        return ForStep(Steps[step], arns);
    }

    /// <summary>The step-name key a function's name ends with, the longest one; null when none does.</summary>
    public static string? StepOf(FunctionDefinition function) =>
        Steps.Keys
            .Where(step => function.Name.EndsWith(step, StringComparison.Ordinal))
            .OrderByDescending(step => step.Length)
            .FirstOrDefault();

    private static IReadOnlyList<PolicyStatement> ForApi(ProductArns arns) =>
    [
        ClusterResourcePolicy.Allow("ReadWriteTableItems", TableItemActions, [arns.TableArn]),
        ClusterResourcePolicy.Allow("StartWorkflows", ["states:StartExecution"], [.. arns.StateMachineArns]),
        ClusterResourcePolicy.Allow("StopWorkflows", ["states:StopExecution"], [.. arns.ExecutionArns]),
        // Force delete lists what still carries the ownership tag; GetResources has no resource-level
        // permissions ("*" is the only resource IAM accepts) and the call filters on the cluster's uid.
        ClusterResourcePolicy.Allow("FindTaggedResources", ["tag:GetResources"], ["*"]),
    ];

    private static IReadOnlyList<PolicyStatement> ForStep(ClusterPermissions permissions, ProductArns arns) =>
    [
        ClusterResourcePolicy.Allow("ReadWriteTableItems", TableItemActions, [arns.TableArn]),
        ClusterResourcePolicy.Allow("PublishClusterEvents", ["events:PutEvents"], [arns.EventBusArn]),
        // Any account (the tenant registers target accounts at run time), but only roles under our path.
        ClusterResourcePolicy.Allow("AssumeTargetAccountRoles", ["sts:AssumeRole"], [$"arn:{CdkAws.PARTITION}:iam::*:role{TargetRolePath}*"]),
        // The same permissions in the product account, for cloud accounts without a role to assume.
        .. ClusterResourcePolicy.Statements(permissions),
    ];
}
