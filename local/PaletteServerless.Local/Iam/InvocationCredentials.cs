using Amazon;
using Amazon.Runtime;
using PaletteServerless.Local.StepFunctions.Resources;

namespace PaletteServerless.Local.Iam;

/// <summary>
/// The credentials the AWS SDK's default chain finds in this process: inside a function's
/// invocation, that function's execution-role session (as Lambda puts it in each function's
/// environment); anywhere else, the process environment's (the local stack's administrator).
/// Installed through <see cref="AWSConfigs.AWSCredentialsGenerators"/>, the SDK's documented hook
/// for the default credential search order, so the product's code resolves credentials unchanged.
/// </summary>
public sealed class InvocationCredentials : AWSCredentials
{
    public static void Install() => AWSConfigs.AWSCredentialsGenerators = [() => new InvocationCredentials()];

    public override ImmutableCredentials GetCredentials() =>
        LambdaRegistry.CurrentCredentials is { } function
            ? new ImmutableCredentials(function.AccessKeyId, function.SecretAccessKey, function.SessionToken)
            : new EnvironmentVariablesAWSCredentials().GetCredentials();
}
