using System.Collections;
using System.Globalization;

namespace PaletteServerless.Aws.Clients;

/// <summary>
/// Flattens request members into query-protocol parameters: lists as <c>Name.member.N</c>
/// (1-based), structures as <c>Name.member.N.Field</c>. Absent optional members are not sent.
/// </summary>
public sealed class QueryParameters : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _parameters = [];

    public QueryParameters Add(string name, string? value)
    {
        if (value is not null)
        {
            _parameters.Add(new(name, value));
        }

        return this;
    }

    public QueryParameters Add(string name, int? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public QueryParameters Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");

    public QueryParameters AddList(string name, IEnumerable<string>? values)
    {
        var index = 1;
        foreach (var value in values ?? [])
        {
            Add($"{name}.member.{index++}", value);
        }

        return this;
    }

    public QueryParameters AddStructures<T>(string name, IEnumerable<T>? items, Action<QueryParameters, string, T> addFields)
    {
        var index = 1;
        foreach (var item in items ?? [])
        {
            addFields(this, $"{name}.member.{index++}.", item);
        }

        return this;
    }

    public QueryParameters AddTags(string name, IEnumerable<ResourceTag>? tags) =>
        AddStructures(name, tags, (parameters, prefix, tag) => parameters.Add(prefix + "Key", tag.Key).Add(prefix + "Value", tag.Value));

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _parameters.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
