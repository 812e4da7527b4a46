using System.Text;
using System.Web;

namespace PaletteServerless.Local.Aws.Core;

/// <summary>
/// The parameters of a query-protocol request (form body or URL query), with the list and
/// structure conventions AWS uses: <c>Name.N</c> (EC2 lists), <c>Name.member.N</c> (ELBv2, STS),
/// <c>Filter.1.Name</c> / <c>Filter.1.Value.1</c> (lists of structures).
/// </summary>
public sealed class QueryParameters
{
    private readonly Dictionary<string, string> _values;

    public QueryParameters(IEnumerable<KeyValuePair<string, string>> values) =>
        _values = new Dictionary<string, string>(values, StringComparer.Ordinal);

    public static QueryParameters Empty { get; } = new([]);

    /// <summary>Parses <c>a=1&amp;b=x%20y</c> (form or URL encoding; <c>+</c> is a space).</summary>
    public static QueryParameters Parse(string encoded)
    {
        var values = new List<KeyValuePair<string, string>>();
        foreach (var pair in encoded.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : pair[(equals + 1)..];
            values.Add(new(HttpUtility.UrlDecode(name, Encoding.UTF8), HttpUtility.UrlDecode(value, Encoding.UTF8)));
        }
        return new QueryParameters(values);
    }

    /// <summary>Form body parameters followed by URL query parameters (the body wins on a clash).</summary>
    public static QueryParameters FromRequest(LocalAwsRequest request)
    {
        var fromUrl = Parse(request.RawQueryString);
        var fromBody = request.Body.Length > 0 && IsForm(request) ? Parse(Encoding.UTF8.GetString(request.Body)) : Empty;
        var merged = new Dictionary<string, string>(fromUrl._values, StringComparer.Ordinal);
        foreach (var (name, value) in fromBody._values)
            merged[name] = value;
        return new QueryParameters(merged);
    }

    private static bool IsForm(LocalAwsRequest request) =>
        request.Header("Content-Type") is not { } type
        || type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, string> All => _values;

    public string? this[string name] => _values.TryGetValue(name, out var value) ? value : null;

    public bool Has(string name) => _values.ContainsKey(name);

    public string Required(string name) =>
        this[name] is { Length: > 0 } value
            ? value
            : throw new AwsErrorException("MissingParameter", $"The request must contain the parameter {name}.");

    public int? Int(string name)
    {
        if (this[name] is not { } text)
            return null;
        return int.TryParse(text, out var value)
            ? value
            : throw new AwsErrorException("InvalidParameterValue", $"Invalid value '{text}' for {name}.");
    }

    public bool? Bool(string name) => this[name] is { } text ? string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) : null;

    /// <summary>The values of an EC2-style list <c>Name.1</c>, <c>Name.2</c>, ... in index order.</summary>
    public IReadOnlyList<string> List(string name) =>
        [.. Indexes(name + ".").Select(i => this[$"{name}.{i}"]).OfType<string>()];

    /// <summary>The values of a member list <c>Name.member.1</c>, ... in index order.</summary>
    public IReadOnlyList<string> MemberList(string name) => List(name + ".member");

    /// <summary>The structures of a list <c>Name.N.Field</c>, each with its own parameters (<c>Field</c>, ...).</summary>
    public IReadOnlyList<QueryParameters> Structures(string name) =>
        [.. Indexes(name + ".").Select(i => Prefixed($"{name}.{i}")).Where(s => s._values.Count > 0)];

    /// <summary>The structures of a member list <c>Name.member.N.Field</c>.</summary>
    public IReadOnlyList<QueryParameters> MemberStructures(string name) => Structures(name + ".member");

    /// <summary>The parameters under <c>Prefix.</c>, with the prefix removed.</summary>
    public QueryParameters Prefixed(string prefix)
    {
        var start = prefix + ".";
        return new QueryParameters(_values
            .Where(p => p.Key.StartsWith(start, StringComparison.Ordinal))
            .Select(p => new KeyValuePair<string, string>(p.Key[start.Length..], p.Value)));
    }

    /// <summary>A stable text of every parameter except the named ones, to compare idempotent retries.</summary>
    public string Fingerprint(params string[] ignored) =>
        string.Join("&", _values
            .Where(p => !ignored.Contains(p.Key, StringComparer.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));

    private IEnumerable<int> Indexes(string start) =>
        _values.Keys
            .Where(k => k.StartsWith(start, StringComparison.Ordinal))
            .Select(k => k[start.Length..].Split('.')[0])
            .Select(i => int.TryParse(i, out var index) ? index : -1)
            .Where(i => i >= 0)
            .Distinct()
            .Order();
}
