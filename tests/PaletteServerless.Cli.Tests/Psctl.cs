using System.Text;

namespace PaletteServerless.Cli.Tests;

/// <summary>What one psctl run printed and returned.</summary>
public sealed record PsctlResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs psctl's entry point in this process as a user would run the tool: its own config folder,
/// environment and stdin, captured stdout and stderr, and a terminal or not.
/// </summary>
public sealed class PsctlUser : IDisposable
{
    public string ConfigDirectory { get; } = Directory.CreateTempSubdirectory("psctl-test-").FullName;
    public Dictionary<string, string> Environment { get; } = [];
    public string WorkDirectory => ConfigDirectory;

    public PsctlUser(Uri? endpoint = null)
    {
        if (endpoint is not null)
            Environment["PSCTL_ENDPOINT"] = endpoint.ToString();
    }

    public Task<PsctlResult> RunAsync(params string[] args) => RunAsync(args, terminal: false);

    public async Task<PsctlResult> RunAsync(string[] args, bool terminal, string stdin = "", Action<string, CancellationTokenSource>? onOutput = null)
    {
        using var cancel = new CancellationTokenSource();
        var output = new WatchedWriter(text => onOutput?.Invoke(text, cancel));
        var error = new StringWriter();
        var host = new CliHost
        {
            Out = output,
            Error = error,
            In = new StringReader(stdin),
            Environment = name => Environment.GetValueOrDefault(name),
            ConfigDirectory = ConfigDirectory,
            OutputIsTerminal = terminal,
            PollInterval = TimeSpan.FromMilliseconds(100),
        };
        var exitCode = await Cli.Psctl.RunAsync(args, host, cancel.Token);
        return new PsctlResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Writes a spec file into this user's folder and returns its path.</summary>
    public string File(string name, string text)
    {
        var path = Path.Combine(WorkDirectory, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(ConfigDirectory, recursive: true);

    /// <summary>A string writer that tells every write to a listener (a test's Ctrl+C trigger).</summary>
    private sealed class WatchedWriter(Action<string> written) : StringWriter(new StringBuilder())
    {
        public override void Write(char value)
        {
            base.Write(value);
            written(value.ToString());
        }

        public override void Write(string? value)
        {
            base.Write(value);
            written(ToString());
        }

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            written(ToString());
        }
    }
}
