using System.CommandLine;
using PaletteServerless.Cli.Config;

namespace PaletteServerless.Cli.Commands;

/// <summary>`psctl config set KEY VALUE` and `psctl config view`.</summary>
public static class ConfigCommands
{
    public static Command Build(CommandContext context)
    {
        var key = new Argument<string>("key") { Description = "endpoint, token or project" };
        key.AcceptOnlyFromAmong([.. ConfigFile.Keys]);
        var value = new Argument<string>("value") { Description = "The value to store" };
        var set = new Command("set", "Store a setting in the config file (mode 0600)") { key, value };
        context.SetAction(set, (run, _) =>
        {
            var name = run.Value(key);
            var text = run.Value(value).Trim();
            if (text.Length == 0)
                throw CliException.Usage($"{name}: give a value");
            if (name == "endpoint")
                text = Settings.ParseEndpoint(text).ToString().TrimEnd('/');
            run.ConfigFile.Set(name, text);
            run.Host.Out.WriteLine($"{name} saved in {run.ConfigFile.Path}");
            return Task.FromResult(ExitCodes.Ok);
        });

        var view = new Command("view", "Show the settings in effect and where the config file is");
        context.SetAction(view, (run, _) =>
        {
            var settings = run.Settings;
            run.Host.Out.WriteLine($"config file: {run.ConfigFile.Path}");
            run.Host.Out.WriteLine($"endpoint:    {settings.Endpoint.ToString().TrimEnd('/')}");
            run.Host.Out.WriteLine($"project:     {settings.Project ?? "(none)"}");
            run.Host.Out.WriteLine($"token:       {Mask(settings.Token)}");
            return Task.FromResult(ExitCodes.Ok);
        });

        return new Command("config", "Where psctl sends requests and as whom") { set, view };
    }

    /// <summary>Enough of a token to tell two apart, never enough to use it.</summary>
    private static string Mask(string? token) => token is null ? "(none)" : token.Length <= 12 ? "(set)" : token[..8] + "..." + $" ({token.Length} characters)";
}
