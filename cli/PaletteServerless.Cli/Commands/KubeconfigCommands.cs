using System.CommandLine;
using System.Text.Json.Nodes;
using PaletteServerless.Cli.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PaletteServerless.Cli.Commands;

/// <summary>
/// `psctl kubeconfigs list CLUSTER`: the client certificates issued for a cluster (an admin sees everyone's,
/// anyone else their own). Issuing one stays `psctl clusters kubeconfig`.
/// </summary>
public static class KubeconfigCommands
{
    public static Command Build(CommandContext context) => new("kubeconfigs", "The client certificates issued for a cluster's kubeconfigs")
    {
        List(context),
    };

    private static Command List(CommandContext context)
    {
        var name = CommandContext.NameArgument("cluster");
        var output = CommandContext.OutputOption();
        var command = new Command("list", "The kubeconfigs issued for a cluster: subject, group, serial number, when issued, until when valid, to whom") { name, output };
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var items = await api.ListAsync(run.Route("listClusterKubeconfigs", run.Value(name)), ct);
            Printer.Print(run.Host, run.Console, run.Value(output), new JsonArray(items.Select(i => i.DeepClone()).ToArray()),
                () => Table(items, run.Host.Time.GetUtcNow()));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static IRenderable Table(IReadOnlyList<JsonNode> issued, DateTimeOffset now)
    {
        var table = Printer.Grid("SUBJECT", "GROUP", "SERIAL", "ISSUED", "EXPIRES", "ISSUED TO");
        foreach (var k in issued)
        {
            // A certificate works until it expires (Kubernetes cannot revoke one), so whether it still does is worth a glance.
            var expires = k.Time("expiresAt") is { } at ? Json.Stamp(at) + (at <= now ? " (expired)" : "") : "-";
            table.AddTextRow(k.Text("subject"), k.Text("group"), k.Text("serialNumber"), k.Time("issuedAt") is { } issuedAt ? Json.Stamp(issuedAt) : "-",
                expires, k.Text("issuedBy"));
        }
        return issued.Count == 0 ? new Text("no kubeconfigs issued" + Environment.NewLine) : table;
    }
}
