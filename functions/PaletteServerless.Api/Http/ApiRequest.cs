using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Api.Http;

/// <summary>One API call as the endpoints see it: parsed from the payload 2.0 event, with typed accessors that fail with 4xx.</summary>
public sealed class ApiRequest
{
    /// <summary>Bodies over 64 KiB are refused (413) before they are parsed.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    private readonly HttpApiRequest _event;
    private readonly Dictionary<string, string> _headers;
    private readonly Dictionary<string, string> _query;

    public ApiRequest(HttpApiRequest apiEvent)
    {
        _event = apiEvent;
        _headers = new Dictionary<string, string>(apiEvent.Headers ?? [], StringComparer.OrdinalIgnoreCase);
        _query = apiEvent.QueryStringParameters ?? [];
        Method = (apiEvent.RequestContext?.Http?.Method ?? "GET").ToUpperInvariant();
        Path = apiEvent.RawPath ?? apiEvent.RequestContext?.Http?.Path ?? "/";
    }

    public string Method { get; }
    public string Path { get; }
    public string? RequestId => _event.RequestContext?.RequestId;
    public Dictionary<string, string> PathParameters { get; } = [];

    public string? Header(string name) => _headers.GetValueOrDefault(name);

    public string? Query(string name) => _query.GetValueOrDefault(name);

    public bool QueryFlag(string name)
    {
        var value = Query(name);
        return value switch
        {
            null => false,
            "true" or "1" or "" => true,
            "false" or "0" => false,
            _ => throw new ValidationFailedException(name, "must be true or false"),
        };
    }

    public int QueryInt(string name, int defaultValue, int min, int max)
    {
        var value = Query(name);
        if (value is null)
            return defaultValue;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
            throw new ValidationFailedException(name, $"must be a whole number from {min} to {max}");
        return number;
    }

    /// <summary>The caller from the JWT claims API Gateway validated; 401 when there are none.</summary>
    public Caller Caller => Claims.ToCaller(_event.RequestContext?.Authorizer?.Jwt?.Claims);

    public bool HasBody => BodyText() is { Length: > 0 };

    /// <summary>Reads the JSON body strictly: 415 when not JSON, 413 when too large, 400 naming the field on any parse error.</summary>
    public T ReadJson<T>(JsonTypeInfo<T> type)
    {
        var body = BodyText();
        if (string.IsNullOrWhiteSpace(body))
            throw new ValidationFailedException("body", "a JSON object is required");
        var contentType = Header("content-type");
        if (contentType is not null && !IsJson(contentType))
            throw new UnsupportedMediaTypeException($"the body must be application/json, not {contentType}");
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new ValidationFailedException("body", "a JSON object is required, not null");
        }
        catch (JsonException ex)
        {
            throw new ValidationFailedException(JsonErrors.Field(ex), JsonErrors.Message(ex, type));
        }
    }

    private string? BodyText()
    {
        var body = _event.Body;
        if (body is null)
            return null;
        if (_event.IsBase64Encoded)
        {
            if (body.Length / 4 * 3 > MaxBodyBytes + 3)
                throw new PayloadTooLargeException();
            try
            {
                body = Encoding.UTF8.GetString(Convert.FromBase64String(body));
            }
            catch (FormatException)
            {
                throw new ValidationFailedException("body", "is marked base64 but is not valid base64");
            }
        }
        if (Encoding.UTF8.GetByteCount(body) > MaxBodyBytes)
            throw new PayloadTooLargeException();
        return body;
    }

    private static bool IsJson(string contentType)
    {
        var media = contentType.Split(';')[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class UnsupportedMediaTypeException(string message) : Exception(message);

public sealed class PayloadTooLargeException() : Exception($"the body must be at most {ApiRequest.MaxBodyBytes / 1024} KiB");

/// <summary>Turns System.Text.Json's errors into a field path and a sentence a user can act on.</summary>
internal static partial class JsonErrors
{
    public static string Field(JsonException ex)
    {
        var path = ex.Path ?? "$";
        if (UnknownMember(ex) is not { } member)
            return ToField(path);
        // Depending on where the reader stopped, the path ends with the unknown member or names the object holding it.
        foreach (var suffix in new[] { "." + member, $"['{member}']" })
        {
            if (path.EndsWith(suffix, StringComparison.Ordinal))
            {
                path = path[..^suffix.Length];
                break;
            }
        }
        var parent = ToField(path);
        // A member that is empty or holds path punctuation is quoted, so the field is never empty or ambiguous.
        var plain = member.Length > 0 && member.IndexOfAny(['.', '[', ']', '\'']) < 0;
        var segment = plain ? member : $"['{member}']";
        return parent == "body" ? segment : plain ? $"{parent}.{segment}" : parent + segment;
    }

    public static string Message(JsonException ex, JsonTypeInfo root)
    {
        if (UnknownMember(ex) is not null)
            return "is not a known field (check its spelling; unknown fields are rejected)";
        var text = ex.Message;
        if (text.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
            return "is given more than once";
        if (text.Contains("could not be converted to", StringComparison.Ordinal))
        {
            // The message names the type being read when the reader failed, often the enclosing
            // record rather than the property; the metadata at the error's path says what was expected.
            return $"has the wrong type: expected {Describe(TypeAt(root, ex.Path))}";
        }
        return "is not valid JSON here: " + text.Split(" Path:")[0];
    }

    /// <summary>"$.nodePools[1].taints[0].effect" -> "nodePools[1].taints[0].effect"; "$.tags['a.b']" -> "tags.a.b".</summary>
    private static string ToField(string? path)
    {
        var field = path is null ? "" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        field = field.Replace("['", ".").Replace("']", "").TrimStart('.');
        return field.Length == 0 ? "body" : field;
    }

    /// <summary>The metadata of the value at a JSONPath such as $.nodePools[0].count, or null when the path leaves the model.</summary>
    private static JsonTypeInfo? TypeAt(JsonTypeInfo root, string? path)
    {
        var current = root;
        foreach (System.Text.RegularExpressions.Match step in PathStep().Matches(path ?? ""))
        {
            if (current is null)
                return null;
            if (step.Groups["index"].Success)
            {
                current = current.Kind == JsonTypeInfoKind.Enumerable ? current.Options.GetTypeInfo(current.ElementType!) : null;
                continue;
            }
            var name = step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Value;
            current = current.Kind switch
            {
                JsonTypeInfoKind.Dictionary => current.Options.GetTypeInfo(current.ElementType!),
                JsonTypeInfoKind.Object => current.Properties.FirstOrDefault(p => p.Name == name) is { } property
                    ? current.Options.GetTypeInfo(property.PropertyType)
                    : null,
                _ => null,
            };
        }
        return current;
    }

    private static string Describe(JsonTypeInfo? info)
    {
        if (info is null)
            return "another type";
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (type == typeof(int) || type == typeof(long))
            return "a whole number";
        if (type == typeof(decimal) || type == typeof(double))
            return "a number";
        if (type == typeof(bool))
            return "true or false";
        if (type == typeof(string))
            return "a string";
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => "an array",
            JsonTypeInfoKind.Dictionary => "an object of string values",
            _ => "an object",
        };
    }

    private static string? UnknownMember(JsonException ex)
    {
        // "The JSON property 'name' could not be mapped to any .NET member ..."; the name may itself hold quotes.
        const string before = "The JSON property '";
        const string after = "' could not be mapped";
        var start = ex.Message.IndexOf(before, StringComparison.Ordinal);
        var end = ex.Message.IndexOf(after, StringComparison.Ordinal);
        return start >= 0 && end >= start + before.Length ? ex.Message[(start + before.Length)..end] : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>[^']*)'\]|\[(?<index>\d+)\]")]
    private static partial System.Text.RegularExpressions.Regex PathStep();
}
