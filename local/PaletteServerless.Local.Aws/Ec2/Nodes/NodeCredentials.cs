using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;
using PaletteServerless.Local.Aws.Ssm;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>What the local IAM says of one of a node's own calls.</summary>
public enum NodeCallAnswer
{
    Allowed,
    Refused,
    /// <summary>Not decided yet: the call is made again at the node's next step.</summary>
    Pending,
}

/// <summary>
/// What a node's own AWS calls (its secrets script's SSM reads, its phase reports' CreateTags) may
/// do: they are signed with the credentials IMDS hands the instance for its profile's role, so with
/// the local IAM on they are evaluated as that principal, and refused as AWS would refuse them. An
/// instance launched without a profile has no credentials: its AWS CLI finds none.
///
/// The node model runs under the local AWS's store lock, where no I/O may wait: an answer the
/// evaluator has not given yet is asked for in the background and the call is Pending; the node
/// makes it again as soon as the answer is in (its reports keep their modelled times), as a real
/// node's AWS CLI gets its answer within its call.
/// </summary>
public sealed class NodeCredentials(LocalAws aws, AwsWorld world)
{
    /// <summary>The local AWS whose IAM judges the node's calls (its keys for SSM's KMS checks).</summary>
    public LocalAws Aws => aws;

    /// <summary>How IAM authorizes the secrets script's reads: ssm:GetParameter of each, decrypted.</summary>
    public IReadOnlyList<AuthorizationCheck> SecretReads(IEnumerable<SsmParameter> parameters) =>
        [.. parameters.SelectMany(p => SsmService.ReadChecks(aws, world.Account, world.Region, p, "ssm:GetParameter", withDecryption: true))];

    /// <summary>How IAM authorizes an agent's read of one parameter: ssm:GetParameter (a String: no key).</summary>
    public IReadOnlyList<AuthorizationCheck> ParameterRead(SsmParameter parameter) =>
        [.. SsmService.ReadChecks(aws, world.Account, world.Region, parameter, "ssm:GetParameter", withDecryption: false)];

    public NodeCallAnswer Answer(Instance instance, IReadOnlyList<AuthorizationCheck> checks, out string? refusal)
    {
        refusal = null;
        if (aws.Iam is not { Enabled: true } iam)
            return NodeCallAnswer.Allowed;
        if (instance.IamInstanceProfileArn is not { } profileArn)
        {
            refusal = "Unable to locate credentials (the instance has no instance profile)";
            return NodeCallAnswer.Refused;
        }
        var principal = iam.IssuedInstancePrincipal(world.Account, instance.Id);
        if (principal is null)
        {
            var profile = profileArn[(profileArn.LastIndexOf('/') + 1)..];
            iam.InBackground($"principal {world.Account}/{instance.Id}",
                () => iam.InstancePrincipalAsync(world.Account, world.Region, instance.Id, profile, instance.VpcId, CancellationToken.None), () => AdvanceSoon(instance.Id));
            return NodeCallAnswer.Pending;
        }
        var (known, denial) = iam.TryAuthorizeCached(principal, checks);
        if (!known)
        {
            iam.InBackground($"authorize {principal.SessionArn} {string.Join(' ', checks.Select(c => c.Action + " " + c.Resource))}",
                () => iam.AuthorizeAsync(principal, checks, CancellationToken.None), () => AdvanceSoon(instance.Id));
            return NodeCallAnswer.Pending;
        }
        if (denial is null)
            return NodeCallAnswer.Allowed;
        refusal = $"{(checks[0].Action.StartsWith("ec2:", StringComparison.Ordinal) ? "UnauthorizedOperation" : "AccessDeniedException")}: {denial.Message}";
        return NodeCallAnswer.Refused;
    }

    /// <summary>Once an answer is in, the node moves on at once, as a real node's call returns with its answer.</summary>
    private void AdvanceSoon(string instanceId)
    {
        lock (aws.Store.Sync)
            NodeAgent.Advance(world, aws.Clock.GetUtcNow(), aws.Latency, aws.Faults, this, only: instanceId);
    }
}
