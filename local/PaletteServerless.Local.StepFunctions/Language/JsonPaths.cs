using System.Collections.Concurrent;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace PaletteServerless.Local.StepFunctions.Language;

/// <summary>
/// JSONPath as the States Language uses it: Paths select from the input (or from the context
/// object when they start with "$$"), Reference Paths address exactly one node and may create it.
/// Selection is Newtonsoft's SelectToken, a complete JSONPath implementation.
/// </summary>
public static partial class JsonPaths
{
    private static readonly ConcurrentDictionary<string, bool> ValidPathCache = new();

    /// <summary>A Path: starts with "$" and is accepted by the JSONPath parser.</summary>
    public static bool IsValidPath(string path) => ValidPathCache.GetOrAdd(path, static p =>
    {
        var body = p.StartsWith("$$", StringComparison.Ordinal) ? p[1..] : p;
        if (!body.StartsWith('$'))
            return false;
        try
        {
            new JObject().SelectTokens(body).ToList();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    });

    /// <summary>A Reference Path: only field names and array indexes, so it names one node.</summary>
    public static bool IsReferencePath(string path) => TryParseReferencePath(path, out _);

    /// <summary>
    /// The value a Path selects, or null when it selects nothing. A path that can match many nodes
    /// (wildcards, filters, slices, deep scan) yields an array of the matches, as AWS does.
    /// </summary>
    public static JToken? Select(JToken data, JToken context, string path)
    {
        if (path.StartsWith("$$", StringComparison.Ordinal))
            return Select(context, JValue.CreateNull(), path[1..]);
        if (path == "$")
            return data;
        if (IsIndefinite(path))
            return new JArray(data.SelectTokens(path).Select(token => token.DeepClone()));
        return data.SelectToken(path);
    }

    /// <summary>The selected value, or a <see cref="StatesException"/> with <paramref name="error"/> when it is missing.</summary>
    public static JToken SelectRequired(JToken data, JToken context, string path, string error, string field)
    {
        JToken? found;
        try
        {
            found = Select(data, context, path);
        }
        catch (JsonException ex)
        {
            throw new StatesException(error, $"Invalid path '{path}' in {field}: {ex.Message}");
        }
        return found ?? throw new StatesException(error,
            $"The JSONPath '{path}' specified for the field '{field}' could not be found in the input '{Truncate(JsonText.Print(data))}'");
    }

    /// <summary>
    /// Places <paramref name="result"/> into <paramref name="input"/> at a Reference Path (ResultPath),
    /// creating missing objects on the way; "$" replaces the input. The input itself is not changed.
    /// </summary>
    public static JToken SetAt(JToken input, string referencePath, JToken result)
    {
        if (!TryParseReferencePath(referencePath, out var segments))
            throw new StatesException(StatesErrors.ResultPathMatchFailure, $"'{referencePath}' is not a reference path.");
        if (segments.Count == 0)
            return result;
        var root = input.DeepClone();
        var node = root;
        for (var i = 0; i < segments.Count; i++)
        {
            var last = i == segments.Count - 1;
            var segment = segments[i];
            if (segment.Index is { } index)
            {
                if (node is not JArray array || index >= array.Count)
                    throw ResultPathFailure(referencePath, input);
                if (last)
                    array[index] = result;
                else
                    node = array[index];
                continue;
            }
            if (node is not JObject obj)
                throw ResultPathFailure(referencePath, input);
            if (last)
            {
                obj[segment.Name!] = result;
            }
            else
            {
                var child = obj[segment.Name!];
                if (child is null)
                {
                    child = new JObject();
                    obj[segment.Name!] = child;
                }
                else if (child.Type is not (JTokenType.Object or JTokenType.Array))
                {
                    throw ResultPathFailure(referencePath, input);
                }
                node = child;
            }
        }
        return root;
    }

    private static StatesException ResultPathFailure(string path, JToken input) =>
        new(StatesErrors.ResultPathMatchFailure,
            $"Unable to apply ResultPath \"{path}\" to input \"{Truncate(JsonText.Print(input))}\"");

    private static bool IsIndefinite(string path)
    {
        // Quoted field names may hold any character; only the path's own syntax counts.
        var syntax = QuotedName().Replace(path, "''");
        return syntax.Contains('*') || syntax.Contains("..", StringComparison.Ordinal) || syntax.Contains("?(", StringComparison.Ordinal)
            || syntax.Contains(':') || syntax.Contains(',');
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"'[^']*'|""[^""]*""")]
    private static partial System.Text.RegularExpressions.Regex QuotedName();

    private readonly record struct Segment(string? Name, int? Index);

    private static bool TryParseReferencePath(string path, out List<Segment> segments)
    {
        segments = [];
        if (!path.StartsWith('$') || path.StartsWith("$$", StringComparison.Ordinal))
            return false;
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var start = ++i;
                while (i < path.Length && path[i] != '.' && path[i] != '[')
                    i++;
                var name = path[start..i];
                if (name.Length == 0 || name.Contains('*') || name.Contains('@'))
                    return false;
                segments.Add(new Segment(name, null));
            }
            else if (path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                if (close < 0)
                    return false;
                var inner = path[(i + 1)..close].Trim();
                if (inner.Length >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[^1] == inner[0])
                    segments.Add(new Segment(inner[1..^1], null));
                else if (int.TryParse(inner, out var index) && index >= 0)
                    segments.Add(new Segment(null, index));
                else
                    return false;
                i = close + 1;
            }
            else
            {
                return false;
            }
        }
        return true;
    }

    internal static string Truncate(string text) => text.Length <= 256 ? text : text[..256] + "...";
}
