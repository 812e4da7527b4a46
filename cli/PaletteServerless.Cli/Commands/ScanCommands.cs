using System.CommandLine;
using System.Text.Json.Nodes;
using PaletteServerless.Cli.Output;
using Spectre.Console;

namespace PaletteServerless.Cli.Commands;

/// <summary>`psctl scans list|create CLUSTER`: the CIS benchmark scans of a cluster (settings.securityScans), and one now.</summary>
public static class ScanCommands
{
    public static Command Build(CommandContext context)
    {
        var listName = CommandContext.NameArgument("cluster");
        var listOutput = CommandContext.OutputOption();
        var list = new Command("list", "A cluster's scans: pass, fail and warn counts, then each failed check (id, title, node role)") { listName, listOutput };
        context.SetAction(list, async (run, ct) =>
        {
            using var api = run.Api();
            var scans = await api.GetAsync(run.Route("listScans", run.Value(listName)), ct);
            Printer.Print(run.Host, run.Console, run.Value(listOutput), scans, () => Render(scans["items"]?.AsArray() ?? []));
            return ExitCodes.Ok;
        });

        var createName = CommandContext.NameArgument("cluster");
        var createOutput = CommandContext.OutputOption();
        var create = new Command("create", "Start a scan (kube-bench on each node role) now; it ends with the event ScanCompleted or ScanFailed") { createName, createOutput };
        context.SetAction(create, async (run, ct) =>
        {
            using var api = run.Api();
            var cluster = run.Value(createName);
            var started = await api.PostAsync(run.Route("createScan", cluster), null, ct);
            Printer.Print(run.Host, run.Console, run.Value(createOutput), started, () => new Text(
                $"scan {started.Text("name")} started{Environment.NewLine}watch it: psctl scans list {cluster} (or psctl clusters events {cluster}){Environment.NewLine}"));
            return ExitCodes.Ok;
        });
        return new Command("scans", "CIS Kubernetes benchmark scans of a cluster (settings.securityScans): kube-bench") { list, create };
    }

    private static Rows Render(JsonArray items)
    {
        var table = Printer.Grid("NAME", "PHASE", "PASS", "FAIL", "WARN", "COMPLETED");
        var failed = Printer.Grid("SCAN", "CHECK", "NODE ROLE", "TITLE");
        foreach (var item in items)
        {
            table.AddTextRow(item.Text("name"), item.Text("phase"), item.Text("pass"), item.Text("fail"), item.Text("warn"), item.TextOrNull("completedAt") ?? "");
            foreach (var f in item?["failed"]?.AsArray() ?? [])
                failed.AddTextRow(item.Text("name"), f.Text("id"), f.Text("nodeRole"), f.Text("title"));
        }
        return new Rows(table, new Text(""), failed);
    }
}
