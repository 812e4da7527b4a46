using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace PaletteServerless.Domain.CloudAccounts;

/// <summary>
/// The deployer's decisions about cloud accounts: the account the product runs in, and which
/// tenants' admins may register an account without a role (one that builds in the product's own
/// account, through its cluster-builder role there). None may unless the deployer says so.
/// </summary>
public sealed record CloudAccountRules(string ProductAccountId, IReadOnlyList<string> RoleLessTenants)
{
    /// <summary>Any tenant: only for a development bed such as the local stack.</summary>
    public const string AnyTenant = "*";

    /// <summary>The IAM path of the product's function roles: the only principals a cluster-builder role trusts.</summary>
    public const string FunctionRolePath = "/palette-serverless-functions/";

    /// <summary>The path and name of the role the product assumes in every account it builds in.</summary>
    public const string ClusterBuilderRoleName = "palette-serverless/PaletteServerlessClusterBuilder";

    /// <summary>Bytes of entropy in a generated external id (base64url: 43 characters).</summary>
    public const int ExternalIdBytes = 32;

    /// <summary>The comma-separated list of the deployment parameter; blanks ignored.</summary>
    public static IReadOnlyList<string> ParseTenants(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool AllowsRoleLess(string tenant) =>
        RoleLessTenants.Contains(AnyTenant, StringComparer.Ordinal) || RoleLessTenants.Contains(tenant, StringComparer.Ordinal);

    /// <summary>The cluster-builder role of the product's own account: what a role-less cloud account assumes.</summary>
    public string ProductAccountRoleArn => ClusterBuilderRoleArn(ProductAccountId);

    /// <summary>The cluster-builder role an account has once the product's stack (or the target stack) is deployed in it.</summary>
    public static string ClusterBuilderRoleArn(string accountId) => $"arn:aws:iam::{accountId}:role/{ClusterBuilderRoleName}";

    /// <summary>A new external id: 256 random bits, in IAM's alphabet for sts:ExternalId.</summary>
    public static string NewExternalId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(ExternalIdBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// The trust policy a registered role must carry (the target-account stack makes exactly this one):
    /// only the product's function roles, only with this registration's external id; they may tag the
    /// session and set its source identity, which every session of the product does.
    /// </summary>
    public JsonObject TrustPolicy(string externalId)
    {
        JsonObject Statement(string sid, JsonArray actions, JsonObject conditions) => new()
        {
            ["Sid"] = sid,
            ["Effect"] = "Allow",
            ["Principal"] = new JsonObject { ["AWS"] = $"arn:aws:iam::{ProductAccountId}:root" },
            ["Action"] = actions,
            ["Condition"] = conditions,
        };
        JsonObject FunctionRoles() => new() { ["aws:PrincipalArn"] = $"arn:aws:iam::{ProductAccountId}:role{FunctionRolePath}*" };
        return new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new JsonArray(
                Statement("ProductFunctionsWithExternalId", ["sts:AssumeRole"], new JsonObject
                {
                    ["StringEquals"] = new JsonObject { ["sts:ExternalId"] = externalId },
                    ["ArnLike"] = FunctionRoles(),
                }),
                Statement("ProductFunctionsTagSessions", ["sts:TagSession", "sts:SetSourceIdentity"], new JsonObject
                {
                    ["ArnLike"] = FunctionRoles(),
                })),
        };
    }
}

/// <summary>A registration's answer: the account as stored and, for a role, the trust policy its role needs.</summary>
public sealed record RegisteredCloudAccount(CloudAccount Account, JsonObject? TrustPolicy);
