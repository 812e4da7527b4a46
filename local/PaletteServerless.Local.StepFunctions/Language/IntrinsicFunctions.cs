using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json.Linq;

namespace PaletteServerless.Local.StepFunctions.Language;

/// <summary>
/// The intrinsic functions of the States Language ("States.Format('{}', $.name)"), parsed once per
/// expression text and evaluated against the effective input and the context object.
/// </summary>
public static class IntrinsicFunctions
{
    private const int MaxStringLength = 10_000;
    private const int MaxArrayRangeItems = 1_000;

    private static readonly ConcurrentDictionary<string, Call> ParsedCache = new();

    private static readonly HashSet<string> KnownFunctions =
    [
        "States.Format", "States.StringToJson", "States.JsonToString", "States.Array", "States.ArrayPartition",
        "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem", "States.ArrayLength",
        "States.ArrayUnique", "States.Base64Encode", "States.Base64Decode", "States.Hash", "States.JsonMerge",
        "States.MathRandom", "States.MathAdd", "States.StringSplit", "States.UUID",
    ];

    /// <summary>Whether the text looks like an intrinsic call at all (as opposed to a path).</summary>
    public static bool IsIntrinsic(string expression) => expression.TrimStart().StartsWith("States.", StringComparison.Ordinal);

    /// <summary>Parses the expression; throws <see cref="InvalidDefinitionException"/> with the reason when it is malformed.</summary>
    public static void Validate(string expression) => Parse(expression);

    public static JToken Evaluate(string expression, JToken input, JToken context)
    {
        Call call;
        try
        {
            call = Parse(expression);
        }
        catch (InvalidDefinitionException ex)
        {
            throw new StatesException(StatesErrors.IntrinsicFailure, ex.Message);
        }
        return Evaluate(call, input, context);
    }

    // ---- syntax -------------------------------------------------------------------------------

    private abstract record Argument;
    private sealed record Literal(JToken Value) : Argument;
    // A string literal keeps the pieces between unescaped "{}" so that States.Format can tell an
    // escaped brace (literal text) from a placeholder.
    private sealed record StringLiteral(string Value, IReadOnlyList<string> TemplateParts) : Argument;
    private sealed record PathArgument(string Path) : Argument;
    private sealed record Call(string Name, IReadOnlyList<Argument> Arguments) : Argument;

    private static Call Parse(string expression) => ParsedCache.GetOrAdd(expression, static text =>
    {
        var parser = new Parser(text);
        var call = parser.ParseCall(depth: 1);
        parser.SkipSpaces();
        if (!parser.AtEnd)
            throw new InvalidDefinitionException($"Unexpected text after the intrinsic function in '{text}'.");
        return call;
    });

    private sealed class Parser(string text)
    {
        private int _position;

        public bool AtEnd => _position >= text.Length;

        public void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(text[_position]))
                _position++;
        }

        private InvalidDefinitionException Error(string what) =>
            new($"Invalid intrinsic function '{text}': {what} at position {_position}.");

        public Call ParseCall(int depth)
        {
            // AWS allows at most 10 nested intrinsic functions in one field.
            if (depth > 10)
                throw Error("more than 10 nested intrinsic functions");
            SkipSpaces();
            var start = _position;
            while (!AtEnd && (char.IsLetterOrDigit(text[_position]) || text[_position] == '.'))
                _position++;
            var name = text[start.._position];
            if (!KnownFunctions.Contains(name))
                throw Error($"unknown function '{name}'");
            SkipSpaces();
            if (AtEnd || text[_position] != '(')
                throw Error("'(' expected");
            _position++;
            var arguments = new List<Argument>();
            SkipSpaces();
            if (!AtEnd && text[_position] == ')')
            {
                _position++;
                return new Call(name, arguments);
            }
            while (true)
            {
                arguments.Add(ParseArgument(depth));
                SkipSpaces();
                if (AtEnd)
                    throw Error("')' expected");
                if (text[_position] == ')')
                {
                    _position++;
                    return new Call(name, arguments);
                }
                if (text[_position] != ',')
                    throw Error("',' or ')' expected");
                _position++;
            }
        }

        private Argument ParseArgument(int depth)
        {
            SkipSpaces();
            if (AtEnd)
                throw Error("argument expected");
            var c = text[_position];
            if (c == '\'')
                return ParseString();
            if (c == '$')
                return ParsePath();
            if (text.AsSpan(_position).StartsWith("States."))
                return ParseCall(depth + 1);
            var start = _position;
            while (!AtEnd && text[_position] != ',' && text[_position] != ')' && !char.IsWhiteSpace(text[_position]))
                _position++;
            var word = text[start.._position];
            return word switch
            {
                "true" => new Literal(new JValue(true)),
                "false" => new Literal(new JValue(false)),
                "null" => new Literal(JValue.CreateNull()),
                _ when long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => new Literal(new JValue(integer)),
                _ when double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => new Literal(new JValue(number)),
                _ => throw Error($"invalid argument '{word}'"),
            };
        }

        private StringLiteral ParseString()
        {
            _position++; // opening quote
            var value = new StringBuilder();
            var part = new StringBuilder();
            var parts = new List<string>();
            while (true)
            {
                if (AtEnd)
                    throw Error("unterminated string");
                var c = text[_position++];
                if (c == '\'')
                    break;
                if (c == '\\')
                {
                    if (AtEnd)
                        throw Error("unterminated escape");
                    var escaped = text[_position++];
                    if (escaped is not ('\'' or '{' or '}' or '\\'))
                        throw Error($"invalid escape '\\{escaped}'");
                    value.Append(escaped);
                    part.Append(escaped);
                    continue;
                }
                if (c == '{' && !AtEnd && text[_position] == '}')
                {
                    _position++;
                    value.Append("{}");
                    parts.Add(part.ToString());
                    part.Clear();
                    continue;
                }
                value.Append(c);
                part.Append(c);
            }
            parts.Add(part.ToString());
            return new StringLiteral(value.ToString(), parts);
        }

        private PathArgument ParsePath()
        {
            var start = _position;
            var brackets = 0;
            var parentheses = 0;
            char? quote = null;
            while (!AtEnd)
            {
                var c = text[_position];
                if (quote is { } open)
                {
                    if (c == open)
                        quote = null;
                }
                else if (c is '\'' or '"' && brackets > 0)
                    quote = c;
                else if (c == '[')
                    brackets++;
                else if (c == ']')
                    brackets--;
                else if (c == '(' )
                    parentheses++;
                else if (c == ')' && parentheses > 0)
                    parentheses--;
                else if ((c == ',' || c == ')') && brackets == 0)
                    break;
                _position++;
            }
            var path = text[start.._position].Trim();
            if (!JsonPaths.IsValidPath(path))
                throw Error($"invalid path '{path}'");
            return new PathArgument(path);
        }
    }

    // ---- evaluation ---------------------------------------------------------------------------

    private static StatesException Failure(string function, string reason) =>
        new(StatesErrors.IntrinsicFailure, $"Invalid arguments in {function}: {reason}");

    private static JToken Value(Argument argument, JToken input, JToken context) => argument switch
    {
        Literal literal => literal.Value,
        StringLiteral text => new JValue(text.Value),
        PathArgument path => JsonPaths.Select(input, context, path.Path)
            ?? throw new StatesException(StatesErrors.IntrinsicFailure, $"The JsonPath argument '{path.Path}' could not find a value in the input."),
        Call call => Evaluate(call, input, context),
        _ => throw new InvalidOperationException("unknown argument kind"),
    };

    private static JToken Evaluate(Call call, JToken input, JToken context)
    {
        var name = call.Name;
        var args = call.Arguments.Select(a => Value(a, input, context)).ToList();

        void Count(int min, int max)
        {
            if (args.Count < min || args.Count > max)
                throw Failure(name, min == max ? $"expected {min} argument(s), got {args.Count}" : $"expected {min} to {max} arguments, got {args.Count}");
        }
        string Text(int i) => args[i].Type == JTokenType.String ? (string)args[i]! : throw Failure(name, $"argument {i + 1} must be a string");
        JArray Array(int i) => args[i] as JArray ?? throw Failure(name, $"argument {i + 1} must be an array");
        JObject Object(int i) => args[i] as JObject ?? throw Failure(name, $"argument {i + 1} must be an object");
        long Integer(int i) => args[i].Type switch
        {
            JTokenType.Integer => (long)args[i],
            JTokenType.Float when Math.Floor((double)args[i]) == (double)args[i] => (long)(double)args[i],
            _ => throw Failure(name, $"argument {i + 1} must be an integer"),
        };
        string Limited(string value)
        {
            if (value.Length > MaxStringLength)
                throw Failure(name, $"the input exceeds {MaxStringLength} characters");
            return value;
        }

        switch (name)
        {
            case "States.Format":
            {
                if (args.Count < 1)
                    throw Failure(name, "a format string is required");
                var parts = call.Arguments[0] is StringLiteral literal ? literal.TemplateParts : Text(0).Split("{}");
                if (parts.Count - 1 != args.Count - 1)
                    throw Failure(name, $"the format string has {parts.Count - 1} placeholder(s) but {args.Count - 1} value(s) were given");
                var result = new StringBuilder(parts[0]);
                for (var i = 1; i < parts.Count; i++)
                {
                    var value = args[i];
                    result.Append(value.Type switch
                    {
                        JTokenType.String => (string)value!,
                        JTokenType.Object or JTokenType.Array => throw Failure(name, "values must be strings, numbers, booleans or null"),
                        _ => JsonText.Print(value),
                    });
                    result.Append(parts[i]);
                }
                return new JValue(result.ToString());
            }
            case "States.StringToJson":
                Count(1, 1);
                return JsonText.TryParse(Text(0), out var parsed) ? parsed : throw Failure(name, "the string is not valid JSON");
            case "States.JsonToString":
                Count(1, 1);
                return new JValue(JsonText.Print(args[0]));
            case "States.Array":
                return new JArray(args.Select(a => a.DeepClone()));
            case "States.ArrayPartition":
            {
                Count(2, 2);
                var array = Array(0);
                var size = Integer(1);
                if (size <= 0)
                    throw Failure(name, "the chunk size must be greater than 0");
                return new JArray(array.Chunk((int)Math.Min(size, int.MaxValue)).Select(chunk => new JArray(chunk.Select(t => t.DeepClone()))));
            }
            case "States.ArrayContains":
                Count(2, 2);
                return new JValue(Array(0).Any(item => JToken.DeepEquals(item, args[1])));
            case "States.ArrayRange":
            {
                Count(3, 3);
                long start = Integer(0), end = Integer(1), step = Integer(2);
                if (step == 0)
                    throw Failure(name, "the step must not be 0");
                var items = new JArray();
                for (var value = start; step > 0 ? value <= end : value >= end; value += step)
                {
                    if (items.Count == MaxArrayRangeItems)
                        throw Failure(name, $"the range would have more than {MaxArrayRangeItems} items");
                    items.Add(value);
                }
                return items;
            }
            case "States.ArrayGetItem":
            {
                Count(2, 2);
                var array = Array(0);
                var index = Integer(1);
                if (index < 0 || index >= array.Count)
                    throw Failure(name, $"index {index} is out of bounds for an array of length {array.Count}");
                return array[(int)index].DeepClone();
            }
            case "States.ArrayLength":
                Count(1, 1);
                return new JValue(Array(0).Count);
            case "States.ArrayUnique":
            {
                Count(1, 1);
                var unique = new JArray();
                foreach (var item in Array(0))
                    if (!unique.Any(existing => JToken.DeepEquals(existing, item)))
                        unique.Add(item.DeepClone());
                return unique;
            }
            case "States.Base64Encode":
                Count(1, 1);
                return new JValue(Convert.ToBase64String(Encoding.UTF8.GetBytes(Limited(Text(0)))));
            case "States.Base64Decode":
            {
                Count(1, 1);
                try
                {
                    return new JValue(Encoding.UTF8.GetString(Convert.FromBase64String(Limited(Text(0)))));
                }
                catch (FormatException)
                {
                    throw Failure(name, "the input is not valid base64");
                }
            }
            case "States.Hash":
            {
                Count(2, 2);
                var data = args[0].Type == JTokenType.String ? (string)args[0]! : JsonText.Print(args[0]);
                var bytes = Encoding.UTF8.GetBytes(Limited(data));
                byte[] hash = Text(1) switch
                {
                    "MD5" => MD5.HashData(bytes),
                    "SHA-1" => SHA1.HashData(bytes),
                    "SHA-256" => SHA256.HashData(bytes),
                    "SHA-384" => SHA384.HashData(bytes),
                    "SHA-512" => SHA512.HashData(bytes),
                    var other => throw Failure(name, $"unsupported algorithm '{other}' (MD5, SHA-1, SHA-256, SHA-384, SHA-512)"),
                };
                return new JValue(Convert.ToHexStringLower(hash));
            }
            case "States.JsonMerge":
            {
                Count(3, 3);
                var left = Object(0);
                var right = Object(1);
                // AWS implements only the shallow mode; a deep merge request fails there, so it fails here.
                if (args[2].Type != JTokenType.Boolean)
                    throw Failure(name, "argument 3 must be a boolean");
                if ((bool)args[2])
                    throw Failure(name, "deep merging is not supported; pass false");
                var merged = (JObject)left.DeepClone();
                foreach (var property in right.Properties())
                    merged[property.Name] = property.Value.DeepClone();
                return merged;
            }
            case "States.MathRandom":
            {
                Count(2, 3);
                long start = Integer(0), end = Integer(1);
                if (start >= end)
                    throw Failure(name, "the start must be less than the end");
                var random = args.Count == 3 ? new Random((int)Integer(2)) : Random.Shared;
                return new JValue(random.NextInt64(start, end));
            }
            case "States.MathAdd":
            {
                Count(2, 2);
                return new JValue(checked(Integer(0) + Integer(1)));
            }
            case "States.StringSplit":
            {
                Count(2, 2);
                var separators = Text(1).ToCharArray();
                return new JArray(Text(0).Split(separators, StringSplitOptions.RemoveEmptyEntries).Select(s => new JValue(s)));
            }
            case "States.UUID":
                Count(0, 0);
                return new JValue(Guid.NewGuid().ToString());
            default:
                throw Failure(name, "unknown function");
        }
    }
}
