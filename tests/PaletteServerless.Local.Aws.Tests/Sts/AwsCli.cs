using System.Diagnostics;
using System.Text.Json;
using PaletteServerless.Local.Aws.Tests.Core;

namespace PaletteServerless.Local.Aws.Tests.Sts;

/// <summary>The outcome of one AWS CLI command.</summary>
public sealed record AwsCliResult(int ExitCode, string StandardOutput, string StandardError)
{
    public JsonElement Json => JsonDocument.Parse(StandardOutput).RootElement;
}

/// <summary>
/// Runs the real AWS CLI against a local AWS host with <c>--endpoint-url</c>, credentials and
/// region from the environment, as a user would. No retries, so errors show as they are.
/// </summary>
public static class AwsCli
{
    public static async Task<AwsCliResult> RunAsync(LocalAwsHost host, string accessKeyId, params string[] arguments)
    {
        var start = new ProcessStartInfo("aws")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(host.Url);
        start.ArgumentList.Add("--output");
        start.ArgumentList.Add("json");
        start.Environment["AWS_ACCESS_KEY_ID"] = accessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_MAX_ATTEMPTS"] = "1";
        start.Environment["AWS_PAGER"] = "";
        // Keep the user's own profile and endpoint settings out of the test.
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment.Remove("AWS_PROFILE");
        start.Environment.Remove("AWS_ENDPOINT_URL");
        start.Environment.Remove("AWS_SESSION_TOKEN");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The AWS CLI could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new AwsCliResult(process.ExitCode, await output, await error);
    }
}
