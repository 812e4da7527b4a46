using System.Text.Json;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.EventBridge;

/// <summary>
/// An EventBridge event pattern: every field of the pattern must match the event. Leaves are arrays
/// of matchers, any of which may match: exact values, <c>prefix</c>, <c>suffix</c>,
/// <c>equals-ignore-case</c>, <c>wildcard</c>, <c>anything-but</c> (a value, a list, or a prefix/suffix),
/// <c>numeric</c> ranges and <c>exists</c>. When the event's field is an array, any element may match.
/// </summary>
public sealed class EventPattern
{
    private readonly JsonElement _pattern;

    private EventPattern(JsonElement pattern) => _pattern = pattern;

    /// <summary>Parses and validates a pattern; an invalid one is AWS's <c>InvalidEventPatternException</c>.</summary>
    public static EventPattern Parse(string json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException error)
        {
            throw Invalid($"Event pattern is not valid JSON: {error.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
            throw Invalid("Filter is not an object");
        Validate(root);
        return new EventPattern(root);
    }

    public bool Matches(JsonElement evt) => MatchesObject(_pattern, evt);

    private static void Validate(JsonElement pattern)
    {
        foreach (var field in pattern.EnumerateObject())
        {
            switch (field.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    Validate(field.Value);
                    break;
                case JsonValueKind.Array:
                    foreach (var matcher in field.Value.EnumerateArray())
                        ValidateMatcher(matcher);
                    break;
                default:
                    throw Invalid($"Match value must be String, number, true, false, or null at field '{field.Name}': it must be an array");
            }
        }
    }

    private static void ValidateMatcher(JsonElement matcher)
    {
        if (matcher.ValueKind != JsonValueKind.Object)
            return;
        var properties = matcher.EnumerateObject().ToList();
        if (properties.Count != 1)
            throw Invalid("A content filter object must have exactly one key");
        var (name, value) = (properties[0].Name, properties[0].Value);
        var valid = name switch
        {
            "prefix" or "suffix" or "equals-ignore-case" or "wildcard" => value.ValueKind == JsonValueKind.String,
            "exists" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "numeric" => ValidNumeric(value),
            "anything-but" => value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Array
                || (value.ValueKind == JsonValueKind.Object && value.EnumerateObject().All(p => p.Name is "prefix" or "suffix")),
            _ => throw Invalid($"Unrecognized match type {name}"),
        };
        if (!valid)
            throw Invalid($"Invalid value for {name}");
    }

    private static bool ValidNumeric(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
            return false;
        var items = value.EnumerateArray().ToList();
        if (items.Count is not (2 or 4))
            return false;
        for (var i = 0; i < items.Count; i += 2)
        {
            if (items[i].ValueKind != JsonValueKind.String || items[i].GetString() is not ("<" or "<=" or "=" or ">" or ">=")
                || items[i + 1].ValueKind != JsonValueKind.Number)
                return false;
        }
        return true;
    }

    private static bool MatchesObject(JsonElement pattern, JsonElement evt)
    {
        foreach (var field in pattern.EnumerateObject())
        {
            var value = default(JsonElement);
            var present = evt.ValueKind == JsonValueKind.Object && evt.TryGetProperty(field.Name, out value);
            if (field.Value.ValueKind == JsonValueKind.Object)
            {
                if (!present || !MatchesObject(field.Value, value))
                    return false;
                continue;
            }

            var matchers = field.Value.EnumerateArray().ToList();
            if (!present)
            {
                if (!matchers.Any(m => IsExists(m, false)))
                    return false;
                continue;
            }

            var candidates = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value];
            if (!matchers.Any(m => IsExists(m, true) || candidates.Any(c => MatchesValue(m, c))))
                return false;
        }
        return true;
    }

    private static bool IsExists(JsonElement matcher, bool expected) =>
        matcher.ValueKind == JsonValueKind.Object && matcher.TryGetProperty("exists", out var exists)
        && exists.ValueKind == (expected ? JsonValueKind.True : JsonValueKind.False);

    private static bool MatchesValue(JsonElement matcher, JsonElement value)
    {
        if (matcher.ValueKind != JsonValueKind.Object)
            return SameScalar(matcher, value);
        var rule = matcher.EnumerateObject().First();
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return rule.Name switch
        {
            "prefix" => text is not null && text.StartsWith(rule.Value.GetString()!, StringComparison.Ordinal),
            "suffix" => text is not null && text.EndsWith(rule.Value.GetString()!, StringComparison.Ordinal),
            "equals-ignore-case" => text is not null && string.Equals(text, rule.Value.GetString(), StringComparison.OrdinalIgnoreCase),
            "wildcard" => text is not null && Regex.IsMatch(text, "^" + Regex.Escape(rule.Value.GetString()!).Replace("\\*", ".*", StringComparison.Ordinal) + "$"),
            "numeric" => value.ValueKind == JsonValueKind.Number && InRange(rule.Value, value.GetDouble()),
            "anything-but" => !AnythingButExcludes(rule.Value, value, text),
            _ => false,
        };
    }

    private static bool AnythingButExcludes(JsonElement excluded, JsonElement value, string? text) => excluded.ValueKind switch
    {
        JsonValueKind.Array => excluded.EnumerateArray().Any(e => SameScalar(e, value)),
        JsonValueKind.Object => excluded.EnumerateObject().Any(p =>
            text is not null && (p.Name == "prefix"
                ? text.StartsWith(p.Value.GetString()!, StringComparison.Ordinal)
                : text.EndsWith(p.Value.GetString()!, StringComparison.Ordinal))),
        _ => SameScalar(excluded, value),
    };

    private static bool InRange(JsonElement conditions, double number)
    {
        var items = conditions.EnumerateArray().ToList();
        for (var i = 0; i < items.Count; i += 2)
        {
            var bound = items[i + 1].GetDouble();
            var holds = items[i].GetString() switch
            {
                "<" => number < bound,
                "<=" => number <= bound,
                "=" => number == bound,
                ">" => number > bound,
                ">=" => number >= bound,
                _ => false,
            };
            if (!holds)
                return false;
        }
        return true;
    }

    private static bool SameScalar(JsonElement expected, JsonElement actual) => (expected.ValueKind, actual.ValueKind) switch
    {
        (JsonValueKind.String, JsonValueKind.String) => expected.GetString() == actual.GetString(),
        (JsonValueKind.Number, JsonValueKind.Number) => expected.GetDouble() == actual.GetDouble(),
        (JsonValueKind.True, JsonValueKind.True) or (JsonValueKind.False, JsonValueKind.False) or (JsonValueKind.Null, JsonValueKind.Null) => true,
        _ => false,
    };

    private static AwsErrorException Invalid(string reason) =>
        new("InvalidEventPatternException", $"Event pattern is not valid. Reason: {reason}");
}
