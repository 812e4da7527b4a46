using System.Text.Json.Nodes;
using PaletteServerless.Cli.Specs;
using Spectre.Console;

namespace PaletteServerless.Cli.Output;

/// <summary>Prints what the API answered: as JSON or YAML exactly as received, or as a table for people.</summary>
public static class Printer
{
    public static void Print(CliHost host, IAnsiConsole console, string format, JsonNode node, Func<Spectre.Console.Rendering.IRenderable> table)
    {
        switch (format)
        {
            case "json":
                host.Out.WriteLine(node.ToJsonString(Json.Indented));
                break;
            case "yaml":
                host.Out.Write(YamlJson.FromJson(node));
                break;
            default:
                console.Write(table());
                break;
        }
    }

    /// <summary>A borderless table in the style of kubectl: upper-case headers, one row per item.</summary>
    public static Table Grid(params string[] headers)
    {
        var table = new Table().Border(TableBorder.None).HideRowSeparators();
        foreach (var header in headers)
            table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))).PadLeft(0).PadRight(2));
        return table;
    }

    /// <summary>A row of plain text cells: what the API says is never read as Spectre markup.</summary>
    public static void AddTextRow(this Table table, params string[] cells) => table.AddRow(cells.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)).ToArray());

    /// <summary>The leftovers of a force delete or an orphan sweep, with what they cost per hour.</summary>
    public static Spectre.Console.Rendering.IRenderable Leftovers(JsonNode report, string empty)
    {
        var leftovers = report.Items("leftovers").ToList();
        if (leftovers.Count == 0)
            return new Rows(new Text(empty));
        var table = Grid("TYPE", "ID", "CLUSTER", "ACCOUNT", "REGION", "$/HOUR", "REASON");
        foreach (var item in leftovers)
            table.AddTextRow(item.Text("type"), item.Text("id"), item.Text("cluster"), item.Text("account"), item.Text("region"),
                Json.Usd(item.Number("estimatedHourlyCostUsd")), item.Text("reason"));
        return new Rows(table, new Text($"{leftovers.Count} left, estimated {Json.Usd(report.Number("estimatedHourlyCostUsd"))} per hour"));
    }
}
