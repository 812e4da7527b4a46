using System.Globalization;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>The filters a resource kind answers, by name: each gives the resource's values for that filter.</summary>
public sealed class Ec2FilterSet<T>() : Dictionary<string, Func<T, IEnumerable<string?>>>(StringComparer.Ordinal);

/// <summary>
/// EC2's filters: a resource matches when, for every <c>Filter.N</c>, one of its values matches one of
/// the filter's values (<c>*</c> and <c>?</c> are wildcards). <c>tag:Key</c>, <c>tag-key</c> and
/// <c>tag-value</c> work on every resource; other names are answered by each resource kind.
/// </summary>
public static class Ec2Filters
{
    /// <summary>
    /// The resources matching every filter. Filter names are checked first, as EC2 checks them
    /// even when there is nothing to filter.
    /// </summary>
    public static List<T> Apply<T>(IEnumerable<T> resources, IReadOnlyList<QueryParameters> filters, Ec2FilterSet<T> known)
        where T : AwsResource
    {
        var parsed = filters.Select(f => (Name: f.Required("Name"), Values: f.List("Value"))).ToList();
        CheckLimits(parsed);
        foreach (var (name, _) in parsed.Where(f => !IsCommon(f.Name) && !known.ContainsKey(f.Name)))
            throw new AwsErrorException("InvalidParameterValue", $"The filter '{name}' is invalid");
        return [.. resources.Where(resource => parsed.All(filter =>
            ValuesOf(resource, filter.Name, known).Any(value => value is not null && filter.Values.Any(pattern => Matches(pattern, value)))))];
    }

    /// <summary>EC2 takes at most this many values in all the filters of one request (error FilterLimitExceeded).</summary>
    public const int MaxFilterValues = 200;

    private static void CheckLimits(IReadOnlyList<(string Name, IReadOnlyList<string> Values)> parsed)
    {
        var values = parsed.Sum(f => f.Values.Count);
        if (values > MaxFilterValues)
            throw new AwsErrorException("FilterLimitExceeded", $"The request uses too many filters or too many filter values: {values} values, at most {MaxFilterValues}");
    }

    private static bool IsCommon(string name) =>
        name.StartsWith("tag:", StringComparison.Ordinal) || name is "tag-key" or "tag-value" or "owner-id";

    private static IEnumerable<string?> ValuesOf<T>(T resource, string name, Ec2FilterSet<T> known)
        where T : AwsResource
    {
        if (name.StartsWith("tag:", StringComparison.Ordinal))
            return resource.Tags.TryGetValue(name[4..], out var value) ? [value] : [];
        return name switch
        {
            "tag-key" => resource.Tags.Keys,
            "tag-value" => resource.Tags.Values,
            "owner-id" => [resource.Account],
            _ => known[name](resource),
        };
    }

    /// <summary>Filters things that are not resources (zones, instance types, images): no tag filters.</summary>
    public static List<T> ApplyPlain<T>(IEnumerable<T> items, IReadOnlyList<QueryParameters> filters, Func<T, string, IEnumerable<string?>?> valuesOf)
    {
        var parsed = filters.Select(f => (Name: f.Required("Name"), Values: f.List("Value"))).ToList();
        CheckLimits(parsed);
        return [.. items.Where(item => parsed.All(filter =>
        {
            var actual = valuesOf(item, filter.Name)
                ?? throw new AwsErrorException("InvalidParameterValue", $"The filter '{filter.Name}' is invalid");
            return actual.Any(value => value is not null && filter.Values.Any(pattern => Matches(pattern, value)));
        }))];
    }

    /// <summary>Glob match: <c>*</c> any run of characters, <c>?</c> one character, case-sensitive.</summary>
    public static bool Matches(string pattern, string value)
    {
        if (!pattern.Contains('*') && !pattern.Contains('?'))
            return pattern == value;
        int p = 0, v = 0, star = -1, resume = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == value[v]))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }

    public static string Text(bool value) => value ? "true" : "false";

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// One page of <paramref name="items"/> after <c>NextToken</c>, at most <c>MaxResults</c> long,
    /// and the token of the next page (null on the last page).
    /// </summary>
    /// <param name="maxSize">The largest MaxResults the action's model allows (1000 for most, 100 for DescribeInstanceTypes).</param>
    public static (List<T> Page, string? NextToken) Page<T>(IReadOnlyList<T> items, QueryParameters parameters, int defaultSize = 1000, int maxSize = 1000)
    {
        var size = parameters.Int("MaxResults") ?? defaultSize;
        if (size < 5 || size > maxSize)
            throw new AwsErrorException("InvalidParameterValue", $"Value ( {size} ) for parameter maxResults is invalid. Parameter must be between 5 and {maxSize}.");
        var start = 0;
        if (parameters["NextToken"] is { Length: > 0 } token && !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out start))
            throw new AwsErrorException("InvalidNextToken", "The token is invalid.");
        var page = items.Skip(start).Take(size).ToList();
        var next = start + page.Count < items.Count ? (start + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return (page, next);
    }
}
