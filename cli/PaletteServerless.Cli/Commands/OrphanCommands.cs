using System.CommandLine;
using PaletteServerless.Cli.Output;

namespace PaletteServerless.Cli.Commands;

/// <summary>`psctl orphans list|sweep`: resources tagged for the project's clusters that belong to no live cluster.</summary>
public static class OrphanCommands
{
    public static Command Build(CommandContext context)
    {
        var listOutput = CommandContext.OutputOption();
        var list = new Command("list", "List what is tagged for the project's clusters but belongs to no live cluster, with its hourly cost") { listOutput };
        context.SetAction(list, async (run, ct) =>
        {
            using var api = run.Api();
            var report = await api.GetAsync(run.ProjectRoute("orphans"), ct);
            Printer.Print(run.Host, run.Console, run.Value(listOutput), report, () => Printer.Leftovers(report, "no orphans"));
            return ExitCodes.Ok;
        });

        var sweepOutput = CommandContext.OutputOption();
        var sweep = new Command("sweep", "Remove what can be removed now and list what is left (safe to repeat)") { sweepOutput };
        context.SetAction(sweep, async (run, ct) =>
        {
            using var api = run.Api();
            var report = await api.PostAsync(run.ProjectRoute("orphans"), null, ct);
            Printer.Print(run.Host, run.Console, run.Value(sweepOutput), report, () => Printer.Leftovers(report, "nothing left"));
            return ExitCodes.Ok;
        });

        return new Command("orphans", "Cloud resources of the project that no live cluster owns") { list, sweep };
    }
}
