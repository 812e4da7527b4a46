using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PaletteServerless.Local.Aws.Iam;

/// <summary>
/// What of a request a set of policies can tell apart, so equal answers are cached once: which of
/// its Resource and NotResource patterns a resource matches (two resources matching the same
/// patterns get the same answer), and which context keys its conditions read, by value or (for
/// the Null operator alone) by presence. Keys no statement reads cannot change the answer. A
/// resource pattern with policy variables counts by whether the resource matches it once the
/// request's own values are put in (all the statement can tell); one whose variables the shape
/// cannot resolve (a special one, or a key with several values), or a key read by pattern, keeps
/// the request whole.
/// </summary>
public sealed partial class PolicyShape
{
    private readonly List<Regex> _patterns = [];
    private readonly HashSet<string> _valueKeys = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _presenceKeys = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _resourceVariables = [];
    // Keys compared for exact equality with one whole policy variable, as "the resource's uid tag equals the
    // session's": the answer depends only on whether the two values are equal, not on the values.
    private readonly HashSet<(string Key, string Variable)> _comparisons = [];

    /// <summary>Whether requests must be cached whole (a variable or a key pattern the shape cannot read).</summary>
    public bool Whole { get; private set; }

    public static PolicyShape Of(IEnumerable<JsonNode?> documents)
    {
        var shape = new PolicyShape();
        foreach (var document in documents.OfType<JsonNode>())
        {
            var statements = document["Statement"] is JsonArray many ? many.OfType<JsonObject>() : document["Statement"] is JsonObject one ? [one] : [];
            foreach (var statement in statements)
                shape.Add(statement);
        }
        return shape;
    }

    private void Add(JsonObject statement)
    {
        foreach (var element in new[] { "Resource", "NotResource" })
        {
            foreach (var pattern in Strings(statement[element]))
            {
                if (pattern.Contains("${", StringComparison.Ordinal))
                {
                    // The pattern depends on context values: matched per request with them put in.
                    if (Variable().Matches(pattern).Any(v => v.Groups[1].Value is "*" or "?" or "$"))
                        Whole = true;
                    _resourceVariables.Add(pattern);
                    continue;
                }
                _patterns.Add(new Regex("^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.CultureInvariant));
            }
        }
        if (statement["Condition"] is not JsonObject conditions)
            return;
        foreach (var (operatorName, block) in conditions)
        {
            var presenceOnly = operatorName.Equals("Null", StringComparison.OrdinalIgnoreCase);
            var exact = operatorName is "StringEquals" or "StringEqualsIfExists" or "StringNotEquals" or "StringNotEqualsIfExists";
            foreach (var (key, values) in block as JsonObject ?? [])
            {
                if (key.Contains('*') || key.Contains('$'))
                    Whole = true;
                if (exact && Strings(values).ToList() is [var only] && WholeVariable().Match(only) is { Success: true } whole)
                {
                    _comparisons.Add((key, whole.Groups[1].Value));
                    continue;
                }
                (presenceOnly ? _presenceKeys : _valueKeys).Add(key);
                foreach (var value in Strings(values))
                    foreach (Match variable in Variable().Matches(value))
                        _valueKeys.Add(variable.Groups[1].Value);
            }
        }
    }

    /// <summary>The part of a request the policies can tell apart, as a cache key's text.</summary>
    public string KeyOf(AuthorizationCheck check, PolicyShape? other = null)
    {
        var shapes = other is null ? [this] : new[] { this, other };
        var resolved = shapes.SelectMany(s => s._resourceVariables).Select(p => ResolvedMatch(p, check)).ToList();
        if (shapes.Any(s => s.Whole) || resolved.Contains('?'))
            return "whole|" + check.Resource + "|" + string.Join(";", check.Context.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key + "=" + string.Join(",", c.Value)));
        // A compared key read by value elsewhere is kept by value (with its variable).
        var byValue = shapes.SelectMany(s => s._valueKeys).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, variable) in shapes.SelectMany(s => s._comparisons).Where(c => byValue.Contains(c.Key) || byValue.Contains(c.Variable)).ToList())
        {
            byValue.Add(key);
            byValue.Add(variable);
        }
        var compared = shapes.SelectMany(s => s._comparisons).Where(c => !byValue.Contains(c.Key) && !byValue.Contains(c.Variable)).Distinct()
            .OrderBy(c => c.Key, StringComparer.OrdinalIgnoreCase).ThenBy(c => c.Variable, StringComparer.OrdinalIgnoreCase)
            .Select(c => c.Key + "~" + c.Variable + "=" + Compare(check, c.Key, c.Variable));
        var resource = string.Concat(shapes.SelectMany(s => s._patterns).Select(p => p.IsMatch(check.Resource) ? '1' : '0')) + "/" + string.Concat(resolved);
        var context = check.Context
            .Where(c => byValue.Contains(c.Key) || shapes.Any(s => s._presenceKeys.Contains(c.Key)))
            .OrderBy(c => c.Key, StringComparer.OrdinalIgnoreCase)
            .Select(c => byValue.Contains(c.Key) ? c.Key + "=" + string.Join(",", c.Value) : c.Key + "?");
        return resource + "|" + string.Join(";", context) + "|" + string.Join(";", compared);
    }

    /// <summary>
    /// Whether the resource matches a pattern with variables once the request's values are put in: '1' or '0'; 'n' when a
    /// variable has no value (IAM then matches nothing with it); '?' when one has several (the shape cannot say).
    /// </summary>
    private static char ResolvedMatch(string pattern, AuthorizationCheck check)
    {
        var text = new System.Text.StringBuilder("^");
        var last = 0;
        foreach (Match variable in Variable().Matches(pattern))
        {
            text.Append(Glob(pattern[last..variable.Index]));
            var values = check.Context.FirstOrDefault(c => c.Key.Equals(variable.Groups[1].Value, StringComparison.OrdinalIgnoreCase)).Value;
            if (values is null || values.Count == 0)
                return 'n';
            if (values.Count > 1)
                return '?';
            // The value is literal text in the pattern, as IAM puts it in: its * and ? match only themselves.
            text.Append(Regex.Escape(values[0]));
            last = variable.Index + variable.Length;
        }
        text.Append(Glob(pattern[last..])).Append('$');
        return Regex.IsMatch(check.Resource, text.ToString(), RegexOptions.CultureInvariant) ? '1' : '0';
    }

    private static string Glob(string literal) => Regex.Escape(literal).Replace(@"\*", ".*").Replace(@"\?", ".");

    /// <summary>How a key's values stand to a variable's: both absent, one absent, equal, or not.</summary>
    private static string Compare(AuthorizationCheck check, string key, string variable)
    {
        var value = check.Context.FirstOrDefault(c => c.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value;
        var other = check.Context.FirstOrDefault(c => c.Key.Equals(variable, StringComparison.OrdinalIgnoreCase)).Value;
        return (value, other) switch
        {
            (null, null) => "none",
            (null, _) => "nokey",
            (_, null) => "novariable",
            _ => value.SequenceEqual(other, StringComparer.Ordinal) ? "equal" : "unequal",
        };
    }

    [GeneratedRegex(@"^\$\{([^}]+)\}$")]
    private static partial Regex WholeVariable();

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex Variable();

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => n?.ToString()).OfType<string>(),
        JsonValue value => [value.ToString()],
        _ => [],
    };
}
