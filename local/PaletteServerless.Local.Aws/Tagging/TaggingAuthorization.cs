using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Tagging;

// How IAM authorizes the Resource Groups Tagging API: the Service Authorization Reference lists no
// resource types for GetResources, GetTagKeys or GetTagValues, so each is one check on "*" (what a
// caller may then see of each resource is not filtered by that resource's own permissions).
public sealed partial class TaggingService : IAuthorizesRequests
{
    /// <summary>The checks IAM makes for one tagging call; null for an operation this service does not answer.</summary>
    public IReadOnlyList<AuthorizationCheck>? Authorizations(AwsCall call) =>
        call.Operation is "GetResources" or "GetTagKeys" or "GetTagValues"
            ? [AuthorizationCheck.Of("tag:" + call.Operation, "*")]
            : null;
}
