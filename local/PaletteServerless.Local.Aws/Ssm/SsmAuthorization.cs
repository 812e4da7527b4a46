using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Ssm;

/// <summary>
/// How IAM authorizes Parameter Store calls (Service Authorization Reference, "AWS Systems Manager"):
/// each on the parameter's ARN, with its tags as <c>aws:ResourceTag/*</c> and SSM's own
/// <c>ssm:resourceTag/*</c>; GetParametersByPath on the path. Creating with tags is authorized as
/// ssm:AddTagsToResource too. A SecureString is encrypted and decrypted by SSM calling KMS on the
/// caller's behalf, so the caller also needs kms:Encrypt or kms:Decrypt on the key, with
/// kms:ViaService = ssm.&lt;region&gt;.amazonaws.com and the parameter's ARN as encryption context
/// (the Parameter Store guide, "How AWS Systems Manager Parameter Store uses AWS KMS").
/// </summary>
public sealed partial class SsmService
{
    public IReadOnlyList<AuthorizationCheck>? Authorizations(AwsCall call)
    {
        var request = JsonBody.Parse(call);
        var checks = new List<AuthorizationCheck>();
        switch (call.Operation)
        {
            case "PutParameter":
            {
                var name = Required(request, "Name");
                var existing = Find(call, name);
                var tags = ReadTags(request["Tags"]) ?? [];
                var context = AuthorizationContext.Empty().WithRequestTags(tags).WithResourceTags(existing?.Tags ?? [], "ssm");
                checks.Add(AuthorizationCheck.Of("ssm:PutParameter", Arn(call, name), context));
                if (tags.Count > 0)
                    checks.Add(AuthorizationCheck.Of("ssm:AddTagsToResource", Arn(call, name), AuthorizationContext.Empty().WithRequestTags(tags)));
                if ((Text(request, "Type") ?? existing?.ParameterType) == "SecureString")
                    checks.AddRange(KeyUse(call.Aws, call.Account, call.Region, "kms:Encrypt", Text(request, "KeyId") ?? existing?.Current.KeyId, Arn(call, name)));
                break;
            }
            case "GetParameter":
                AddReads(call, checks, "ssm:GetParameter", [Required(request, "Name")], WithDecryption(request));
                break;
            case "GetParameters":
                AddReads(call, checks, "ssm:GetParameters", Names(request), WithDecryption(request));
                break;
            case "GetParametersByPath":
            {
                var path = Required(request, "Path").TrimEnd('/');
                checks.Add(AuthorizationCheck.Of("ssm:GetParametersByPath", Arn(call, path.Length == 0 ? "/" : path)));
                if (WithDecryption(request))
                    foreach (var parameter in call.World.All<SsmParameter>().Where(p => p.ParameterType == "SecureString" && p.Name.StartsWith(path + "/", StringComparison.Ordinal)))
                        checks.AddRange(KeyUse(call.Aws, call.Account, call.Region, "kms:Decrypt", parameter.Current.KeyId, parameter.Arn));
                break;
            }
            case "DeleteParameter":
                AddExisting(call, checks, "ssm:DeleteParameter", [Required(request, "Name")]);
                break;
            case "DeleteParameters":
                AddExisting(call, checks, "ssm:DeleteParameters", Names(request));
                break;
            case "AddTagsToResource":
            case "RemoveTagsFromResource":
            case "ListTagsForResource":
            {
                var parameter = Find(call, Required(request, "ResourceId"));
                if (parameter is null)
                    break;
                var context = AuthorizationContext.Empty().WithResourceTags(parameter.Tags, "ssm");
                if (call.Operation == "AddTagsToResource")
                    context.WithRequestTags(ReadTags(request["Tags"]) ?? []);
                if (call.Operation == "RemoveTagsFromResource" && request["TagKeys"] is JsonArray keys)
                    context["aws:TagKeys"] = [.. keys.Select(k => (string?)k).OfType<string>()];
                checks.Add(AuthorizationCheck.Of("ssm:" + call.Operation, parameter.Arn, context));
                break;
            }
            default:
                return null;
        }
        return checks;
    }

    private static void AddReads(AwsCall call, List<AuthorizationCheck> checks, string action, IEnumerable<string> names, bool withDecryption)
    {
        // A parameter that does not exist is not authorized on: the read reports it missing.
        foreach (var name in names.Distinct(StringComparer.Ordinal))
            if (Find(call, name) is { } parameter)
                checks.AddRange(ReadChecks(call.Aws, call.Account, call.Region, parameter, action, withDecryption));
    }

    /// <summary>A read of one parameter: the action on it, and KMS's Decrypt through SSM for a SecureString read decrypted.</summary>
    internal static IEnumerable<AuthorizationCheck> ReadChecks(LocalAws? aws, string account, string region, SsmParameter parameter, string action, bool withDecryption)
    {
        yield return AuthorizationCheck.Of(action, parameter.Arn, AuthorizationContext.Empty().WithResourceTags(parameter.Tags, "ssm"));
        if (withDecryption && parameter.ParameterType == "SecureString")
            foreach (var check in KeyUse(aws, account, region, "kms:Decrypt", parameter.Current.KeyId, parameter.Arn))
                yield return check;
    }

    private static void AddExisting(AwsCall call, List<AuthorizationCheck> checks, string action, IEnumerable<string> names)
    {
        foreach (var name in names.Distinct(StringComparer.Ordinal))
            if (Find(call, name) is { } parameter)
                checks.Add(AuthorizationCheck.Of(action, parameter.Arn, AuthorizationContext.Empty().WithResourceTags(parameter.Tags, "ssm")));
    }

    /// <summary>
    /// SSM's call to KMS for the caller. The AWS managed key <c>alias/aws/ssm</c> allows every
    /// principal of the account through SSM, so only customer managed keys are checked.
    /// </summary>
    private static IEnumerable<AuthorizationCheck> KeyUse(LocalAws? aws, string account, string region, string action, string? keyId, string parameterArn)
    {
        if (keyId is null or SsmEncryption.DefaultKeyId || aws?.Iam?.KeyArnOf(account, region, keyId) is not { } keyArn)
            yield break;
        var context = AuthorizationContext.Empty()
            .With("kms:ViaService", $"ssm.{region}.amazonaws.com")
            .With("kms:CallerAccount", account)
            .With("kms:EncryptionContext:PARAMETER_ARN", parameterArn)
            .With("kms:EncryptionContextKeys", "PARAMETER_ARN");
        if (keyId.StartsWith("alias/", StringComparison.Ordinal))
            context["kms:ResourceAliases"] = [keyId];
        else
            context["kms:ResourceAliases"] = [.. aws.Iam!.AliasesOf(keyArn)];
        yield return AuthorizationCheck.Of(action, keyArn, context);
    }
}
