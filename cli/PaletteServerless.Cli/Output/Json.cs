using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PaletteServerless.Cli.Output;

/// <summary>Small readers over the API's JSON, tolerant of absent fields.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Text(this JsonNode? node, string name) =>
        node?[name] is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : "";

    public static string? TextOrNull(this JsonNode? node, string name) =>
        node?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static decimal? Number(this JsonNode? node, string name) =>
        node?[name] is JsonValue v && v.TryGetValue<decimal>(out var d) ? d : null;

    public static DateTimeOffset? Time(this JsonNode? node, string name) =>
        node.TextOrNull(name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    public static IEnumerable<JsonNode> Items(this JsonNode? node, string name) =>
        node?[name] is JsonArray a ? a.Where(i => i is not null).Select(i => i!) : [];

    public static string Usd(decimal? value) => value is null ? "unknown" : "$" + value.Value.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>12s, 3m 05s, 1h 02m: elapsed times and time left.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
            span = TimeSpan.Zero;
        if (span.TotalHours >= 1)
            return $"{(int)span.TotalHours}h {span.Minutes:00}m";
        if (span.TotalMinutes >= 1)
            return $"{(int)span.TotalMinutes}m {span.Seconds:00}s";
        return $"{(int)span.TotalSeconds}s";
    }

    /// <summary>The plain-output time stamp: UTC, to the second.</summary>
    public static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
