using System.Text.Json.Nodes;
using PaletteServerless.Cli.Api;
using PaletteServerless.Cli.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PaletteServerless.Cli.Watch;

/// <summary>
/// `--wait`: polls the cluster until it reaches the goal or cannot anymore. On a terminal a live
/// table (one line per condition, turning done as it goes); otherwise a plain timestamped line per
/// change. Ctrl+C stops only the waiting: the workflow in the cloud goes on.
/// </summary>
public sealed class ClusterWaiter(CliHost host, IAnsiConsole console, ApiClient api, string clusterRoute, string eventsRoute, string name)
{
    public async Task<int> WaitAsync(Goal goal, CancellationToken ct)
    {
        JsonNode? cluster;
        try
        {
            if (goal == Goal.Deleted)
                deleteStartedAt = await DeleteStartAsync(ct);
            cluster = host.OutputIsTerminal ? await LiveAsync(goal, ct) : await PlainAsync(goal, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            host.Error.WriteLine($"stopped waiting; the {(goal == Goal.Deleted ? "delete" : "create")} of cluster {name} goes on.");
            host.Error.WriteLine($"watch again: psctl clusters wait {name}   (or: psctl clusters events {name} --watch)");
            return ExitCodes.Interrupted;
        }
        return await ReportAsync(cluster, goal, ct);
    }

    private DateTimeOffset? deleteStartedAt;

    /// <summary>When the delete began: the time of the cluster's last Deleting event.</summary>
    private async Task<DateTimeOffset?> DeleteStartAsync(CancellationToken ct)
    {
        try
        {
            var events = await api.ListAsync(eventsRoute, ct);
            return events.LastOrDefault(e => e.Text("reason") == "Deleting").Time("at");
        }
        catch (ApiException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private async Task<JsonNode?> PlainAsync(Goal goal, CancellationToken ct)
    {
        var printed = new Dictionary<string, (RowState, string, string)>();
        while (true)
        {
            var cluster = await FetchAsync(ct);
            if (cluster is not null)
            {
                foreach (var row in Progress.Rows(cluster, goal, host.Time.GetUtcNow(), deleteStartedAt))
                {
                    var key = (row.State, row.Reason, row.Message);
                    if (printed.TryGetValue(row.Title, out var last) && last == key)
                        continue;
                    printed[row.Title] = key;
                    host.Out.WriteLine($"{Json.Stamp(host.Time.GetUtcNow())}  {Progress.Mark(row.State)}  {row.Title}  {row.Reason}  ({Json.Duration(row.Elapsed)})  {row.Message}".TrimEnd());
                }
            }
            if (Progress.Outcome(cluster, goal).Over)
                return cluster;
            await Task.Delay(host.PollInterval, host.Time, ct);
        }
    }

    private async Task<JsonNode?> LiveAsync(Goal goal, CancellationToken ct)
    {
        JsonNode? cluster = null;
        await console.Live(new Text($"waiting for cluster {name} ...")).StartAsync(async live =>
        {
            while (true)
            {
                cluster = await FetchAsync(ct);
                if (cluster is not null)
                    live.UpdateTarget(Table(Progress.Rows(cluster, goal, host.Time.GetUtcNow(), deleteStartedAt)));
                live.Refresh();
                if (Progress.Outcome(cluster, goal).Over)
                    return;
                await Task.Delay(host.PollInterval, host.Time, ct);
            }
        });
        return cluster;
    }

    private static IRenderable Table(IReadOnlyList<ProgressRow> rows)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("", "condition", "reason", "elapsed", "message");
        foreach (var row in rows)
        {
            var mark = row.State switch
            {
                RowState.Done => "[green]✓[/]",
                RowState.Failed => "[red]✗[/]",
                _ => "[yellow]…[/]",
            };
            table.AddRow(new Markup(mark), new Text(row.Title), new Text(row.Reason), new Text(Json.Duration(row.Elapsed)), new Text(row.Message));
        }
        return table;
    }

    /// <summary>The cluster, or null once it is gone (a Deleted record expires after 72 hours).</summary>
    private async Task<JsonNode?> FetchAsync(CancellationToken ct)
    {
        try
        {
            return await api.GetAsync(clusterRoute, ct);
        }
        catch (ApiException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private async Task<int> ReportAsync(JsonNode? cluster, Goal goal, CancellationToken ct)
    {
        var (_, reached) = Progress.Outcome(cluster, goal);
        var status = cluster?.Text("status") ?? "Deleted";
        if (reached)
        {
            host.Out.WriteLine($"cluster {name} is {status}");
            return ExitCodes.Ok;
        }
        host.Error.WriteLine($"cluster {name} is {status}, not {goal}: {cluster.Text("statusReason")}");
        var events = await api.ListAsync(eventsRoute, ct);
        if (events.Count > 0)
        {
            host.Error.WriteLine("last events:");
            foreach (var e in events.TakeLast(10))
                host.Error.WriteLine($"  {e.Text("at")}  {e.Text("type")}  {e.Text("reason")}  {e.Text("message")}");
        }
        return ExitCodes.ApiError;
    }
}
