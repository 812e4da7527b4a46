namespace PaletteServerless.Cli;

/// <summary>psctl's exit codes (cli/README.md).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The API refused (problem details), or an awaited end state was not reached.</summary>
    public const int ApiError = 1;
    /// <summary>The command line, a file or a confirmation was wrong; nothing was sent.</summary>
    public const int Usage = 2;
    /// <summary>The endpoint could not be reached.</summary>
    public const int Connection = 3;
    /// <summary>Ctrl+C stopped waiting (the operation goes on).</summary>
    public const int Interrupted = 130;
}

/// <summary>A failure psctl explains in a few lines and maps to an exit code; never a stack trace.</summary>
public class CliException(int exitCode, string message, IReadOnlyList<string>? details = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
    public IReadOnlyList<string> Details { get; } = details ?? [];

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
