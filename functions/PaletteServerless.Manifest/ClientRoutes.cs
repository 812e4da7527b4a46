using System.Reflection;
using System.Text;
using System.Text.Json;

namespace PaletteServerless.Manifest;

/// <summary>
/// The route file psctl and the web console take every path from: <see cref="ApiRouteCatalog"/> written out as
/// JSON, each route under the camelCase name of its catalog field (<c>getCluster</c>: method and path template).
/// The console imports it as a JSON module, psctl embeds it; a test fails when the file in the repository is not
/// what <see cref="Render"/> makes, and names <see cref="RegenerateCommand"/>.
/// </summary>
public static class ClientRoutes
{
    /// <summary>Where the file lives, from the repository root.</summary>
    public static readonly string RelativePath = Path.Combine("console", "src", "routes.json");

    /// <summary>What rewrites the file from the catalog (run from the repository root).</summary>
    public const string RegenerateCommand = "dotnet run tools/generate-routes.cs";

    /// <summary>Each route of the catalog under its field's camelCase name, in the order the catalog declares them.</summary>
    public static IReadOnlyList<(string Name, ApiRouteDefinition Route)> Named() =>
        [.. typeof(ApiRouteCatalog).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ApiRouteDefinition))
            .Select(f => (char.ToLowerInvariant(f.Name[0]) + f.Name[1..], (ApiRouteDefinition)f.GetValue(null)!))];

    /// <summary>The file's whole text.</summary>
    public static string Render()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("generated", $"from functions/PaletteServerless.Manifest/ApiRouteCatalog.cs by: {RegenerateCommand} (do not edit)");
            json.WriteStartObject("routes");
            foreach (var (name, route) in Named())
            {
                json.WriteStartObject(name);
                json.WriteString("method", route.Method);
                json.WriteString("path", route.Template);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }
}
