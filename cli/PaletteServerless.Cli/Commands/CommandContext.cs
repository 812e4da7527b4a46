using System.CommandLine;
using PaletteServerless.Cli.Api;
using PaletteServerless.Cli.Config;
using PaletteServerless.Cli.Output;
using Spectre.Console;

namespace PaletteServerless.Cli.Commands;

/// <summary>What every verb needs: the host, the resolved settings, an API client, the console.</summary>
public sealed class CommandContext(CliHost host, GlobalOptions globals)
{
    public CliHost Host => host;

    public ConfigFile ConfigFile { get; } = new(host.ConfigDirectory);

    /// <summary>Sets a verb's action with the settings of this invocation.</summary>
    public void SetAction(Command command, Func<Invocation, CancellationToken, Task<int>> action) =>
        command.SetAction((parsed, ct) => action(new Invocation(this, parsed, globals), ct));

    public static Option<string> OutputOption() =>
        new Option<string>("--output", "-o") { Description = "table, json or yaml", DefaultValueFactory = _ => "table" }
            .AcceptOnlyFromAmong("table", "json", "yaml");

    public static Option<string> FileOption(string what) =>
        new("--file", "-f") { Description = $"{what} as a .json, .yaml or .yml file ('-' reads stdin)", Required = true };

    public static Argument<string> NameArgument(string what) => new("name") { Description = $"Name of the {what}" };
}

/// <summary>One run of one verb.</summary>
public sealed class Invocation(CommandContext context, ParseResult parsed, GlobalOptions globals)
{
    private Settings? settings;
    private IAnsiConsole? console;

    public CliHost Host => context.Host;
    public ParseResult Parsed => parsed;
    public ConfigFile ConfigFile => context.ConfigFile;

    public Settings Settings => settings ??= Settings.Resolve(Host, context.ConfigFile, parsed.GetValue(globals.Endpoint), parsed.GetValue(globals.Project));

    /// <summary>--project as given on the command line (null when absent).</summary>
    public string? ProjectGiven => parsed.GetValue(globals.Project);

    public bool EndpointGiven => parsed.GetValue(globals.Endpoint) is not null;

    public IAnsiConsole Console => console ??= Terminal.Create(Host);

    /// <summary>A client with the bearer token; fails as a usage error when there is none.</summary>
    public ApiClient Api() => new(Settings.Endpoint, Settings.RequireToken());

    /// <summary>A route of the project by its name in the route file (<see cref="ApiRoutes"/>): {project}, then <paramref name="values"/> in order.</summary>
    public string Route(string name, params string[] values) => ApiRoutes.Path(name, [Settings.RequireProject(), .. values]);

    /// <summary>Progress of cluster <paramref name="name"/> until it reaches a goal (--wait, `clusters wait`).</summary>
    public Watch.ClusterWaiter Waiter(ApiClient api, string name) =>
        new(Host, Console, api, Route("getCluster", name), Route("listClusterEvents", name), name);

    public T Value<T>(Option<T> option) => parsed.GetValue(option)!;

    public T Value<T>(Argument<T> argument) => parsed.GetValue(argument)!;
}
