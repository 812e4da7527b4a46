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
            var spec = (await api.GetAsync(run.Route("listNodePools", clusterName), ct)).Items("items").FirstOrDefault(p => p.Text("name") == poolName)
                ?? throw CliException.Usage($"cluster {clusterName} has no node pool '{poolName}'");
            spec["count"] = run.Value(count);
            var cluster = await api.SendAsync(HttpMethod.Put, run.Route("replaceNodePool", clusterName, poolName), spec.ToJsonString(), ct);
            return await ReportAsync(run, api, clusterName, cluster, run.Value(wait), ct);
        });
        return command;
    }

    /// <summary>
    /// `clusters update NAME [-f patch] [--description D] [--tag K=V]... [--remove-tag K]...`: shows the dry run's plan,
    /// asks, then applies the merge patch (the file's, with the flags' fields on top).
    /// </summary>
    public static Command Update(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var file = new Option<string?>("--file", "-f") { Description = "A JSON merge patch of the cluster spec as a .json, .yaml or .yml file ('-' reads stdin)" };
        var description = new Option<string?>("--description") { Description = "Set the cluster's description (\"\" clears it)" };
        var tag = new Option<string[]>("--tag") { Description = "Set a tag, KEY=VALUE (repeatable): on every AWS resource of the cluster", AllowMultipleArgumentsPerToken = false };
        var untag = new Option<string[]>("--remove-tag") { Description = "Remove a tag by its key (repeatable)" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Apply without asking" };
        var wait = WaitOption();
        var command = new Command("update", "Change a cluster's spec with a merge patch (a file, or --description and --tag): shows the plan, asks, applies")
        {
            name, file, description, tag, untag, yes, wait,
        };
        context.SetAction(command, async (run, ct) =>
        {
            var clusterName = run.Value(name);
            var patch = MergePatch(run, run.Parsed.GetValue(file), run.Parsed.GetValue(description), run.Parsed.GetValue(tag) ?? [], run.Parsed.GetValue(untag) ?? []);
            using var api = run.Api();
            var plan = await api.SendAsync(HttpMethod.Patch, run.Route("updateCluster", clusterName) + "?dryRun=true", patch, ct);
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
            var cluster = await api.SendAsync(HttpMethod.Patch, run.Route("updateCluster", clusterName), patch, ct);
            return await ReportAsync(run, api, clusterName, cluster, run.Value(wait), ct);
        });
        return command;
    }

    /// <summary>The patch to send: the file as written when no flag is given, else the file's object with the flags' fields set.</summary>
    internal static string MergePatch(Invocation run, string? file, string? description, string[] tags, string[] removedTags)
    {
        var fromFile = file is null ? null : SpecFile.ReadAsJson(file, run.Host.In);
        if (description is null && tags.Length == 0 && removedTags.Length == 0)
            return fromFile ?? throw CliException.Usage("say what to change: -f PATCH, --description, --tag or --remove-tag");
        JsonObject patch;
        try
        {
            patch = fromFile is null ? [] : JsonNode.Parse(fromFile) as JsonObject ?? throw CliException.Usage($"{file}: a merge patch is a JSON object");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw CliException.Usage($"{file}: {ex.Message}");
        }
        if (description is not null)
            patch["description"] = description.Length == 0 ? null : description;
        if (tags.Length > 0 || removedTags.Length > 0)
        {
            var tagPatch = patch["tags"] as JsonObject ?? [];
            patch["tags"] = tagPatch;
            foreach (var pair in tags)
            {
                var at = pair.IndexOf('=', StringComparison.Ordinal);
                if (at <= 0)
                    throw CliException.Usage($"--tag {pair}: give KEY=VALUE");
                tagPatch[pair[..at]] = pair[(at + 1)..];
            }
            // In a merge patch a null removes the key.
            foreach (var key in removedTags)
                tagPatch[key] = null;
        }
        return patch.ToJsonString();
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
            var pools = await api.GetAsync(run.Route("listNodePools", run.Value(name)), ct);
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
            // Nodes report their Kubernetes version once they run it; the column shows when the answer has it.
            var versions = members.Any(n => n?["kubernetesVersion"] is not null);
            var table = Printer.Grid(["INSTANCE", "NAME", "ZONE", "TYPE", "CAPACITY", "STATE", "PHASE", .. versions ? new[] { "KUBERNETES" } : [], "LAUNCHED", "PRIVATE IP"]);
            foreach (var node in members)
                table.AddTextRow([node.Text("instanceId"), node.Text("name"), Known(node, "zone"), Known(node, "instanceType"), Known(node, "capacityType"),
                    Known(node, "state"), Phase(node), .. versions ? new[] { Known(node, "kubernetesVersion") } : [],
                    node.Time("launchTime") is { } at ? Json.Stamp(at) : "-", Known(node, "privateIp")]);
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
            var cluster = await api.PostAsync(run.Route("addNodePool", run.Value(name)), SpecFile.ReadAsJson(run.Value(file), run.Host.In), ct);
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
            var cluster = await api.SendAsync(HttpMethod.Put, run.Route("replaceNodePool", run.Value(name), run.Value(pool)),
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
            var cluster = await api.DeleteAsync(run.Route("removeNodePool", run.Value(name), run.Value(pool)), ct);
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
        var exit = await run.Waiter(api, name).WaitAsync(Goal.Running, ct);
        var after = await api.GetAsync(run.Route("getCluster", name), ct);
        var updated = after.Items("conditions").FirstOrDefault(c => c.Text("type") == "Updated");
        if (updated?.Text("status") == "False")
        {
            run.Host.Error.WriteLine($"the update failed: {updated.Text("message")}");
            return ExitCodes.ApiError;
        }
        return exit;
    }
}
