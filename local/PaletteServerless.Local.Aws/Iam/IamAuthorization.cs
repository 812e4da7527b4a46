using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Iam;

// How IAM authorizes the one IAM call the local IAM answers: the Service Authorization Reference
// lists GetInstanceProfile on the instance profile, arn:aws:iam::account:instance-profile/name.
// The ARN follows from the name alone (IAM is global: no region), so the check is made whether
// or not the profile exists, as IAM answers AccessDenied before NoSuchEntity.
public sealed partial class IamService : IAuthorizesRequests
{
    /// <summary>The checks IAM makes for one IAM call; null for an operation the local IAM does not answer.</summary>
    public IReadOnlyList<AuthorizationCheck>? Authorizations(AwsCall call)
    {
        if (call.Operation != "GetInstanceProfile")
            return null;
        return call.Parameters["InstanceProfileName"] is { Length: > 0 } name
            ? [AuthorizationCheck.Of("iam:GetInstanceProfile", $"arn:aws:iam::{call.Account}:instance-profile/{name}")]
            : [];
    }
}
