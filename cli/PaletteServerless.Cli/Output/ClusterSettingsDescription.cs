using System.Text.Json.Nodes;
using Spectre.Console;

namespace PaletteServerless.Cli.Output;

/// <summary>`psctl clusters describe`: the cluster's day-2 settings (patch schedule, scans, backup, RBAC, virtual clusters), one line each.</summary>
public static class ClusterSettingsDescription
{
    public static void Add(TreeNode node, JsonNode? settings)
    {
        if (settings is not JsonObject { Count: > 0 })
        {
            node.AddNode(new Text("(none)"));
            return;
        }
        if (settings.TextOrNull("patchSchedule") is { } patch)
            node.AddNode(new Text($"patch schedule: {patch} (UTC)"));
        if (settings["osPatchOnBoot"] is JsonValue onBoot)
            node.AddNode(new Text($"os patch on boot: {(onBoot.GetValue<bool>() ? "on" : "off")}"));
        if (settings["securityScans"] is { } scans)
            node.AddNode(new Text($"security scans: {OnOff(scans)}" + (scans.TextOrNull("schedule") is { } at ? $", {at}" : "")));
        if (settings["backup"] is { } backup)
            node.AddNode(new Text($"backup: {OnOff(backup)}"
                + (backup.TextOrNull("schedule") is { } at ? $", {at}" : "")
                + (backup["retentionDays"] is JsonValue ? $", kept {backup.Text("retentionDays")} days" : "")
                + (backup.TextOrNull("location") is { Length: > 0 } location ? $", to {location}"
                    : backup["enabled"] is JsonValue on && on.TryGetValue<bool>(out var enabled) && enabled ? ", to a bucket of the cluster" : "")));
        foreach (var binding in settings.Items("rbac"))
            node.AddNode(new Text($"rbac: {binding.Text("type")} {binding.Text("role")}"
                + (binding.TextOrNull("namespace") is { } ns ? $" in {ns}" : "")
                + " to " + string.Join(", ", binding.Items("subjects").Select(s => $"{s.Text("kind")} {s.Text("name")}"))));
        if (settings["virtualClusters"] is { } virtualClusters)
            node.AddNode(new Text($"virtual clusters: {OnOff(virtualClusters)}"));
    }

    private static string OnOff(JsonNode feature) => feature["enabled"]?.GetValue<bool>() == true ? "on" : "off";
}
