using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PaletteServerless.Cli.Specs;

/// <summary>
/// YAML to the JSON the API reads, and JSON back to YAML for `-o yaml`. Plain scalars are typed by
/// the YAML 1.2 core schema (null, true/false, integers, floats); quoted and block scalars stay
/// strings, so `values: |` blocks arrive as the YAML text the API expects. The tree keeps its shape,
/// so the API's field paths (nodePools[1].taints[0].effect) point into the YAML file just as well.
/// </summary>
public static partial class YamlJson
{
    public static JsonNode? ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0)
            return null;
        if (stream.Documents.Count > 1)
            throw new YamlException("one document per file, please: this file has " + stream.Documents.Count);
        return Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => ConvertMap(map),
        YamlSequenceNode list => new JsonArray(list.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new YamlException(node.Start, node.End, "unsupported YAML node"),
    };

    private static JsonObject ConvertMap(YamlMappingNode map)
    {
        var json = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
                throw new YamlException(key.Start, key.End, "a key must be a plain string");
            // A duplicate key never gets here: YamlDotNet refuses it while loading.
            json[name] = Convert(value);
        }
        return json;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
            return JsonValue.Create(text);
        if (IsNull(text))
            return null;
        if (IsBool(text))
            return JsonValue.Create(text.Equals("true", StringComparison.OrdinalIgnoreCase));
        if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return JsonValue.Create(integer);
        if (FloatPattern().IsMatch(text) && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            return JsonValue.Create(number);
        return JsonValue.Create(text);
    }

    /// <summary>JSON as YAML: strings that would read back as something else are quoted, multi-line ones are blocks.</summary>
    public static string FromJson(JsonNode? json)
    {
        var document = new YamlDocument(ToYaml(json));
        var stream = new YamlStream(document);
        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlStream ends every document with "...", which is noise on a terminal.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static YamlNode ToYaml(JsonNode? json) => json switch
    {
        null => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
        JsonObject map => new YamlMappingNode(map.Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Key), ToYaml(p.Value)))),
        JsonArray list => new YamlSequenceNode(list.Select(ToYaml)),
        JsonValue value when value.TryGetValue<string>(out var text) => StringScalar(text),
        JsonValue value => new YamlScalarNode(value.ToJsonString()) { Style = ScalarStyle.Plain },
        _ => throw new InvalidOperationException("unknown JSON node"),
    };

    private static YamlScalarNode StringScalar(string text)
    {
        if (text.Contains('\n'))
            return new YamlScalarNode(text) { Style = ScalarStyle.Literal };
        var readsAsOther = text.Length == 0 || IsNull(text) || IsBool(text) || IntegerPattern().IsMatch(text) || FloatPattern().IsMatch(text);
        return new YamlScalarNode(text) { Style = readsAsOther ? ScalarStyle.DoubleQuoted : ScalarStyle.Any };
    }

    private static bool IsNull(string text) => text is "" or "~" or "null" or "Null" or "NULL";

    private static bool IsBool(string text) => text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE";

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
