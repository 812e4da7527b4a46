using System.CommandLine;
using System.Text.Json.Nodes;
using PaletteServerless.Cli.Output;
using PaletteServerless.Cli.Specs;
using Spectre.Console;

namespace PaletteServerless.Cli.Commands;

/// <summary>The simple nouns (create -f, list, get, delete): cloud accounts and cluster profiles.</summary>
public static class ResourceCommands
{
    /// <param name="Resource">The routes' noun in the route file: create{Resource}, list{Resource}s, get{Resource}, delete{Resource}.</param>
    private sealed record Noun(string Command, string Resource, string What, string[] Headers, Func<JsonNode, string[]> Row);

    public static Command CloudAccounts(CommandContext context)
    {
        var command = Build(context, new Noun(
            "cloudaccounts", "CloudAccount", "cloud account",
            ["NAME", "ACCOUNT", "ROLE ARN", "CREATED"],
            a => [a.Text("name"), a.TextOrNull("accountId") ?? "(the product's own)", a.TextOrNull("roleArn") ?? "-", a.Text("createdAt")]));
        foreach (var listing in CloudAccountReadCommands.Build(context))
            command.Add(listing);
        return command;
    }

    /// <summary>Profiles: `create -f` adds a profile, or a version of one (the same name, a new version); one row per version.</summary>
    public static Command Profiles(CommandContext context)
    {
        var command = Build(context, new Noun(
            "profiles", "ClusterProfile", "cluster profile",
            ["NAME", "VERSION", "KUBERNETES", "PACKS", "CREATED"],
            p => [p.Text("name"), p.Text("version"), ProfileVersionCommands.Kubernetes(p),
                string.Join(", ", p.Items("packs").Select(k => $"{k.Text("layer")}:{k.Text("name")}@{k.Text("version")}")), p.Text("createdAt")]));
        foreach (var versions in ProfileVersionCommands.Build(context))
            command.Add(versions);
        return command;
    }

    private static Command Build(CommandContext context, Noun noun)
    {
        var command = new Command(noun.Command, $"Manage {noun.What}s");

        var file = CommandContext.FileOption($"The {noun.What}");
        var output = CommandContext.OutputOption();
        var create = new Command("create", $"Create a {noun.What} from a file") { file, output };
        context.SetAction(create, async (run, ct) =>
        {
            var body = SpecFile.ReadAsJson(run.Value(file), run.Host.In);
            using var api = run.Api();
            var created = await api.PostAsync(run.Route($"create{noun.Resource}"), body, ct);
            if (run.Value(output) == "table")
            {
                run.Host.Out.WriteLine($"{noun.What} {created.Text("name")} created");
                // A registered role's external id is shown once: the tenant deploys the target-account stack with it.
                if (created.TextOrNull("externalId") is { } externalId)
                {
                    run.Host.Out.WriteLine($"external id: {externalId}");
                    run.Host.Out.WriteLine($"deploy the target-account stack in account {created.TextOrNull("accountId")} with ExternalId={externalId} (only admins can read it again), or give the role this trust policy:");
                    run.Host.Out.WriteLine(created["trustPolicy"]?.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) ?? "{}");
                }
            }
            else
                Printer.Print(run.Host, run.Console, run.Value(output), created, () => Table(noun, [created]));
            return ExitCodes.Ok;
        });
        command.Add(create);

        var listOutput = CommandContext.OutputOption();
        var list = new Command("list", $"List the project's {noun.What}s") { listOutput };
        context.SetAction(list, async (run, ct) =>
        {
            using var api = run.Api();
            var items = await api.ListAsync(run.Route($"list{noun.Resource}s"), ct);
            Printer.Print(run.Host, run.Console, run.Value(listOutput), new JsonArray(items.Select(i => i.DeepClone()).ToArray()), () => Table(noun, items));
            return ExitCodes.Ok;
        });
        command.Add(list);

        var name = CommandContext.NameArgument(noun.What);
        var getOutput = CommandContext.OutputOption();
        var get = new Command("get", $"Show one {noun.What}") { name, getOutput };
        context.SetAction(get, async (run, ct) =>
        {
            using var api = run.Api();
            var item = await api.GetAsync(run.Route($"get{noun.Resource}", run.Value(name)), ct);
            Printer.Print(run.Host, run.Console, run.Value(getOutput), item, () => Table(noun, [item]));
            return ExitCodes.Ok;
        });
        command.Add(get);

        var deleteName = CommandContext.NameArgument(noun.What);
        var delete = new Command("delete", $"Delete a {noun.What} (refused while a live cluster uses it)") { deleteName };
        context.SetAction(delete, async (run, ct) =>
        {
            using var api = run.Api();
            await api.DeleteAsync(run.Route($"delete{noun.Resource}", run.Value(deleteName)), ct);
            run.Host.Out.WriteLine($"{noun.What} {run.Value(deleteName)} deleted");
            return ExitCodes.Ok;
        });
        command.Add(delete);
        return command;
    }

    private static Spectre.Console.Rendering.IRenderable Table(Noun noun, IEnumerable<JsonNode> items)
    {
        var table = Printer.Grid(noun.Headers);
        foreach (var item in items)
            table.AddTextRow(noun.Row(item));
        return table.Rows.Count == 0 ? new Text($"no {noun.What}s{Environment.NewLine}") : table;
    }
}
