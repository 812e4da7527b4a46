using System.CommandLine;
using PaletteServerless.Cli.Commands;

namespace PaletteServerless.Cli;

/// <summary>psctl's entry point, callable in-process: parse, run, and turn every failure into a message and an exit code.</summary>
public static class Psctl
{
    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken ct)
    {
        var root = CommandTree.Build(host);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
                host.Error.WriteLine($"error: {error.Message}");
            var path = string.Join(' ', parsed.CommandResult.Command is var c && c == root ? ["psctl"] : CommandPath(parsed.CommandResult));
            host.Error.WriteLine($"see `{path} --help`");
            return ExitCodes.Usage;
        }
        var configuration = new InvocationConfiguration
        {
            Output = host.Out,
            Error = host.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = host.HandleProcessSignals ? TimeSpan.FromSeconds(3) : null,
        };
        try
        {
            return await parsed.InvokeAsync(configuration, ct);
        }
        catch (CliException ex)
        {
            host.Error.WriteLine($"error: {ex.Message}");
            foreach (var line in ex.Details)
                host.Error.WriteLine(line);
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            host.Error.WriteLine("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex)
        {
            // A bug of psctl still ends in one line, never a stack trace.
            host.Error.WriteLine($"error: {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.ApiError;
        }
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult command)
                names.Push(command.Parent is null ? "psctl" : command.Command.Name);
        return names;
    }
}
