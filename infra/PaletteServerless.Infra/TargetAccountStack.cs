using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;
using PaletteServerless.Infra.Iam;

namespace PaletteServerless.Infra;

/// <summary>
/// What a tenant deploys in each AWS account clusters are built in (the product doc's "Add AWS
/// Account"): one role, under the path the product's steps may assume, trusting only the product's
/// account and only with the external id registered with the cloud account, allowed exactly what
/// the workflow steps do, all of it fenced by the ownership tag; and what the nodes need to read
/// their cluster's secrets (<see cref="NodeAccess"/>).
/// </summary>
public sealed class TargetAccountStack : Stack
{
    /// <summary>A fixed name, so the ARN to register is predictable: arn:aws:iam::&lt;account&gt;:role/palette-serverless/PaletteServerlessClusterBuilder.</summary>
    public const string RoleName = "PaletteServerlessClusterBuilder";

    public Role Role { get; }
    public NodeAccess Nodes { get; }

    public TargetAccountStack(Construct scope, string id, IStackProps? props = null) : base(scope, id, props)
    {
        var productAccountId = new CfnParameter(this, "ProductAccountId", new CfnParameterProps
        {
            Type = "String",
            AllowedPattern = "^\\d{12}$",
            Description = "The account PaletteServerless runs in (output ProductAccountId of the product stack)",
        });
        var externalId = new CfnParameter(this, "ExternalId", new CfnParameterProps
        {
            Type = "String",
            NoEcho = true,
            // IAM's rule for sts:ExternalId; the product's cloud-account validation uses the same one.
            AllowedPattern = "^[\\w+=,.@:/-]{2,1224}$",
            Description = "A secret you choose and register with the cloud account (externalId): protects against the confused deputy",
        });

        var tenant = new CfnParameter(this, "Tenant", new CfnParameterProps
        {
            Type = "String",
            // A tenant is one segment of the parameters' path (SSM: letters, digits, . - _).
            AllowedPattern = "^[A-Za-z0-9_.-]{1,128}$",
            Description = "The tenant whose clusters run in this account: their nodes may read only parameters under /palette-serverless/<tenant>/",
        });
        Nodes = new NodeAccess(this, "Nodes", tenant.ValueAsString);

        Role = new Role(this, "ClusterBuilderRole", new RoleProps
        {
            RoleName = RoleName,
            Path = FunctionPolicies.TargetRolePath,
            Description = "Assumed by PaletteServerless to build and delete clusters in this account",
            AssumedBy = new AccountPrincipal(productAccountId.ValueAsString),
            ExternalIds = [externalId.ValueAsString],
            MaxSessionDuration = Duration.Hours(1),
            ManagedPolicies = ClusterResourcePolicies(),
        });

        _ = new CfnOutput(this, "RoleArn", new CfnOutputProps
        {
            Value = Role.RoleArn,
            Description = "roleArn to register as a cloud account (POST /v1/projects/{project}/cloudaccounts)",
        });
    }

    /// <summary>
    /// Every cluster permission, as customer managed policies: IAM caps a role's inline policies at
    /// 10,240 characters in all, which the whole set outgrows, and a managed policy at 6,144, so the
    /// statements are split evenly over as few managed policies as keep each well under that.
    /// </summary>
    private IManagedPolicy[] ClusterResourcePolicies()
    {
        const int Parts = 3;
        var statements = ClusterResourcePolicy.Statements(ClusterPermissions.All).ToArray();
        return [.. statements.Chunk((statements.Length + Parts - 1) / Parts).Select((part, i) => (IManagedPolicy)new ManagedPolicy(this, $"ClusterResources{i + 1}", new ManagedPolicyProps
        {
            Path = FunctionPolicies.TargetRolePath,
            Description = $"PaletteServerless cluster permissions, part {i + 1} of {Parts}",
            Statements = part,
        }))];
    }

}
