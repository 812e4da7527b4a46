using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Infra.Iam;
using PaletteServerless.Manifest;
using CdkAws = Amazon.CDK.Aws;

namespace PaletteServerless.Infra;

/// <summary>
/// The role the product assumes in an account it builds in: under the path the product's functions
/// may assume, trusted only by the product's function roles (<see cref="CloudAccountRules.FunctionRolePath"/>),
/// with the registration's external id where one is given (a target account; the product's own account
/// has no third party to guard against), allowed exactly what the workflow steps do, each mutation only
/// on resources whose ownership tag equals the session's cluster uid tag (<see cref="ClusterResourcePolicy"/>).
/// The trust is what <see cref="CloudAccountRules.TrustPolicy"/> hands the admin who registers the role.
/// </summary>
public sealed class ClusterBuilderRole : Construct
{
    /// <summary>The name under the path, so the ARN to register is predictable.</summary>
    public const string RoleName = "PaletteServerlessClusterBuilder";

    public Role Role { get; }

    public IReadOnlyList<CfnResource> Resources { get; }

    /// <param name="productAccountId">The account whose function roles may assume this role.</param>
    /// <param name="externalId">The sts:ExternalId to require, or null for none (the product's own account).</param>
    public ClusterBuilderRole(Construct scope, string id, string productAccountId, string? externalId) : base(scope, id)
    {
        var functionRoles = new Dictionary<string, object>
        {
            ["ArnLike"] = new Dictionary<string, object>
            {
                ["aws:PrincipalArn"] = $"arn:{CdkAws.PARTITION}:iam::{productAccountId}:role{CloudAccountRules.FunctionRolePath}*",
            },
        };
        var assume = new Dictionary<string, object>(functionRoles);
        if (externalId is not null)
            assume["StringEquals"] = new Dictionary<string, object> { ["sts:ExternalId"] = externalId };
        var policies = ClusterResourcePolicies();
        Role = new Role(this, "Role", new RoleProps
        {
            RoleName = RoleName,
            Path = FunctionPolicies.TargetRolePath,
            Description = "Assumed by PaletteServerless to build and delete clusters in this account",
            AssumedBy = new PrincipalWithConditions(new AccountPrincipal(productAccountId), assume),
            MaxSessionDuration = Duration.Hours(1),
            ManagedPolicies = policies,
        });
        // Every session of the product carries its scope as tags and a source identity; these need no
        // external id of their own (AssumeRole's statement demands it of the same call).
        Role.AssumeRolePolicy!.AddStatements(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ProductFunctionsTagSessions",
            Effect = Effect.ALLOW,
            Principals = [new AccountPrincipal(productAccountId)],
            Actions = ["sts:TagSession", "sts:SetSourceIdentity"],
            Conditions = functionRoles,
        }));
        Resources = [(CfnResource)Role.Node.DefaultChild!, .. policies.Select(p => (CfnResource)p.Node.DefaultChild!)];
    }

    /// <summary>
    /// Every cluster permission, as customer managed policies: IAM caps a role's inline policies at
    /// 10,240 characters in all, which the whole set outgrows, and a managed policy at 6,144, so the
    /// statements are split evenly over as few managed policies as keep each well under that.
    /// </summary>
    private ManagedPolicy[] ClusterResourcePolicies()
    {
        const int Parts = 4;
        var statements = ClusterResourcePolicy.Statements(ClusterPermissions.All).ToArray();
        return [.. statements.Chunk((statements.Length + Parts - 1) / Parts).Select((part, i) => new ManagedPolicy(this, $"ClusterResources{i + 1}", new ManagedPolicyProps
        {
            Path = FunctionPolicies.TargetRolePath,
            Description = $"PaletteServerless cluster permissions, part {i + 1} of {Parts}",
            Statements = part,
        }))];
    }
}
