using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace PaletteServerless.Local.StepFunctions.Language;

/// <summary>A Choice Rule: a boolean expression, with a Next when it sits at the top level.</summary>
public abstract record ChoiceRule
{
    public string? Next { get; init; }

    public abstract bool Matches(JToken input, JToken context);
}

public sealed record AndRule(IReadOnlyList<ChoiceRule> Rules) : ChoiceRule
{
    public override bool Matches(JToken input, JToken context) => Rules.All(rule => rule.Matches(input, context));
}

public sealed record OrRule(IReadOnlyList<ChoiceRule> Rules) : ChoiceRule
{
    public override bool Matches(JToken input, JToken context) => Rules.Any(rule => rule.Matches(input, context));
}

public sealed record NotRule(ChoiceRule Rule) : ChoiceRule
{
    public override bool Matches(JToken input, JToken context) => !Rule.Matches(input, context);
}

/// <summary>
/// A data-test expression: Variable, comparison operator, and a value (or, for the "...Path"
/// operators, a path to the value). A type mismatch between the variable and the operator is
/// false, as the specification says; a Variable that selects nothing is a runtime error, except
/// for IsPresent.
/// </summary>
public sealed record ComparisonRule(string Variable, string Operator, JToken Value) : ChoiceRule
{
    public static readonly IReadOnlySet<string> ValueOperators = new HashSet<string>
    {
        "StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals", "StringMatches",
        "NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals",
        "BooleanEquals",
        "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals",
    };

    public static readonly IReadOnlySet<string> PathOperators = ValueOperators
        .Where(op => op != "StringMatches").Select(op => op + "Path").ToHashSet();

    public static readonly IReadOnlySet<string> TypeTests = new HashSet<string>
    {
        "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp",
    };

    public override bool Matches(JToken input, JToken context)
    {
        var variable = JsonPaths.Select(input, context, Variable);
        if (Operator == "IsPresent")
            return (variable is not null) == (bool)Value;
        if (variable is null)
            throw new StatesException(StatesErrors.Runtime,
                $"Invalid path '{Variable}': The choice state's condition path references an invalid value.");

        if (TypeTests.Contains(Operator))
        {
            var expected = (bool)Value;
            var actual = Operator switch
            {
                "IsNull" => variable.Type == JTokenType.Null,
                "IsNumeric" => variable.Type is JTokenType.Integer or JTokenType.Float,
                "IsString" => variable.Type == JTokenType.String,
                "IsBoolean" => variable.Type == JTokenType.Boolean,
                _ => variable.Type == JTokenType.String && TryParseTimestamp((string)variable!, out _),
            };
            return actual == expected;
        }

        var op = Operator;
        var value = Value;
        if (op.EndsWith("Path", StringComparison.Ordinal))
        {
            op = op[..^4];
            var path = (string)Value!;
            value = JsonPaths.Select(input, context, path)
                ?? throw new StatesException(StatesErrors.Runtime,
                    $"Invalid path '{path}': The choice state's condition path references an invalid value.");
        }

        if (op == "StringMatches")
            return variable.Type == JTokenType.String && WildcardMatches((string)variable!, (string)value!);
        if (op.StartsWith("String", StringComparison.Ordinal))
        {
            if (variable.Type != JTokenType.String || value.Type != JTokenType.String)
                return false;
            return Compare(op["String".Length..], string.CompareOrdinal((string)variable!, (string)value!));
        }
        if (op.StartsWith("Numeric", StringComparison.Ordinal))
        {
            if (!IsNumber(variable) || !IsNumber(value))
                return false;
            return Compare(op["Numeric".Length..], ((double)variable).CompareTo((double)value));
        }
        if (op == "BooleanEquals")
            return variable.Type == JTokenType.Boolean && value.Type == JTokenType.Boolean && (bool)variable == (bool)value;

        // Timestamp comparisons
        if (variable.Type != JTokenType.String || value.Type != JTokenType.String
            || !TryParseTimestamp((string)variable!, out var left) || !TryParseTimestamp((string)value!, out var right))
            return false;
        return Compare(op["Timestamp".Length..], left.CompareTo(right));
    }

    private static bool IsNumber(JToken token) => token.Type is JTokenType.Integer or JTokenType.Float;

    private static bool Compare(string relation, int comparison) => relation switch
    {
        "Equals" => comparison == 0,
        "LessThan" => comparison < 0,
        "GreaterThan" => comparison > 0,
        "LessThanEquals" => comparison <= 0,
        "GreaterThanEquals" => comparison >= 0,
        _ => throw new InvalidOperationException($"unknown relation {relation}"),
    };

    /// <summary>StringMatches: "*" matches any run of characters; "\*" and "\\" are a literal star and backslash.</summary>
    public static bool WildcardMatches(string text, string pattern)
    {
        var regex = new System.Text.StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '*' or '\\')
                regex.Append(Regex.Escape(pattern[++i].ToString()));
            else if (c == '*')
                regex.Append(".*");
            else
                regex.Append(Regex.Escape(c.ToString()));
        }
        regex.Append('$');
        return Regex.IsMatch(text, regex.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    /// <summary>RFC 3339 timestamps: an uppercase "T" between date and time and an uppercase "Z" or a numeric offset.</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset value)
    {
        value = default;
        if (!Regex.IsMatch(text, @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"))
            return false;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }
}
