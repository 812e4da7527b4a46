using System.Diagnostics;
using System.Text.Json;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>The real AWS CLI against a local stack endpoint, with no settings from this runner's environment.</summary>
public static class AwsCli
{
    public static async Task<JsonElement> RunAsync(Uri endpoint, params string[] arguments)
    {
        var start = new ProcessStartInfo("aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments.Concat(["--endpoint-url", endpoint.ToString(), "--output", "json"]))
            start.ArgumentList.Add(argument);
        start.Environment["AWS_ACCESS_KEY_ID"] = "000000000000";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "cli";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_PAGER"] = "";
        start.Environment.Remove("AWS_ENDPOINT_URL");
        start.Environment.Remove("AWS_SESSION_TOKEN");
        start.Environment.Remove("AWS_REGION");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.Should().Be(0, $"aws {string.Join(' ', arguments)} said: {await error}");
        return JsonDocument.Parse(await output).RootElement;
    }
}
