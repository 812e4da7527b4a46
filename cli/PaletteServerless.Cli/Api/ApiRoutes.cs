using System.Text.Json.Nodes;

namespace PaletteServerless.Cli.Api;

/// <summary>
/// The API's routes, from the one route file the web console reads too (console/src/routes.json, generated from
/// the API's route catalog and embedded here at build): psctl spells no path of its own. A route is named as in
/// that file (<c>getCluster</c>) and its {parameters} are filled in the order its template names them.
/// </summary>
public static class ApiRoutes
{
    private static readonly Lazy<IReadOnlyDictionary<string, (string Method, string Path)>> All = new(Load);

    /// <summary>Every route by name.</summary>
    public static IReadOnlyDictionary<string, (string Method, string Path)> Routes => All.Value;

    /// <summary>
    /// The route's path, relative to the endpoint (no leading /), each {parameter} replaced by the next value,
    /// escaped. A name the file lacks, or a count of values that differs from the template's, is a bug of psctl.
    /// </summary>
    public static string Path(string name, params string[] values)
    {
        if (!All.Value.TryGetValue(name, out var route))
            throw new InvalidOperationException($"the route file has no route '{name}'");
        var parts = route.Path.Split('/');
        var next = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            if (!parts[i].StartsWith('{'))
                continue;
            if (next == values.Length)
                throw new InvalidOperationException($"route '{name}' ({route.Path}) needs more than {values.Length} value(s)");
            parts[i] = Uri.EscapeDataString(values[next++]);
        }
        if (next != values.Length)
            throw new InvalidOperationException($"route '{name}' ({route.Path}) takes {next} value(s), not {values.Length}");
        return string.Join('/', parts).TrimStart('/');
    }

    private static IReadOnlyDictionary<string, (string Method, string Path)> Load()
    {
        using var stream = typeof(ApiRoutes).Assembly.GetManifestResourceStream("PaletteServerless.Cli.routes.json")
            ?? throw new InvalidOperationException("psctl was built without its route file (console/src/routes.json)");
        var routes = JsonNode.Parse(stream)!["routes"]!.AsObject();
        return routes.ToDictionary(r => r.Key, r => (r.Value!["method"]!.GetValue<string>(), r.Value!["path"]!.GetValue<string>()), StringComparer.Ordinal);
    }
}
