using System.Text.RegularExpressions;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.CloudAccounts;

/// <summary>
/// An AWS account the product may build in. Only a role to assume is kept, never a secret:
/// absent <see cref="RoleArn"/> means "the account the product runs in, with its own role".
/// </summary>
public sealed record CloudAccount
{
    public string? Name { get; init; }
    public string? RoleArn { get; init; }
    /// <summary>The sts:ExternalId the role's trust policy requires (confused-deputy protection).</summary>
    public string? ExternalId { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The 12-digit account id in <see cref="RoleArn"/>, or null for the product's own account.</summary>
    public string? AccountId => RoleArn is null ? null : RoleArn.Split(':')[4];
}

public static partial class CloudAccountValidator
{
    public static CloudAccount Validate(CloudAccount account)
    {
        var rules = new Rules();
        rules.DnsLabel("name", account.Name, 1, 63);
        if (account.RoleArn is not null && !RoleArnPattern().IsMatch(account.RoleArn))
            rules.Add("roleArn", "must be the ARN of an IAM role, such as arn:aws:iam::123456789012:role/palette-serverless/PaletteServerlessClusterBuilder");
        if (account.ExternalId is not null)
        {
            // IAM's rule for sts:ExternalId.
            if (!ExternalIdPattern().IsMatch(account.ExternalId))
                rules.Add("externalId", "must be 2 to 1224 characters of letters, digits and +=,.@:/-");
            if (account.RoleArn is null)
                rules.Add("externalId", "is only meaningful with a roleArn");
        }
        rules.ThrowIfInvalid();
        return account;
    }

    [GeneratedRegex(@"^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]{1,512}\z")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@:/-]{2,1224}\z")]
    private static partial Regex ExternalIdPattern();
}
