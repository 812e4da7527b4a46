namespace PaletteServerless.Cli;

/// <summary>
/// Everything psctl takes from the process it runs in, so that tests can run it in-process with
/// their own streams, environment, config folder and terminal answer.
/// </summary>
public sealed class CliHost
{
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }
    public required TextReader In { get; init; }

    /// <summary>Reads an environment variable (PSCTL_ENDPOINT, PSCTL_TOKEN, PSCTL_PROJECT).</summary>
    public required Func<string, string?> Environment { get; init; }

    /// <summary>The folder of psctl's config file (the user's config directory + /psctl).</summary>
    public required string ConfigDirectory { get; init; }

    /// <summary>Whether stdout is a terminal: live display and colours only then, plain lines otherwise.</summary>
    public required bool OutputIsTerminal { get; init; }

    /// <summary>How often --wait and --watch poll the API.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>True for the real process: System.CommandLine then turns Ctrl+C into cancellation.</summary>
    public bool HandleProcessSignals { get; init; }

    public static CliHost FromProcess() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        Environment = System.Environment.GetEnvironmentVariable,
        ConfigDirectory = Path.Combine(
            System.Environment.GetFolderPath(System.Environment.SpecialFolder.ApplicationData, System.Environment.SpecialFolderOption.DoNotVerify),
            "psctl"),
        OutputIsTerminal = !Console.IsOutputRedirected,
        HandleProcessSignals = true,
    };
}
