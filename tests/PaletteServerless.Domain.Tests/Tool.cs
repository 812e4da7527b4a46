using System.Diagnostics;

namespace PaletteServerless.Domain.Tests;

/// <summary>The outcome of one command-line tool run.</summary>
public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Runs a command-line tool the tests check output with (openssl, kubectl, cloud-init,
/// shellcheck); tests/run.sh installs the ones a machine lacks.
/// </summary>
public static class Tool
{
    public static ToolResult TryRun(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within 60 s.");
        }
        return new ToolResult(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Runs the tool and returns its standard output; a non-zero exit fails the test with what it printed.</summary>
    public static string Run(string program, params string[] arguments)
    {
        var result = TryRun(program, arguments);
        result.ExitCode.Should().Be(0, $"{program} {string.Join(' ', arguments)} printed: {result.StandardOutput}{result.StandardError}");
        return result.StandardOutput;
    }
}
