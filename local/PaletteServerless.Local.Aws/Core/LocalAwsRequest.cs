namespace PaletteServerless.Local.Aws.Core;

/// <summary>One HTTP request as the edge received it, free of any web framework.</summary>
public sealed record LocalAwsRequest(
    string Method,
    string Path,
    string RawQueryString,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body)
{
    /// <summary>Builds a request whose header lookups ignore case, as HTTP requires.</summary>
    public static LocalAwsRequest Create(
        string method, string path, string rawQueryString, IEnumerable<KeyValuePair<string, string>> headers, byte[] body)
    {
        var caseless = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
            caseless[name] = value;
        return new LocalAwsRequest(method, path, rawQueryString, caseless, body);
    }

    public string? Header(string name) =>
        Headers.TryGetValue(name, out var value) ? value : FindIgnoringCase(name);

    // A caller may hand in a case-sensitive dictionary; fall back to a scan rather than miss a header.
    private string? FindIgnoringCase(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
