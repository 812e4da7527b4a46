using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;

namespace PaletteServerless.Cli.Specs;

/// <summary>A spec given with -f: a .json file as it is, a .yaml/.yml file as the JSON it means; "-" reads stdin.</summary>
public static class SpecFile
{
    public static string ReadAsJson(string path, TextReader stdin)
    {
        string text;
        try
        {
            text = path == "-" ? stdin.ReadToEnd() : File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"{path}: {ex.Message}");
        }
        var extension = Path.GetExtension(path).ToLowerInvariant();
        var isYaml = extension is ".yaml" or ".yml" || (path == "-" && !LooksLikeJson(text));
        if (!isYaml)
        {
            if (extension is not ".json" and not "" && path != "-")
                throw CliException.Usage($"{path}: give a .json, .yaml or .yml file");
            // Sent exactly as written: the API's own parser names what is wrong and where.
            return text;
        }
        try
        {
            var json = YamlJson.ToJson(text) ?? throw CliException.Usage($"{path}: the file is empty");
            return json.ToJsonString();
        }
        catch (YamlException ex)
        {
            throw CliException.Usage($"{path}: line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}");
        }
    }

    private static bool LooksLikeJson(string text)
    {
        var trimmed = text.TrimStart();
        if (!trimmed.StartsWith('{') && !trimmed.StartsWith('['))
            return false;
        try
        {
            JsonNode.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
