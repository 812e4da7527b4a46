using Amazon.CDK.AWS.IAM;
using CdkAws = Amazon.CDK.Aws;
using PaletteServerless.Aws.Configuration;

namespace PaletteServerless.Infra.Iam;

/// <summary>The ARNs of the product's own resources that function policies point at.</summary>
public sealed record ProductArns(
    string TableArn,
    string EventBusArn,
    IReadOnlyList<string> StateMachineArns,
    IReadOnlyList<string> ExecutionArns,
    string ProvisionExecutionsArn);

/// <summary>
/// The policy table: for every function of <see cref="FunctionCatalog"/>, exactly what it may do.
/// A function that is not in the table fails synth, so a new function can never deploy with
/// borrowed or guessed permissions: whoever adds it decides here what it needs.
/// </summary>
public static class FunctionPolicies
{
    /// <summary>
    /// Every workflow step function by name, with what it does to cluster resources. Every step
    /// also reads and writes the table and publishes status events; a step with cluster permissions
    /// also opens a cloud session, so it may assume a target account's role (see <see cref="ForStep"/>).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, StepAccess> Steps = new Dictionary<string, StepAccess>(StringComparer.Ordinal)
    {
        // Provisioning
        ["StartProvisioning"] = new(ClusterPermissions.None),
        ["Preflight"] = new(ClusterPermissions.Describe),
        ["Network"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateNetwork),
        ["LoadBalancer"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateLoadBalancer),
        ["LoadBalancerCheck"] = new(ClusterPermissions.Describe),
        ["NatGateways"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateNetwork),
        // Adds the private routes once the NAT gateways are available.
        ["NatGatewaysCheck"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateNetwork),
        ["NodePools"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateInstances),
        ["NodePoolsCheck"] = new(ClusterPermissions.Describe),
        // Registers the control-plane instances with the load balancer's target group.
        ["ControlPlaneTargets"] = new(ClusterPermissions.Describe | ClusterPermissions.CreateLoadBalancer),
        ["MarkRunning"] = new(ClusterPermissions.None),
        ["MarkFailed"] = new(ClusterPermissions.None),
        // Deletion
        ["StartDeletion"] = new(ClusterPermissions.None, StopsProvisioning: true),
        // Deletes everything the cluster owns, and lists what still carries its tag.
        ["Teardown"] = new(ClusterPermissions.Describe | ClusterPermissions.DeleteNetwork | ClusterPermissions.DeleteLoadBalancer
            | ClusterPermissions.DeleteInstances | ClusterPermissions.FindTagged),
        ["ForceDeleteEligible"] = new(ClusterPermissions.None),
        ["MarkDeleted"] = new(ClusterPermissions.None),
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
        return Steps.TryGetValue(function.Name, out var access)
            ? ForStep(access, arns)
            : throw new InvalidOperationException(
                $"function {function.Name} is not in the policy table (infra/PaletteServerless.Infra/Iam/FunctionPolicies.cs): " +
                "add it with exactly the permissions it needs");
    }

    private static IReadOnlyList<PolicyStatement> ForApi(ProductArns arns) =>
    [
        ClusterResourcePolicy.Allow("ReadWriteTableItems", TableItemActions, [arns.TableArn]),
        ClusterResourcePolicy.Allow("StartWorkflows", ["states:StartExecution"], [.. arns.StateMachineArns]),
        ClusterResourcePolicy.Allow("StopWorkflows", ["states:StopExecution"], [.. arns.ExecutionArns]),
        // Force delete lists what still carries the ownership tag; GetResources has no resource-level
        // permissions ("*" is the only resource IAM accepts) and the call filters on the cluster's uid.
        ClusterResourcePolicy.Allow("FindTaggedResources", ["tag:GetResources"], ["*"]),
    ];

    private static IReadOnlyList<PolicyStatement> ForStep(StepAccess access, ProductArns arns)
    {
        List<PolicyStatement> statements =
        [
            ClusterResourcePolicy.Allow("ReadWriteTableItems", TableItemActions, [arns.TableArn]),
            ClusterResourcePolicy.Allow("PublishClusterEvents", ["events:PutEvents"], [arns.EventBusArn]),
        ];
        if (access.StopsProvisioning)
            statements.Add(ClusterResourcePolicy.Allow("StopProvisioning", ["states:DescribeExecution", "states:StopExecution"], [arns.ProvisionExecutionsArn]));
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

/// <summary>What one workflow step needs beyond the table and the event bus.</summary>
public sealed record StepAccess(ClusterPermissions Cluster, bool StopsProvisioning = false);
