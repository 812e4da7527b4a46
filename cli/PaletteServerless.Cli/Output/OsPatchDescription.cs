using System.Text.Json.Nodes;
using Spectre.Console;

namespace PaletteServerless.Cli.Output;

/// <summary>`psctl clusters describe`: the cluster's last OS patch run (lastOsPatch): its result and times, then each node.</summary>
public static class OsPatchDescription
{
    public static void Add(Tree tree, JsonNode? run)
    {
        var node = tree.AddNode(new Markup("[bold]last os patch[/]"));
        if (run is not JsonObject)
        {
            node.AddNode(new Text("(none yet)"));
            return;
        }
        node.AddNode(new Text($"{run.Text("id")}: {run.Text("result")}, {run.Text("nodesPatched")} node(s) patched   started: {run.Text("startedAt")}"
            + (run.TextOrNull("completedAt") is { } completed ? $"   completed: {completed}" : "")));
        node.AddNode(new Text($"trigger: {run.Text("trigger")}"));
        if (run.TextOrNull("message") is { } message)
            node.AddNode(new Text(message));
        foreach (var n in run.Items("nodes"))
            node.AddNode(new Text($"{n.Text("instanceId")} ({n.Text("pool")}): {n.Text("state")}" + (n.TextOrNull("message") is { } said ? $": {said}" : "")));
    }
}
