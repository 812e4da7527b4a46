using System.CommandLine;
using System.Text.Json.Nodes;
using PaletteServerless.Cli.Api;
using PaletteServerless.Cli.Output;
using PaletteServerless.Cli.Specs;
using PaletteServerless.Cli.Watch;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PaletteServerless.Cli.Commands;

/// <summary>
/// `psctl clusters ...`. One method per verb, each mapping to one route of the API; a verb for a
/// new route (scale, node pools, update) is one more method added in <see cref="Build"/>.
/// </summary>
public static class ClusterCommands
{
    public static Command Build(CommandContext context) => new("clusters", "Create, watch and delete clusters")
    {
        Create(context),
        List(context),
        Get(context),
        Describe(context),
        Events(context),
        Kubeconfig(context),
        Wait(context),
        Delete(context),
        ForceDelete(context),
        DayTwoCommands.Scale(context),
        DayTwoCommands.Update(context),
        ClusterProfileVersionCommand.Build(context),
    };

    private static Command Create(CommandContext context)
    {
        var file = CommandContext.FileOption("The cluster spec");
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate, run the preflight and show the costed plan; create nothing" };
        var wait = new Option<bool>("--wait") { Description = "Show progress until the cluster is Running (exit 0) or Failed (exit 1)" };
        var output = CommandContext.OutputOption();
        var command = new Command("create", "Create a cluster from a spec") { file, dryRun, wait, output };
        context.SetAction(command, async (run, ct) =>
        {
            if (run.Value(dryRun) && run.Value(wait))
                throw CliException.Usage("--dry-run creates nothing, so there is nothing to --wait for");
            var body = SpecFile.ReadAsJson(run.Value(file), run.Host.In);
            using var api = run.Api();
            if (run.Value(dryRun))
            {
                var result = await api.PostAsync(run.Route("createCluster") + "?dryRun=true", body, ct);
                Printer.Print(run.Host, run.Console, run.Value(output), result, () => DryRun(result));
                return result["valid"]?.GetValue<bool>() == true ? ExitCodes.Ok : ExitCodes.ApiError;
            }
            var cluster = await api.PostAsync(run.Route("createCluster"), body, ct);
            var name = cluster.Text("name");
            if (run.Value(output) != "table")
                Printer.Print(run.Host, run.Console, run.Value(output), cluster, () => new Text(""));
            else
                run.Host.Out.WriteLine($"cluster {name} accepted: {cluster.Text("status")}");
            if (!run.Value(wait))
                return ExitCodes.Ok;
            return await run.Waiter(api, name).WaitAsync(Goal.Running, ct);
        });
        return command;
    }

    private static Command List(CommandContext context)
    {
        var deleted = new Option<bool>("--deleted") { Description = "Include Deleted clusters (kept 72 hours)" };
        var output = CommandContext.OutputOption();
        var command = new Command("list", "List the project's clusters") { deleted, output };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var items = await api.ListAsync(run.Route("listClusters") + (run.Value(deleted) ? "?includeDeleted=true" : ""), ct);
            Printer.Print(run.Host, run.Console, run.Value(output), new JsonArray(items.Select(i => i.DeepClone()).ToArray()), () => ClusterTable(items, run.Host.Time.GetUtcNow()));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Get(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var output = CommandContext.OutputOption();
        var command = new Command("get", "Show a cluster: a table line, or its whole JSON or YAML") { name, output };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var cluster = await api.GetAsync(run.Route("getCluster", run.Value(name)), ct);
            Printer.Print(run.Host, run.Console, run.Value(output), cluster, () => ClusterTable([cluster], run.Host.Time.GetUtcNow()));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Describe(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var command = new Command("describe", "Conditions as a tree, node pools, the last events and the estimated hourly cost") { name };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var cluster = await api.GetAsync(run.Route("getCluster", run.Value(name)), ct);
            var events = await api.ListAsync(run.Route("listClusterEvents", run.Value(name)), ct);
            var cost = await HourlyCostAsync(api, run, cluster, ct);
            run.Console.Write(ClusterDescription.Render(cluster, events, cost, run.Host.OutputIsTerminal, await NodesAsync(api, run.Route("listNodePools", run.Value(name)), ct)));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The cluster view carries no cost, so describe asks the API's dry run to price the cluster's
    /// own spec (it validates and plans, and stores nothing). Only for a cluster that has, or is
    /// getting, resources; a viewer may not dry-run, and then the cost is said to be unknown.
    /// </summary>
    private static async Task<string> HourlyCostAsync(ApiClient api, Invocation run, JsonNode cluster, CancellationToken ct)
    {
        if (cluster.Text("status") is not ("Pending" or "Provisioning" or "Running" or "Updating"))
            return $"none: the cluster is {cluster.Text("status")}";
        var spec = cluster.DeepClone().AsObject();
        foreach (var lifecycleField in new[] { "uid", "status", "statusReason", "conditions", "createdAt", "updatedAt", "version", "generation", "observedGeneration",
                     "forceDeleteAvailableAt", "forceDeleteSecondsLeft", "deletedAt" })
            spec.Remove(lifecycleField);
        try
        {
            var plan = await api.PostAsync(run.Route("createCluster") + "?dryRun=true", spec.ToJsonString(), ct);
            var unpriced = plan["plan"].Items("unpricedInstanceTypes").Select(t => t.GetValue<string>()).ToList();
            return $"{Json.Usd(plan["plan"].Number("estimatedHourlyCostUsd"))} estimated from list prices"
                + (unpriced.Count > 0 ? $" (without {string.Join(", ", unpriced)}: no known price)" : "");
        }
        catch (ApiException ex)
        {
            return $"unknown (the dry run that prices it answered {ex.Message})";
        }
    }

    /// <summary>
    /// Each pool's nodes, from the node pools answer. A deleted cluster has none (404), and describe still
    /// shows everything else when the API cannot list them: the pools then show their counts only.
    /// </summary>
    private static async Task<JsonNode?> NodesAsync(ApiClient api, string nodePoolsRoute, CancellationToken ct)
    {
        try
        {
            return (await api.GetAsync(nodePoolsRoute, ct))["nodes"];
        }
        catch (ApiException)
        {
            return null;
        }
    }

    private static Command Kubeconfig(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var ttl = new Option<int?>("--ttl-hours") { Description = "How long the client certificate is valid, 1 to 24 hours (12)" };
        var file = new Option<string?>("--file", "-f") { Description = "Write the kubeconfig to this file (mode 0600) instead of standard output" };
        var command = new Command("kubeconfig", "A kubeconfig for a Running cluster, with a client certificate for you") { name, ttl, file };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var query = run.Value(ttl) is { } hours ? $"?ttlHours={hours}" : "";
            var issued = await api.GetAsync(run.Route("getClusterKubeconfig", run.Value(name)) + query, ct);
            var yaml = issued.Text("kubeconfig");
            if (run.Value(file) is not { } path)
            {
                run.Host.Out.Write(yaml);
                return ExitCodes.Ok;
            }
            // The file holds a private key: readable by its owner only, from the moment it exists.
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            await using (var writer = new StreamWriter(path, new System.Text.UTF8Encoding(false), options))
                await writer.WriteAsync(yaml);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // an older file keeps its mode otherwise
            run.Host.Out.WriteLine($"kubeconfig for {issued.Text("subject")} ({issued.Text("group")}), valid until {issued.Text("expiresAt")}, written to {path}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Events(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var watch = new Option<bool>("--watch", "-w") { Description = "Keep printing new events until the cluster is Deleted or Ctrl+C" };
        var output = CommandContext.OutputOption();
        var command = new Command("events", "What happened to a cluster, oldest first") { name, watch, output };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var route = run.Route("getCluster", run.Value(name));
            var eventsRoute = run.Route("listClusterEvents", run.Value(name));
            var events = await api.ListAsync(eventsRoute, ct);
            if (!run.Value(watch))
            {
                Printer.Print(run.Host, run.Console, run.Value(output), new JsonArray(events.Select(e => e.DeepClone()).ToArray()), () => EventTable(events));
                return ExitCodes.Ok;
            }
            var seen = new HashSet<string>();
            try
            {
                while (true)
                {
                    foreach (var e in events.Where(e => seen.Add(e.Text("id"))))
                        run.Host.Out.WriteLine($"{e.Text("at")}  {e.Text("type"),-7}  {e.Text("reason")}  {e.Text("message")}");
                    var cluster = await api.GetAsync(route, ct);
                    if (cluster.Text("status") == "Deleted")
                        return ExitCodes.Ok;
                    await Task.Delay(run.Host.PollInterval, run.Host.Time, ct);
                    events = await api.ListAsync(eventsRoute, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                run.Host.Error.WriteLine("stopped watching");
                return ExitCodes.Interrupted;
            }
        });
        return command;
    }

    private static Command Wait(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var goal = new Option<string?>("--for") { Description = "running or deleted (default: deleted while Deleting, else running)" };
        goal.AcceptOnlyFromAmong("running", "deleted");
        var command = new Command("wait", "Show progress until the cluster is Running, or Deleted after a delete (resumes an interrupted --wait)") { name, goal };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var clusterName = run.Value(name);
            var route = run.Route("getCluster", clusterName);
            var target = run.Parsed.GetValue(goal) switch
            {
                "running" => Goal.Running,
                "deleted" => Goal.Deleted,
                _ => (await api.GetAsync(route, ct)).Text("status") is "Deleting" or "Deleted" ? Goal.Deleted : Goal.Running,
            };
            return await run.Waiter(api, clusterName).WaitAsync(target, ct);
        });
        return command;
    }

    private static Command Delete(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask to type the name again" };
        var wait = new Option<bool>("--wait") { Description = "Show progress until the cluster is Deleted (exit 0)" };
        var command = new Command("delete", "Delete a cluster and everything it created (asks to type its name)") { name, yes, wait };
        context.SetAction(command, async (run, ct) =>
        {
            var clusterName = run.Value(name);
            if (!run.Value(yes))
            {
                run.Host.Out.Write($"This deletes cluster {clusterName} and every cloud resource it created. Type its name to confirm: ");
                run.Host.Out.Flush();
                var typed = run.Host.In.ReadLine();
                if (typed is null)
                    throw CliException.Usage("no confirmation could be read: pass --yes to delete without asking");
                if (typed.Trim() != clusterName)
                    throw CliException.Usage($"'{typed.Trim()}' is not '{clusterName}': nothing deleted");
            }
            using var api = run.Api();
            var cluster = await api.DeleteAsync($"{run.Route("deleteCluster", clusterName)}?confirm={Uri.EscapeDataString(clusterName)}", ct);
            run.Host.Out.WriteLine($"cluster {clusterName} is {cluster.Text("status")}: {cluster.Text("statusReason")}".TrimEnd(' ', ':'));
            if (!run.Value(wait))
                return ExitCodes.Ok;
            return await run.Waiter(api, clusterName).WaitAsync(Goal.Deleted, ct);
        });
        return command;
    }

    private static Command ForceDelete(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var output = CommandContext.OutputOption();
        var noWait = new Option<bool>("--no-wait") { Description = "Start the force delete and return; its report comes in the cluster's events and forceDeleteReport" };
        var command = new Command("force-delete", "Stop a delete that has run 15 minutes, sweep by tag and report what is left (admins)") { name, output, noWait };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var clusterName = run.Value(name);
            var route = run.Route("getCluster", clusterName);
            JsonNode accepted;
            try
            {
                accepted = await api.PostAsync(run.Route("forceDeleteCluster", clusterName), null, ct);
            }
            catch (ApiException ex) when (ex.Status == 409)
            {
                var cluster = await api.GetAsync(route, ct);
                if (cluster.Number("forceDeleteSecondsLeft") is { } left && left > 0)
                {
                    var at = cluster.Time("forceDeleteAvailableAt");
                    throw new CliException(ExitCodes.ApiError,
                        $"force delete of cluster {clusterName} opens in {Json.Duration(TimeSpan.FromSeconds((double)left))}" + (at is null ? "" : $" (at {Json.Stamp(at.Value)})"),
                        [$"until then the delete keeps trying: {cluster.Text("statusReason")}", $"watch it: psctl clusters wait {clusterName}"]);
                }
                throw;
            }
            var format = run.Value(output);
            if (run.Value(noWait))
            {
                Printer.Print(run.Host, run.Console, format, accepted, () => new Text(
                    $"force delete of cluster {clusterName} started; its report comes in the cluster's events and forceDeleteReport{Environment.NewLine}" +
                    $"watch it: psctl clusters wait {clusterName}   (or: psctl clusters events {clusterName} --watch){Environment.NewLine}"));
                return ExitCodes.Ok;
            }
            // The workflow marks the cluster Deleted when its sweep is over; people see the progress, scripts only the report.
            var waited = format is "json" or "yaml"
                ? await WaitQuietlyForDeletedAsync(run.Host, api, route, ct)
                : await run.Waiter(api, clusterName).WaitAsync(Goal.Deleted, ct);
            if (waited != ExitCodes.Ok)
                return waited;
            var report = (await api.GetAsync(route, ct))["forceDeleteReport"]
                ?? throw new CliException(ExitCodes.ApiError, $"cluster {clusterName} is Deleted, but not by the force delete: nothing was left behind", []);
            Printer.Print(run.Host, run.Console, format, report, () => new Rows(
                new Text($"cluster {clusterName} is {report.Text("status")}: {report.Text("statusReason")}"),
                Printer.Leftovers(report, "nothing was left behind")));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<int> WaitQuietlyForDeletedAsync(CliHost host, ApiClient api, string route, CancellationToken ct)
    {
        try
        {
            while ((await api.GetAsync(route, ct)).Text("status") != "Deleted")
                await Task.Delay(host.PollInterval, host.Time, ct);
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
    }

    private static IRenderable ClusterTable(IEnumerable<JsonNode> clusters, DateTimeOffset now)
    {
        var table = Printer.Grid("NAME", "STATUS", "REGION", "NODES", "AGE", "REASON");
        foreach (var c in clusters)
        {
            var nodes = c.Items("nodePools").Sum(p => (int)(p.Number("count") ?? 0));
            var age = c.Time("createdAt") is { } created ? Json.Duration(now - created) : "";
            table.AddTextRow(c.Text("name"), c.Text("status"), c["cloud"].Text("region"), nodes.ToString(System.Globalization.CultureInfo.InvariantCulture), age, c.Text("statusReason"));
        }
        return table.Rows.Count == 0 ? new Text("no clusters" + Environment.NewLine) : table;
    }

    private static IRenderable EventTable(IReadOnlyList<JsonNode> events)
    {
        var table = Printer.Grid("TIME", "TYPE", "REASON", "MESSAGE");
        foreach (var e in events)
            table.AddTextRow(e.Text("at"), e.Text("type"), e.Text("reason"), e.Text("message"));
        return events.Count == 0 ? new Text("no events" + Environment.NewLine) : table;
    }

    private static IRenderable DryRun(JsonNode result)
    {
        var valid = result["valid"]?.GetValue<bool>() == true;
        var parts = new List<IRenderable>
        {
            new Text(valid ? "valid: the preflight found no problem" : "not valid: the preflight found problems"),
        };
        foreach (var problem in result.Items("preflight"))
            parts.Add(new Text($"  preflight: {problem.GetValue<string>()}"));
        var plan = result["plan"];
        var table = Printer.Grid("KIND", "NAME", "COUNT", "$/HOUR", "DETAIL");
        foreach (var r in plan.Items("resources"))
            table.AddTextRow(r.Text("kind"), r.Text("name"), r.Text("count"), Json.Usd(r.Number("hourlyCostUsd")), r.Text("detail"));
        parts.Add(table);
        parts.Add(new Text($"estimated {Json.Usd(plan.Number("estimatedHourlyCostUsd"))} per hour"));
        var unpriced = plan.Items("unpricedInstanceTypes").Select(t => t.GetValue<string>()).ToList();
        if (unpriced.Count > 0)
            parts.Add(new Text($"not in the estimate (no known price): {string.Join(", ", unpriced)}"));
        var packs = plan.Items("packs").Select(p => $"{p.Text("name")} {p.Text("version")}" + (p["implied"]?.GetValue<bool>() == true ? " (every cluster)" : "")).ToList();
        if (packs.Count > 0)
            parts.Add(new Text($"packs: {string.Join(", ", packs)}"));
        return new Rows(parts);
    }
}
