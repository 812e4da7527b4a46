using System.CommandLine;
using System.Text.Json.Nodes;
using PaletteServerless.Cli.Output;
using Spectre.Console;

namespace PaletteServerless.Cli.Commands;

/// <summary>
/// `psctl profiles versions NAME` and `psctl profiles delete-version NAME VERSION`: a profile's versions. A version
/// is added with `psctl profiles create -f` and the same name with a new version; a cluster moves to one with
/// `psctl clusters update NAME --profile-version V` (or a PATCH of profile.version).
/// </summary>
public static class ProfileVersionCommands
{
    private static readonly string[] Headers = ["VERSION", "KUBERNETES", "PACKS", "CREATED"];

    public static IEnumerable<Command> Build(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster profile");
        var output = CommandContext.OutputOption();
        var versions = new Command("versions", "List every version of a cluster profile, oldest first") { name, output };
        context.SetAction(versions, async (run, ct) =>
        {
            using var api = run.Api();
            var profile = await api.GetAsync(run.Route("getClusterProfile", run.Value(name)), ct);
            var items = profile["versions"]?.AsArray() ?? [];
            Printer.Print(run.Host, run.Console, run.Value(output), items.DeepClone(), () => Table(items));
            return ExitCodes.Ok;
        });
        yield return versions;

        var deleteName = CommandContext.NameArgument("cluster profile");
        var version = new Argument<string>("version") { Description = "The version to remove" };
        var delete = new Command("delete-version", "Delete one version of a cluster profile (refused, naming them, while live clusters use it)") { deleteName, version };
        context.SetAction(delete, async (run, ct) =>
        {
            using var api = run.Api();
            await api.DeleteAsync(run.Route("deleteClusterProfile", run.Value(deleteName))
                + $"?version={Uri.EscapeDataString(run.Value(version))}", ct);
            run.Host.Out.WriteLine($"cluster profile {run.Value(deleteName)} version {run.Value(version)} deleted");
            return ExitCodes.Ok;
        });
        yield return delete;
    }

    /// <summary>The Kubernetes version a profile version runs (its k8s pack's).</summary>
    public static string Kubernetes(JsonNode profile) =>
        profile.Items("packs").FirstOrDefault(p => p.Text("layer") == "k8s")?.Text("version") ?? "-";

    private static Spectre.Console.Rendering.IRenderable Table(JsonArray items)
    {
        var table = Printer.Grid(Headers);
        foreach (var item in items)
        {
            table.AddTextRow(item!.Text("version"), Kubernetes(item!),
                string.Join(", ", item.Items("packs").Select(k => $"{k.Text("layer")}:{k.Text("name")}@{k.Text("version")}")), item.Text("createdAt"));
        }
        return table.Rows.Count == 0 ? new Text($"no versions{Environment.NewLine}") : table;
    }
}

/// <summary>
/// `psctl clusters upgrade NAME --profile-version V`: moves a cluster to another version of its profile (a new
/// Kubernetes release is a rolling repave, control planes first). Shows the plan, asks, applies.
/// </summary>
public static class ClusterProfileVersionCommand
{
    public static Command Build(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var version = new Option<string>("--profile-version") { Description = "The version of the cluster's profile to move to", Required = true };
        var yes = new Option<bool>("--yes", "-y") { Description = "Apply without asking" };
        var wait = new Option<bool>("--wait") { Description = "Show progress until the update is over and the cluster Running" };
        var command = new Command("upgrade", "Move a cluster to another version of its profile: shows the plan (order, nodes replaced, cost), asks, applies") { name, version, yes, wait };
        context.SetAction(command, async (run, ct) =>
        {
            var clusterName = run.Value(name);
            var route = run.Route("updateCluster", clusterName);
            var patch = new JsonObject { ["profile"] = new JsonObject { ["version"] = run.Value(version) } }.ToJsonString();
            using var api = run.Api();
            DayTwoCommands.PrintPlan(run, await api.SendAsync(HttpMethod.Patch, route + "?dryRun=true", patch, ct));
            if (!run.Value(yes))
            {
                run.Host.Out.Write("Apply this change? [y/N] ");
                run.Host.Out.Flush();
                var answer = run.Host.In.ReadLine() ?? throw CliException.Usage("no answer could be read: pass --yes to apply without asking");
                if (answer.Trim().ToLowerInvariant() is not ("y" or "yes"))
                {
                    run.Host.Out.WriteLine("nothing changed");
                    return ExitCodes.Ok;
                }
            }
            var cluster = await api.SendAsync(HttpMethod.Patch, route, patch, ct);
            return await DayTwoCommands.ReportAsync(run, api, clusterName, cluster, run.Value(wait), ct);
        });
        return command;
    }
}
