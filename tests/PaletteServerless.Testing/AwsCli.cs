using System.Diagnostics;
using System.Text.Json;

namespace PaletteServerless.Testing;

/// <summary>The outcome of one AWS CLI command.</summary>
public sealed record AwsCliResult(int ExitCode, string StandardOutput, string StandardError)
{
    public JsonElement Json => JsonDocument.Parse(StandardOutput).RootElement;
}

/// <summary>
/// Runs the real AWS CLI against a local endpoint with <c>--endpoint-url</c>, as a user would, with
/// none of this runner's own AWS settings (profile, endpoint, session) leaking into the command.
/// </summary>
public static class AwsCliProcess
{
    /// <param name="maxAttempts">AWS_MAX_ATTEMPTS (1: no retries, so errors show as they are); null keeps the CLI's default.</param>
    /// <param name="secretAccessKey">The secret of the key; any works for a key the local IAM did not issue.</param>
    /// <param name="sessionToken">The session token of issued credentials (a principal of /local/iam/principals).</param>
    public static async Task<AwsCliResult> RunAsync(string endpoint, string accessKeyId, IEnumerable<string> arguments, int? maxAttempts, TimeSpan timeout,
        string secretAccessKey = "test", string? sessionToken = null)
    {
        var start = new ProcessStartInfo("aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments.Concat(["--endpoint-url", endpoint, "--output", "json"]))
            start.ArgumentList.Add(argument);
        start.Environment["AWS_ACCESS_KEY_ID"] = accessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = secretAccessKey;
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        if (maxAttempts is { } attempts)
            start.Environment["AWS_MAX_ATTEMPTS"] = attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["AWS_PAGER"] = "";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        foreach (var name in new[] { "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_REGION" })
            start.Environment.Remove(name);
        if (sessionToken is not null)
            start.Environment["AWS_SESSION_TOKEN"] = sessionToken;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The AWS CLI could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return new AwsCliResult(process.ExitCode, await output, await error);
    }
}
