using Spectre.Console;

namespace PaletteServerless.Cli.Output;

/// <summary>
/// The Spectre console psctl writes through: colours and the live display on a terminal; on a pipe
/// or in CI no control codes at all, and a wide page so that tables are not wrapped.
/// </summary>
public static class Terminal
{
    public static IAnsiConsole Create(CliHost host)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = host.OutputIsTerminal ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = host.OutputIsTerminal ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = host.OutputIsTerminal ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(host.OutputIsTerminal ? host.Out : new TrailingSpaceTrimmer(host.Out)),
        });
        if (!host.OutputIsTerminal)
        {
            console.Profile.Width = 240;
            console.Profile.Capabilities.Unicode = false;
        }
        return console;
    }
}
