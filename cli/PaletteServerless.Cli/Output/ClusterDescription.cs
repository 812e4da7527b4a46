using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PaletteServerless.Cli.Output;

/// <summary>
/// `psctl clusters describe`: the cluster as a tree of what the API tells: status, conditions,
/// node pools with their nodes, the last events and the hourly cost. Each pool shows its count, what
/// NodePoolsReady says about its instances, and each node the node pools answer lists (when it answered).
/// </summary>
public static class ClusterDescription
{
    public const int LastEvents = 10;

    public static IRenderable Render(JsonNode cluster, IReadOnlyList<JsonNode> events, string hourlyCost, bool colour, JsonNode? nodes = null)
    {
        string Paint(string text, string style) => colour ? $"[{style}]{Markup.Escape(text)}[/]" : Markup.Escape(text);
        var status = cluster.Text("status");
        var statusStyle = status switch
        {
            "Running" => "green",
            "Failed" => "red",
            "Deleted" => "grey",
            _ => "yellow",
        };
        var tree = new Tree(new Markup($"cluster {Paint(cluster.Text("name"), "bold")}  {Paint(status, statusStyle)}"));
        tree.AddNode(Line($"reason: {cluster.Text("statusReason")}"));
        tree.AddNode(Line($"uid: {cluster.Text("uid")}   version: {cluster.Text("version")}"));
        tree.AddNode(Line($"created: {cluster.Text("createdAt")}   updated: {cluster.Text("updatedAt")}"));
        // Applied (observed) against accepted: the in-cluster agent's PacksApplied condition says which generation's packs run.
        tree.AddNode(Line($"generation: {cluster.Text("observedGeneration")} of {cluster.Text("generation")} applied"));
        if (cluster.TextOrNull("forceDeleteAvailableAt") is { } forceAt)
            tree.AddNode(Line($"force delete available at: {forceAt}" + (cluster.Number("forceDeleteSecondsLeft") is { } left ? $" (in {Json.Duration(TimeSpan.FromSeconds((double)left))})" : "")));
        var cloud = cluster["cloud"];
        tree.AddNode(Line($"cloud account: {cluster.Text("cloudAccount")}   region: {cloud.Text("region")}   placement: {cloud?["placement"].Text("mode")}   ssh key: {cloud.Text("sshKeyName")}"));
        tree.AddNode(Line($"profile: {cluster["profile"].Text("name")} {cluster["profile"].Text("version")}"));
        tree.AddNode(Line($"api load balancer: {cloud?.TextOrNull("apiLoadBalancer") ?? "internet-facing"}   worker pools update: "
            + (cluster["updateWorkerPoolsInParallel"]?.GetValue<bool>() == true ? "in parallel" : "one after another")));
        tree.AddNode(Line($"description: {cluster.TextOrNull("description") ?? "(none)"}"));
        tree.AddNode(Line("tags: " + (cluster["tags"] is JsonObject { Count: > 0 } tags ? Pairs(tags) : "(none)")));
        tree.AddNode(Line($"hourly cost: {hourlyCost}"));
        ClusterSettingsDescription.Add(tree.AddNode(new Markup(Paint("settings", "bold"))), cluster["settings"]);
        OsPatchDescription.Add(tree, cluster["lastOsPatch"]);

        var conditions = tree.AddNode(new Markup(Paint("conditions", "bold")));
        var all = cluster.Items("conditions").ToList();
        if (all.Count == 0)
            conditions.AddNode(Line("(none yet)"));
        foreach (var c in all)
        {
            var done = c.Text("status") == "True";
            var mark = done ? Paint("[x]", "green") : Paint("[ ]", "yellow");
            var node = conditions.AddNode(new Markup($"{mark} {Markup.Escape(c.Text("type"))}  {Markup.Escape(c.Text("status"))}  {Markup.Escape(c.Text("reason"))}"));
            node.AddNode(Line($"{c.Text("message")}  ({c.Text("lastTransitionTime")})"));
        }

        var nodePoolsReady = all.FirstOrDefault(c => c.Text("type") == "NodePoolsReady");
        var pools = tree.AddNode(new Markup(Paint("node pools", "bold")));
        foreach (var pool in cluster.Items("nodePools"))
        {
            var node = pools.AddNode(Line($"{pool.Text("name")}  {pool.Text("role")}  {pool.Text("count")} x {pool.Text("instanceType")} {pool.Text("capacityType")}"
                + (pool.Number("maxSpotPrice") is { } price ? $" (max {Json.Usd(price)}/h)" : "")));
            node.AddNode(Line($"zones: {string.Join(", ", pool.Items("availabilityZones").Select(z => z.GetValue<string>()))}   disk: {pool.Text("diskSizeGiB")} GiB"));
            var labels = pool["labels"] as JsonObject;
            if (labels is { Count: > 0 })
                node.AddNode(Line("labels: " + Pairs(labels)));
            var taints = pool.Items("taints").ToList();
            if (taints.Count > 0)
                node.AddNode(Line("taints: " + string.Join(", ", taints.Select(t => $"{t.Text("key")}={t.Text("value")}:{t.Text("effect")}"))));
            if (pool["updateStrategy"] is { } strategy)
                node.AddNode(Line($"update: maxSurge {Shown(strategy, "maxSurge", "1")}, maxUnavailable {Shown(strategy, "maxUnavailable", "0")}"));
            if (pool["healthCheck"] is { } check)
                node.AddNode(Line(check["enabled"]?.GetValue<bool>() == false ? "health check: off"
                    : $"health check: maxUnhealthy {Shown(check, "maxUnhealthy", "100%")}, node startup timeout {Shown(check, "nodeStartupTimeoutMinutes", "10")} min"));
            var requested = node.AddNode(Line(nodePoolsReady is null
                ? $"nodes: {pool.Text("count")} requested"
                : $"nodes: {pool.Text("count")} requested; instances: {nodePoolsReady.Text("message")}"));
            var members = nodes.Items("pools").FirstOrDefault(p => p.Text("name") == pool.Text("name")).Items("nodes");
            foreach (var member in members)
                requested.AddNode(Line(string.Join("  ", new[] { "instanceId", "zone", "instanceType", "state", "phase" }.Select(f => member.TextOrNull(f) ?? "-"))
                    + (member.TextOrNull("kubernetesVersion") is { } version ? $"  kubernetes {version}" : "")));
        }
        if (nodes.TextOrNull("warning") is { } warning)
            pools.AddNode(Line($"nodes as recorded: {warning}"));

        var last = events.TakeLast(LastEvents).ToList();
        var eventsNode = tree.AddNode(new Markup(Paint($"last events ({last.Count} of {events.Count})", "bold")));
        foreach (var e in last)
        {
            var type = e.Text("type");
            eventsNode.AddNode(new Markup($"{Markup.Escape(e.Text("at"))}  {(type == "Warning" ? Paint(type, "yellow") : Markup.Escape(type))}  {Markup.Escape(e.Text("reason"))}  {Markup.Escape(e.Text("message"))}"));
        }
        return tree;
    }

    private static Text Line(string text) => new(text);

    /// <summary>A field as the API wrote it (a number or a string such as 25%), or the API's default when absent.</summary>
    internal static string Shown(JsonNode? node, string name, string fallback) => node?[name] is JsonValue ? node.Text(name) : fallback;

    internal static string Pairs(JsonObject pairs) => string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"));
}
