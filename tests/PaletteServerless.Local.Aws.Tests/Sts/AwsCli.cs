using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Testing;

namespace PaletteServerless.Local.Aws.Tests.Sts;

/// <summary>The real AWS CLI against a local AWS host, with no retries, so errors show as they are.</summary>
public static class AwsCli
{
    public static Task<AwsCliResult> RunAsync(LocalAwsHost host, string accessKeyId, params string[] arguments) =>
        AwsCliProcess.RunAsync(host.Url, accessKeyId, arguments, maxAttempts: 1, TimeSpan.FromSeconds(60));
}
