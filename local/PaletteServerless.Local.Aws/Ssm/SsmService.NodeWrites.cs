using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Ssm;

/// <summary>A node's own overwrite of a parameter (<c>aws ssm put-parameter --overwrite</c> with its instance profile), as the service judges and stores it.</summary>
public sealed partial class SsmService
{
    /// <summary>How IAM authorizes an overwrite without tags: ssm:PutParameter on the parameter (its tags, if it exists) and, for a SecureString, KMS Encrypt through SSM.</summary>
    internal static IEnumerable<AuthorizationCheck> OverwriteChecks(LocalAws? aws, string account, string region, string arn, SsmParameter? existing, string type, string keyId)
    {
        yield return AuthorizationCheck.Of("ssm:PutParameter", arn, AuthorizationContext.Empty().WithResourceTags(existing?.Tags ?? [], "ssm"));
        if (type == "SecureString")
            foreach (var check in KeyUse(aws, account, region, "kms:Encrypt", keyId, arn))
                yield return check;
    }

    /// <summary>
    /// Stores a new version of an existing parameter as PutParameter with Overwrite and Intelligent-Tiering does; false
    /// when SSM would refuse it (the value too long for the advanced tier, or the type not the parameter's).
    /// </summary>
    internal static bool Overwrite(SsmParameter parameter, string account, string region, string type, string keyId, string value, DateTimeOffset now)
    {
        if (parameter.ParameterType != type || value.Length is 0 or > MaxAdvancedValueLength)
            return false;
        if (value.Length > MaxStandardValueLength)
            parameter.Tier = "Advanced";
        var version = parameter.Versions.Count == 0 ? 1 : parameter.Current.Version + 1;
        var stored = type == "SecureString" ? SsmEncryption.Encrypt(account, region, keyId, value) : value;
        parameter.Versions.Add(new SsmParameterVersion(version, stored, type == "SecureString" ? keyId : null, now, parameter.Description));
        if (parameter.Versions.Count > MaxVersions)
            parameter.Versions.RemoveAt(0);
        return true;
    }

    /// <summary>The ARN a parameter of that name has (or would have) in the account and region.</summary>
    internal static string ArnOf(string account, string region, string name) => $"arn:aws:ssm:{region}:{account}:parameter{(name.StartsWith('/') ? "" : "/")}{name}";
}
