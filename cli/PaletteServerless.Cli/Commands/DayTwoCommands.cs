using System.CommandLine;
using System.Text.Json.Nodes;
using PaletteServerless.Cli.Api;
using PaletteServerless.Cli.Output;
using PaletteServerless.Cli.Specs;
using PaletteServerless.Cli.Watch;
using Spectre.Console;

namespace PaletteServerless.Cli.Commands;

/// <summary>
/// Day 2: `psctl clusters scale|update` and `psctl nodepools list|add|edit|delete`. Each change prints the
/// cluster's status; --wait shows progress until it is Running again.
/// </summary>
public static class DayTwoCommands
{
    private static string Route(Invocation run, string name, string rest = "") =>
        run.ProjectRoute($"clusters/{Uri.EscapeDataString(name)}{rest}");

    private static Option<bool> WaitOption() => new("--wait") { Description = "Show progress until the update is over and the cluster Running" };

    /// <summary>`clusters scale NAME --pool P --count N`: the pool's spec as it is, with the new count.</summary>
    public static Command Scale(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var pool = new Option<string>("--pool") { Description = "The node pool to scale", Required = true };
        var count = new Option<int>("--count") { Description = "The pool's new node count", Required = true };
        var wait = WaitOption();
        var command = new Command("scale", "Change one node pool's count (nodes are added or removed, zones kept balanced)") { name, pool, count, wait };
        context.SetAction(command, async (run, ct) =>
        {
            var (clusterName, poolName) = (run.Value(name), run.Value(pool));
            using var api = run.Api();
            var spec = (await api.GetAsync(Route(run, clusterName, "/nodepools"), ct)).Items("items").FirstOrDefault(p => p.Text("name") == poolName)
                ?? throw CliException.Usage($"cluster {clusterName} has no node pool '{poolName}'");
            spec["count"] = run.Value(count);
            var cluster = await api.SendAsync(HttpMethod.Put, Route(run, clusterName, $"/nodepools/{Uri.EscapeDataString(poolName)}"), spec.ToJsonString(), ct);
            return await ReportAsync(run, api, clusterName, cluster, run.Value(wait), ct);
        });
        return command;
    }

    /// <summary>`clusters update NAME -f patch`: shows the dry run's plan, asks, then applies the merge patch.</summary>
    public static Command Update(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var file = CommandContext.FileOption("A JSON merge patch of the cluster spec");
        var yes = new Option<bool>("--yes", "-y") { Description = "Apply without asking" };
        var wait = WaitOption();
        var command = new Command("update", "Change a cluster's spec with a merge patch: shows the plan, asks, applies") { name, file, yes, wait };
        context.SetAction(command, async (run, ct) =>
        {
            var clusterName = run.Value(name);
            var patch = SpecFile.ReadAsJson(run.Value(file), run.Host.In);
            using var api = run.Api();
            var plan = await api.SendAsync(HttpMethod.Patch, Route(run, clusterName, "?dryRun=true"), patch, ct);
            PrintPlan(run, plan);
            if (!run.Value(yes))
            {
                run.Host.Out.Write("Apply this change? [y/N] ");
                run.Host.Out.Flush();
                var answer = run.Host.In.ReadLine();
                if (answer is null)
                    throw CliException.Usage("no answer could be read: pass --yes to apply without asking");
                if (answer.Trim().ToLowerInvariant() is not ("y" or "yes"))
                {
                    run.Host.Out.WriteLine("nothing changed");
                    return ExitCodes.Ok;
                }
            }
            var cluster = await api.SendAsync(HttpMethod.Patch, Route(run, clusterName), patch, ct);
            return await ReportAsync(run, api, clusterName, cluster, run.Value(wait), ct);
        });
        return command;
    }

    public static Command NodePools(CommandContext context) => new("nodepools", "List, add, edit and remove a cluster's node pools")
    {
        ListPools(context),
        AddPool(context),
        EditPool(context),
        DeletePool(context),
    };

    private static Command ListPools(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var output = CommandContext.OutputOption();
        var nodes = new Option<bool>("--nodes") { Description = "Also list each pool's nodes: a table per pool" };
        var command = new Command("list", "A cluster's node pools") { name, output, nodes };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var pools = await api.GetAsync(Route(run, run.Value(name), "/nodepools"), ct);
            Printer.Print(run.Host, run.Console, run.Value(output), pools, () =>
            {
                var table = new Table().AddColumns("NAME", "ROLE", "COUNT", "TYPE", "ZONES");
                foreach (var pool in pools.Items("items"))
                    table.AddRow(pool.Text("name"), pool.Text("role"), pool.Text("count"), pool.Text("instanceType"),
                        string.Join(",", pool["availabilityZones"]?.AsArray().Select(z => z?.GetValue<string>()) ?? []));
                return run.Value(nodes) ? new Rows(table, NodeTables(pools["nodes"])) : table;
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Each pool's nodes, a table per pool; when EC2 could not be read, the record alone and why.</summary>
    private static Spectre.Console.Rendering.IRenderable NodeTables(JsonNode? listing)
    {
        var parts = new List<Spectre.Console.Rendering.IRenderable>();
        foreach (var pool in listing.Items("pools"))
        {
            var members = pool.Items("nodes").ToList();
            parts.Add(new Text($"\nPOOL {pool.Text("name")}: {members.Count} node(s)", new Style(decoration: Decoration.Bold)));
            if (members.Count == 0)
                continue;
            var table = Printer.Grid("INSTANCE", "NAME", "ZONE", "TYPE", "CAPACITY", "STATE", "PHASE", "LAUNCHED", "PRIVATE IP");
            foreach (var node in members)
                table.AddTextRow(node.Text("instanceId"), node.Text("name"), Known(node, "zone"), Known(node, "instanceType"), Known(node, "capacityType"),
                    Known(node, "state"), Phase(node), node.Time("launchTime") is { } at ? Json.Stamp(at) : "-", Known(node, "privateIp"));
            parts.Add(table);
        }
        if (listing.TextOrNull("warning") is { } warning)
            parts.Add(new Text($"\nwarning: {warning}"));
        return new Rows(parts);
    }

    private static string Known(JsonNode node, string field) => node.TextOrNull(field) ?? "-";

    /// <summary>The node's phase, and with a failure phase what failed (the node's own message).</summary>
    private static string Phase(JsonNode node) =>
        node.TextOrNull("phaseMessage") is { } message ? $"{Known(node, "phase")}: {message}" : Known(node, "phase");

    private static Command AddPool(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var file = CommandContext.FileOption("The worker pool's spec");
        var wait = WaitOption();
        var command = new Command("add", "Add a worker pool") { name, file, wait };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var cluster = await api.PostAsync(Route(run, run.Value(name), "/nodepools"), SpecFile.ReadAsJson(run.Value(file), run.Host.In), ct);
            return await ReportAsync(run, api, run.Value(name), cluster, run.Value(wait), ct);
        });
        return command;
    }

    private static Command EditPool(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var pool = new Argument<string>("pool") { Description = "Name of the node pool" };
        var file = CommandContext.FileOption("The pool's whole new spec");
        var wait = WaitOption();
        var command = new Command("edit", "Replace one pool's spec (its name and role stay)") { name, pool, file, wait };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var cluster = await api.SendAsync(HttpMethod.Put, Route(run, run.Value(name), $"/nodepools/{Uri.EscapeDataString(run.Value(pool))}"),
                SpecFile.ReadAsJson(run.Value(file), run.Host.In), ct);
            return await ReportAsync(run, api, run.Value(name), cluster, run.Value(wait), ct);
        });
        return command;
    }

    private static Command DeletePool(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var pool = new Argument<string>("pool") { Description = "Name of the worker pool" };
        var wait = WaitOption();
        var command = new Command("delete", "Remove a worker pool and its nodes") { name, pool, wait };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var cluster = await api.DeleteAsync(Route(run, run.Value(name), $"/nodepools/{Uri.EscapeDataString(run.Value(pool))}"), ct);
            return await ReportAsync(run, api, run.Value(name), cluster, run.Value(wait), ct);
        });
        return command;
    }

    internal static void PrintPlan(Invocation run, JsonNode plan)
    {
        if (plan["upgrade"] is JsonObject upgrade)
            run.Host.Out.WriteLine($"Kubernetes {upgrade.Text("from")} -> {upgrade.Text("to")}: control planes first, one at a time, then the workers");
        run.Host.Out.WriteLine($"generation {plan.Text("generation")}; update order: {string.Join(" -> ", plan.Items("stages").Select(s => string.Join(" + ", s.AsArray().Select(p => p?.GetValue<string>()))))}");
        foreach (var pool in plan.Items("pools"))
        {
            var replaced = pool["replacedNodeIds"]?.AsArray().Count ?? 0;
            var removed = pool["removedNodeIds"]?.AsArray().Count ?? 0;
            run.Host.Out.WriteLine($"  {pool.Text("pool")}: {pool.Text("change")}; {replaced} replaced, {pool.Text("addedCount")} added, {removed} removed; " +
                $"{Json.Usd(pool.Number("oldHourlyCostUsd"))}/h -> {Json.Usd(pool.Number("newHourlyCostUsd"))}/h");
        }
        run.Host.Out.WriteLine($"estimated cost: {Json.Usd(plan.Number("oldEstimatedHourlyCostUsd"))}/h -> {Json.Usd(plan.Number("newEstimatedHourlyCostUsd"))}/h");
    }

    internal static async Task<int> ReportAsync(Invocation run, ApiClient api, string name, JsonNode cluster, bool wait, CancellationToken ct)
    {
        run.Host.Out.WriteLine($"cluster {name} is {cluster.Text("status")} (generation {cluster.Text("generation")})");
        if (!wait)
            return ExitCodes.Ok;
        var exit = await new ClusterWaiter(run.Host, run.Console, api, Route(run, name), name).WaitAsync(Goal.Running, ct);
        var after = await api.GetAsync(Route(run, name), ct);
        var updated = after.Items("conditions").FirstOrDefault(c => c.Text("type") == "Updated");
        if (updated?.Text("status") == "False")
        {
            run.Host.Error.WriteLine($"the update failed: {updated.Text("message")}");
            return ExitCodes.ApiError;
        }
        return exit;
    }
}
