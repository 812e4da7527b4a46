using System.Text.Json;
using System.Text.Json.Nodes;

namespace PaletteServerless.Cli.Config;

/// <summary>
/// psctl's settings file, config.json in the user's config directory. It holds a bearer token,
/// so it is created readable and writable by its owner only (0600), in a folder only the owner can list.
/// </summary>
public sealed class ConfigFile(string directory)
{
    /// <summary>The keys `psctl config set` accepts.</summary>
    public static readonly IReadOnlyList<string> Keys = ["endpoint", "token", "project"];

    public string Path { get; } = System.IO.Path.Combine(directory, "config.json");

    public Dictionary<string, string> Load()
    {
        if (!File.Exists(Path))
            return [];
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(Path)) as JsonObject
                ?? throw CliException.Usage($"{Path}: not a JSON object; fix or remove it");
            return node.Where(p => p.Value is JsonValue v && v.TryGetValue<string>(out _))
                .ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"{Path}: not valid JSON ({ex.Message}); fix or remove it");
        }
    }

    public void Set(string key, string value)
    {
        var settings = Load();
        settings[key] = value;
        Save(settings);
    }

    private void Save(Dictionary<string, string> settings)
    {
        var json = new JsonObject();
        foreach (var (key, value) in settings.OrderBy(p => p.Key, StringComparer.Ordinal))
            json[key] = value;
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path, json.ToJsonString(Indented));
            return;
        }
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // Written beside and renamed over, so the token is never in a file with wider rights, not even briefly.
        var temporary = Path + ".tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
            writer.Write(json.ToJsonString(Indented));
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, Path, overwrite: true);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
