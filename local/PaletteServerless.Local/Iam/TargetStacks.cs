using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Sts;

namespace PaletteServerless.Local.Iam;

/// <summary>
/// Stands in for a tenant's <c>cdk deploy PaletteServerlessTarget</c> into one of its accounts, with the
/// parameters the product's registration answer gives (PUT /local/accounts/{account}/target-stack):
/// the target stack's roles, policies and key, trusting the product account with that external id,
/// whether or not IAM is enforced (STS checks the external id either way).
/// </summary>
public sealed partial class TargetStacks(StsRoleCatalog roles, string productAccountId, Func<string, string, string, CancellationToken, Task> deployIam)
{
    public async Task<string> DeployAsync(string account, string externalId, string tenant, CancellationToken ct)
    {
        if (!AccountPattern().IsMatch(account))
            throw new ArgumentException($"account '{account}' must be 12 digits");
        if (!ExternalIdPattern().IsMatch(externalId))
            throw new ArgumentException("externalId must be 2 to 1224 characters of letters, digits and +=,.@:/- (the registration's answer)");
        if (!TenantPattern().IsMatch(tenant))
            throw new ArgumentException("tenant must match ^[a-z0-9][a-z0-9-]{0,62}$");
        roles.Seed(new StsRole(account, StsRoleCatalog.DefaultRoleName, externalId, productAccountId));
        await deployIam(account, externalId, tenant, ct);
        return $"arn:aws:iam::{account}:role/{StsRoleCatalog.DefaultRoleName}";
    }

    [GeneratedRegex(@"^\d{12}\z")]
    private static partial Regex AccountPattern();

    [GeneratedRegex(@"^[\w+=,.@:/-]{2,1224}\z")]
    private static partial Regex ExternalIdPattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z")]
    private static partial Regex TenantPattern();
}
