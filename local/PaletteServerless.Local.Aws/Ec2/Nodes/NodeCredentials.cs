using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;
using PaletteServerless.Local.Aws.Ssm;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>
/// What a node's own AWS calls (its secrets script's SSM reads, its phase reports' CreateTags) may
/// do: they are signed with the credentials IMDS hands the instance for its profile's role, so with
/// the local IAM on they are evaluated as that principal, and refused as AWS would refuse them. An
/// instance launched without a profile has no credentials: its AWS CLI finds none.
/// </summary>
public sealed class NodeCredentials(LocalAws aws, AwsWorld world)
{
    /// <summary>How IAM authorizes the secrets script's reads: ssm:GetParameter of each, decrypted.</summary>
    public IReadOnlyList<AuthorizationCheck> SecretReads(IEnumerable<SsmParameter> parameters) =>
        [.. parameters.SelectMany(p => SsmService.ReadChecks(aws, world.Account, world.Region, p, "ssm:GetParameter", withDecryption: true))];

    /// <summary>AWS's refusal of the node's call, or null when it is allowed (or IAM is not enforced).</summary>
    public string? Refusal(Instance instance, IReadOnlyList<AuthorizationCheck> checks)
    {
        if (aws.Iam is not { Enabled: true } iam)
            return null;
        if (instance.IamInstanceProfileArn is not { } profileArn)
            return "Unable to locate credentials (the instance has no instance profile)";
        var profile = profileArn[(profileArn.LastIndexOf('/') + 1)..];
        // The node's calls are made while the local AWS applies time under its store lock: they go to
        // the evaluator synchronously (the tasks come back complete), and it answers from its cache
        // after the first call of each kind.
        var principal = iam.InstancePrincipalAsync(world.Account, world.Region, instance.Id, profile, instance.VpcId, CancellationToken.None, synchronous: true)
            .GetAwaiter().GetResult();
        if (principal is null)
            return $"Unable to locate credentials (the instance profile {profile} has no role)";
        return iam.AuthorizeAsync(principal, checks, CancellationToken.None, synchronous: true).GetAwaiter().GetResult() is { } denial
            ? $"{(checks[0].Action.StartsWith("ec2:", StringComparison.Ordinal) ? "UnauthorizedOperation" : "AccessDeniedException")}: {denial.Message}"
            : null;
    }
}
