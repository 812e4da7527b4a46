using System.CommandLine;
using System.Text.Json.Nodes;
using PaletteServerless.Cli.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PaletteServerless.Cli.Commands;

/// <summary>
/// `psctl vclusters list|create|get|delete|kubeconfig CLUSTER [NAME]`: a cluster's virtual clusters (the vcluster
/// chart, installed by the in-cluster agent once settings.virtualClusters.enabled is on).
/// </summary>
public static class VirtualClusterCommands
{
    public static Command Build(CommandContext context) => new("vclusters", "A cluster's virtual clusters (vcluster, installed by the in-cluster agent)")
    {
        List(context), Create(context), Get(context), Delete(context), Kubeconfig(context),
    };

    private static Argument<string> VirtualClusterArgument() => new("name") { Description = "The virtual cluster's name (a DNS label of 1 to 53 characters)" };

    private static Command List(CommandContext context)
    {
        var cluster = CommandContext.NameArgument("cluster");
        var output = CommandContext.OutputOption();
        var command = new Command("list", "The cluster's virtual clusters with their status") { cluster, output };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var items = await api.ListAsync(run.Route("listVirtualClusters", run.Value(cluster)), ct);
            Printer.Print(run.Host, run.Console, run.Value(output), new JsonArray([.. items.Select(i => i.DeepClone())]), () => Table(items));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Create(CommandContext context)
    {
        var cluster = CommandContext.NameArgument("cluster");
        var name = VirtualClusterArgument();
        var output = CommandContext.OutputOption();
        var command = new Command("create", "Create a virtual cluster (Pending until the in-cluster agent has installed it)") { cluster, name, output };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var created = await api.PostAsync(run.Route("createVirtualCluster", run.Value(cluster)),
                new JsonObject { ["name"] = run.Value(name) }.ToJsonString(), ct);
            Printer.Print(run.Host, run.Console, run.Value(output), created, () => new Text(
                $"virtual cluster {created.Text("name")} is {created.Text("status")}{Environment.NewLine}" +
                $"watch it: psctl vclusters get {run.Value(cluster)} {created.Text("name")}{Environment.NewLine}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Get(CommandContext context)
    {
        var cluster = CommandContext.NameArgument("cluster");
        var name = VirtualClusterArgument();
        var output = CommandContext.OutputOption();
        var command = new Command("get", "A virtual cluster and its status") { cluster, name, output };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var found = await api.GetAsync(run.Route("getVirtualCluster", run.Value(cluster), run.Value(name)), ct);
            Printer.Print(run.Host, run.Console, run.Value(output), found, () => Table([found]));
            return found.Text("status") == "Failed" ? ExitCodes.ApiError : ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CommandContext context)
    {
        var cluster = CommandContext.NameArgument("cluster");
        var name = VirtualClusterArgument();
        var output = CommandContext.OutputOption();
        var command = new Command("delete", "Delete a virtual cluster (Deleting until the agent has removed it)") { cluster, name, output };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var deleting = await api.DeleteAsync(run.Route("deleteVirtualCluster", run.Value(cluster), run.Value(name)), ct);
            Printer.Print(run.Host, run.Console, run.Value(output), deleting, () => new Text(
                $"virtual cluster {deleting.Text("name")} is {deleting.Text("status")}{Environment.NewLine}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Kubeconfig(CommandContext context)
    {
        var cluster = CommandContext.NameArgument("cluster");
        var name = VirtualClusterArgument();
        var file = new Option<string?>("--file", "-f") { Description = "Write the kubeconfig to this file (mode 0600) instead of standard output" };
        var command = new Command("kubeconfig", "A Running virtual cluster's kubeconfig, as vcluster wrote it") { cluster, name, file };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var published = await api.GetAsync(run.Route("getVirtualClusterKubeconfig", run.Value(cluster), run.Value(name)), ct);
            var yaml = published.Text("kubeconfig");
            if (run.Value(file) is not { } path)
            {
                run.Host.Out.Write(yaml);
                return ExitCodes.Ok;
            }
            // The file holds the virtual cluster's admin key: readable by its owner only, from the moment it exists.
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            await using (var writer = new StreamWriter(path, new System.Text.UTF8Encoding(false), options))
                await writer.WriteAsync(yaml);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            run.Host.Out.WriteLine($"kubeconfig of virtual cluster {run.Value(name)} written to {path}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static IRenderable Table(IReadOnlyList<JsonNode> items)
    {
        var table = Printer.Grid("NAME", "STATUS", "NAMESPACE", "VCLUSTER", "CREATED", "REASON");
        foreach (var v in items)
            table.AddTextRow(v.Text("name"), v.Text("status"), v.Text("namespace"), v.Text("chartVersion"),
                v.Time("createdAt") is { } at ? Json.Stamp(at) : "-", v.Text("statusReason"));
        return items.Count == 0 ? new Text("no virtual clusters" + Environment.NewLine) : table;
    }
}
