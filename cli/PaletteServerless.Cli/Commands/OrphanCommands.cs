using System.CommandLine;
using System.Text.Json.Nodes;
using PaletteServerless.Cli.Api;
using PaletteServerless.Cli.Output;
using PaletteServerless.Cli.Watch;
using Spectre.Console;

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
            var report = await api.GetAsync(run.Route("findOrphans"), ct);
            Printer.Print(run.Host, run.Console, run.Value(listOutput), report, () => Printer.Leftovers(report, "no orphans"));
            return ExitCodes.Ok;
        });

        var sweepOutput = CommandContext.OutputOption();
        var noWait = new Option<bool>("--no-wait") { Description = "Start the sweep and print its id; read it later with `psctl orphans sweep-status ID`" };
        var sweep = new Command("sweep", "Remove what can be removed and list what is left (safe to repeat)") { sweepOutput, noWait };
        context.SetAction(sweep, async (run, ct) =>
        {
            using var api = run.Api();
            var started = await api.PostAsync(run.Route("removeOrphans"), null, ct);
            var id = started.Text("id");
            if (run.Value(noWait))
            {
                Printer.Print(run.Host, run.Console, run.Value(sweepOutput), started, () => new Text(
                    $"sweep {id} started{Environment.NewLine}watch it: psctl orphans sweep-status {id} --wait{Environment.NewLine}"));
                return ExitCodes.Ok;
            }
            return await WaitAndPrintAsync(run, api, id, run.Value(sweepOutput), ct);
        });

        var statusId = new Argument<string>("id") { Description = "The sweep's id, as `psctl orphans sweep --no-wait` printed it" };
        var statusOutput = CommandContext.OutputOption();
        var statusWait = new Option<bool>("--wait") { Description = "Show progress until the sweep ends, then its report" };
        var status = new Command("sweep-status", "A sweep's state and, once it ended, what it left") { statusId, statusOutput, statusWait };
        context.SetAction(status, async (run, ct) =>
        {
            using var api = run.Api();
            var id = run.Value(statusId);
            if (run.Value(statusWait))
                return await WaitAndPrintAsync(run, api, id, run.Value(statusOutput), ct);
            var current = await api.GetAsync(SweepRoute(run, id), ct);
            Printer.Print(run.Host, run.Console, run.Value(statusOutput), current, () => SweepTable(current));
            return current.Text("state") == "Failed" ? ExitCodes.ApiError : ExitCodes.Ok;
        });

        return new Command("orphans", "Cloud resources of the project that no live cluster owns") { list, sweep, status };
    }

    private static string SweepRoute(Invocation run, string id) => run.Route("getOrphanSweep", id);

    /// <summary>
    /// Polls the sweep until it ends, showing how long it has run (a live line on a terminal, a
    /// timestamped line per state otherwise), then prints its report. Ctrl+C stops only the waiting.
    /// </summary>
    private static async Task<int> WaitAndPrintAsync(Invocation run, ApiClient api, string id, string format, CancellationToken ct)
    {
        var host = run.Host;
        var quiet = format is "json" or "yaml";
        JsonNode sweep;
        try
        {
            if (host.OutputIsTerminal && !quiet)
            {
                sweep = await api.GetAsync(SweepRoute(run, id), ct);
                await run.Console.Live(new Text($"sweep {id} ...")).StartAsync(async live =>
                {
                    while (sweep.Text("state") == "Running")
                    {
                        live.UpdateTarget(new Text($"sweep {id}  {Watch.Progress.Mark(RowState.Waiting)}  Running  ({Elapsed(host, sweep)})"));
                        live.Refresh();
                        await Task.Delay(host.PollInterval, host.Time, ct);
                        sweep = await api.GetAsync(SweepRoute(run, id), ct);
                    }
                });
            }
            else
            {
                string? printed = null;
                while (true)
                {
                    sweep = await api.GetAsync(SweepRoute(run, id), ct);
                    var state = sweep.Text("state");
                    if (!quiet && state != printed)
                        host.Out.WriteLine($"{Json.Stamp(host.Time.GetUtcNow())}  sweep {id}  {state}  ({Elapsed(host, sweep)})");
                    printed = state;
                    if (state != "Running")
                        break;
                    await Task.Delay(host.PollInterval, host.Time, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            host.Error.WriteLine($"stopped waiting; sweep {id} goes on.");
            host.Error.WriteLine($"watch again: psctl orphans sweep-status {id} --wait");
            return ExitCodes.Interrupted;
        }
        if (sweep.Text("state") == "Failed")
            throw new CliException(ExitCodes.ApiError, $"sweep {id} failed: {sweep.Text("error")}", ["what it removed stays removed; sweeping again is safe"]);
        var report = sweep["report"] ?? new JsonObject { ["leftovers"] = new JsonArray() };
        Printer.Print(host, run.Console, format, report, () => Printer.Leftovers(report, "nothing left"));
        return ExitCodes.Ok;
    }

    private static string Elapsed(CliHost host, JsonNode sweep) =>
        sweep.Time("startedAt") is { } started ? Json.Duration((sweep.Time("stoppedAt") ?? host.Time.GetUtcNow()) - started) : "";

    private static Spectre.Console.Rendering.IRenderable SweepTable(JsonNode sweep) => new Rows(
        new Text($"sweep {sweep.Text("id")}  {sweep.Text("state")}  {sweep.Text("error")}".TrimEnd()),
        sweep["report"] is { } report ? Printer.Leftovers(report, "nothing left") : new Text(""));
}
