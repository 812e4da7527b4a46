using System.CommandLine;
using System.Text.Json.Nodes;
using PaletteServerless.Cli.Output;
using Spectre.Console;

namespace PaletteServerless.Cli.Commands;

/// <summary>
/// `psctl backups list|create CLUSTER` and `psctl restores create CLUSTER --backup NAME`: a cluster's Velero backups
/// (settings.backup), one on demand, and a restore of a completed one. How each ends is in `psctl clusters events`.
/// </summary>
public static class BackupCommands
{
    public static Command Backups(CommandContext context)
    {
        var listName = CommandContext.NameArgument("cluster");
        var listOutput = CommandContext.OutputOption();
        var list = new Command("list", "A cluster's backups: name, phase, when it started and completed, where it is") { listName, listOutput };
        context.SetAction(list, async (run, ct) =>
        {
            using var api = run.Api();
            var backups = await api.GetAsync(run.Route("listBackups", run.Value(listName)), ct);
            Printer.Print(run.Host, run.Console, run.Value(listOutput), backups, () => Table(backups["items"]?.AsArray() ?? []));
            return ExitCodes.Ok;
        });

        var createName = CommandContext.NameArgument("cluster");
        var createOutput = CommandContext.OutputOption();
        var create = new Command("create", "Start a backup of the cluster now; it ends with the event BackupCompleted or BackupFailed") { createName, createOutput };
        context.SetAction(create, async (run, ct) =>
        {
            using var api = run.Api();
            var cluster = run.Value(createName);
            var started = await api.PostAsync(run.Route("createBackup", cluster), null, ct);
            Printer.Print(run.Host, run.Console, run.Value(createOutput), started, () => new Text(
                $"backup {started.Text("name")} started{Environment.NewLine}watch it: psctl backups list {cluster} (or psctl clusters events {cluster}){Environment.NewLine}"));
            return ExitCodes.Ok;
        });
        return new Command("backups", "Backups of a cluster (settings.backup): Velero, to the cluster's bucket") { list, create };
    }

    public static Command Restores(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var backup = new Option<string>("--backup") { Description = "The backup to restore (psctl backups list CLUSTER)", Required = true };
        var output = CommandContext.OutputOption();
        var create = new Command("create", "Restore a completed backup into the cluster; it ends with the event RestoreCompleted or RestoreFailed") { name, backup, output };
        context.SetAction(create, async (run, ct) =>
        {
            using var api = run.Api();
            var cluster = run.Value(name);
            var body = new JsonObject { ["backup"] = run.Value(backup) }.ToJsonString();
            var started = await api.PostAsync(run.Route("createRestore", cluster), body, ct);
            Printer.Print(run.Host, run.Console, run.Value(output), started, () => new Text(
                $"restore {started.Text("name")} of {started.Text("backup")} started{Environment.NewLine}watch it: psctl clusters events {cluster}{Environment.NewLine}"));
            return ExitCodes.Ok;
        });
        return new Command("restores", "Restores of a cluster's backups") { create };
    }

    private static Table Table(JsonArray items)
    {
        var table = Printer.Grid("NAME", "PHASE", "STARTED", "COMPLETED", "LOCATION");
        foreach (var item in items)
            table.AddTextRow(item.Text("name"), item.Text("phase"), item.TextOrNull("startedAt") ?? "", item.TextOrNull("completedAt") ?? "", item.Text("location"));
        return table;
    }
}
