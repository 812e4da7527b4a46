using System.CommandLine;

namespace PaletteServerless.Cli.Commands;

/// <summary>
/// psctl's nouns and verbs. Each noun is one class that adds its verbs; a new route of the API is
/// one more verb method there (see ClusterCommands).
/// </summary>
public static class CommandTree
{
    public static RootCommand Build(CliHost host)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("psctl: create, watch and delete PaletteServerless clusters through the HTTP API")
        {
            globals.Endpoint,
            globals.Project,
        };
        var context = new CommandContext(host, globals);
        root.Add(ConfigCommands.Build(context));
        root.Add(LoginCommand.Build(context));
        root.Add(ResourceCommands.CloudAccounts(context));
        root.Add(ResourceCommands.Profiles(context));
        root.Add(ClusterCommands.Build(context));
        root.Add(DayTwoCommands.NodePools(context));
        root.Add(KubeconfigCommands.Build(context));
        root.Add(VirtualClusterCommands.Build(context));
        root.Add(OrphanCommands.Build(context));
        root.Add(BackupCommands.Backups(context));
        root.Add(BackupCommands.Restores(context));
        root.Add(ScanCommands.Build(context));
        return root;
    }
}

/// <summary>The options every command takes.</summary>
public sealed class GlobalOptions
{
    public Option<string?> Endpoint { get; } = new("--endpoint")
    {
        Description = "API endpoint URL (overrides PSCTL_ENDPOINT and the config file; default " + Config.Settings.DefaultEndpoint + ")",
        Recursive = true,
    };

    public Option<string?> Project { get; } = new("--project")
    {
        Description = "Project to work in (overrides PSCTL_PROJECT and the config file)",
        Recursive = true,
    };
}
