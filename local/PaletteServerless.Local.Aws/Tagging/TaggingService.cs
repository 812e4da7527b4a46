using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Tagging;

/// <summary>
/// Resource Groups Tagging API (AWS JSON 1.1, target prefix <c>ResourceGroupsTaggingAPI_20170126</c>)
/// over every service's resources in the caller's account and region: GetResources with tag and
/// resource-type filters and pagination, GetTagKeys and GetTagValues. Like AWS, it lists only
/// resources that carry tags.
/// </summary>
public sealed partial class TaggingService : ILocalAwsService
{
    private const string ContentType = "application/x-amz-json-1.1";
    private const int DefaultResourcesPerPage = 50;

    public string ServiceName => "tagging";
    public AwsProtocol Protocol => AwsProtocol.Json;
    public string RouteKey => "ResourceGroupsTaggingAPI_20170126";
    public AwsErrorStyle ErrorStyle => AwsErrorStyle.Json;
    public string? XmlNamespace => null;
    public string ThrottlingErrorCode => "ThrottlingException";

    public Task<LocalAwsResponse> HandleAsync(AwsCall call, CancellationToken cancellationToken)
    {
        var request = JsonBody.Parse(call);
        // A listing's own filters are read (and refused if malformed) first and applied before the snapshot: a page is
        // one of many in an account of thousands.
        var wanted = call.Operation == "GetResources" ? ListingFilter(request) : _ => true;
        List<TaggedResource> tagged;
        lock (call.Aws.Store.Sync)
        {
            var world = call.World;
            world.Settle(call.Now, call.Aws.TerminalRetention);
            // Snapshot the tags too: other calls may change them once the lock is released.
            tagged = [.. world.ResourcesById.Values
                .Where(r => r.Arn.Length > 0 && r.Tags.Count > 0 && wanted(r) && r.IsLiveAt(call.Now))
                .Select(r => new TaggedResource(r.Type, r.Arn, new Dictionary<string, string>(r.Tags, StringComparer.Ordinal)))];
        }

        var response = call.Operation switch
        {
            "GetResources" => GetResources(request, tagged),
            "GetTagKeys" => GetTagKeys(request, tagged),
            "GetTagValues" => GetTagValues(request, tagged),
            _ => throw new AwsErrorException("UnknownOperationException", $"The operation {call.Operation} is not supported by the local tagging API."),
        };
        return Task.FromResult(LocalAwsResponse.Json(200, ContentType, Encoding.UTF8.GetBytes(response.ToJsonString()), call.RequestId));
    }

    /// <summary>A GetResources request's ARN list, type filters and tag filters as one test of a resource; malformed ones are refused.</summary>
    private static Func<AwsResource, bool> ListingFilter(JsonObject request)
    {
        var tagFilters = (request["TagFilters"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(f => (Key: Text(f, "Key") ?? throw Invalid("TagFilters[].Key is required"),
                          Values: (f["Values"] as JsonArray ?? []).Select(v => v?.GetValue<string>()).OfType<string>().ToList()))
            .ToList();
        if (tagFilters.Count > 50)
            throw Invalid("TagFilters can have at most 50 entries");
        var typeFilters = (request["ResourceTypeFilters"] as JsonArray ?? []).Select(v => v?.GetValue<string>()).OfType<string>().ToList();
        var arnList = (request["ResourceARNList"] as JsonArray ?? []).Select(v => v?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (arnList.Count > 0 && (tagFilters.Count > 0 || typeFilters.Count > 0))
            throw Invalid("ResourceARNList cannot be combined with TagFilters or ResourceTypeFilters");
        return r => (arnList.Count == 0 || arnList.Contains(r.Arn))
            && (typeFilters.Count == 0 || typeFilters.Any(t => TypeMatches(t, r.Type)))
            && tagFilters.All(f => r.Tags.TryGetValue(f.Key, out var value) && (f.Values.Count == 0 || f.Values.Contains(value)));
    }

    /// <summary>A page of the resources that passed the request's filters (<see cref="ListingFilter"/>).</summary>
    private static JsonObject GetResources(JsonObject request, List<TaggedResource> tagged)
    {
        var perPage = request["ResourcesPerPage"] is JsonValue size && size.TryGetValue<int>(out var chosen) ? chosen : DefaultResourcesPerPage;
        if (perPage is < 1 or > 100)
            throw Invalid("ResourcesPerPage must be between 1 and 100");

        var matching = tagged.OrderBy(r => r.Arn, StringComparer.Ordinal).ToList();

        var start = Offset(Text(request, "PaginationToken"));
        var list = new JsonArray();
        foreach (var resource in matching.Skip(start).Take(perPage))
        {
            var tags = new JsonArray();
            foreach (var (key, value) in resource.Tags)
                tags.Add(new JsonObject { ["Key"] = key, ["Value"] = value });
            list.Add(new JsonObject { ["ResourceARN"] = resource.Arn, ["Tags"] = tags });
        }

        return new JsonObject
        {
            ["PaginationToken"] = start + perPage < matching.Count ? Token(start + perPage) : "",
            ["ResourceTagMappingList"] = list,
        };
    }

    private static JsonObject GetTagKeys(JsonObject request, List<TaggedResource> tagged) =>
        Page(tagged.SelectMany(r => r.Tags.Keys), request, "TagKeys");

    private static JsonObject GetTagValues(JsonObject request, List<TaggedResource> tagged)
    {
        var key = Text(request, "Key") ?? throw Invalid("Key is required");
        return Page(tagged.Where(r => r.Tags.ContainsKey(key)).Select(r => r.Tags[key]), request, "TagValues");
    }

    private static JsonObject Page(IEnumerable<string> values, JsonObject request, string listName)
    {
        var distinct = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var start = Offset(Text(request, "PaginationToken"));
        var list = new JsonArray();
        foreach (var value in distinct.Skip(start).Take(DefaultResourcesPerPage))
            list.Add(value);
        return new JsonObject
        {
            ["PaginationToken"] = start + DefaultResourcesPerPage < distinct.Count ? Token(start + DefaultResourcesPerPage) : "",
            [listName] = list,
        };
    }

    /// <summary><c>ec2</c> matches every EC2 type, <c>ec2:vpc</c> only VPCs.</summary>
    private static bool TypeMatches(string filter, string type) =>
        filter.Contains(':', StringComparison.Ordinal)
            ? string.Equals(filter, type, StringComparison.Ordinal)
            : type.StartsWith(filter + ":", StringComparison.Ordinal);

    private static string Token(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes("offset:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static int Offset(string? token)
    {
        if (string.IsNullOrEmpty(token))
            return 0;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("offset:", StringComparison.Ordinal) && int.TryParse(text["offset:".Length..], CultureInfo.InvariantCulture, out var offset) && offset >= 0)
                return offset;
        }
        catch (FormatException)
        {
            // Reported below like any other token this service did not issue.
        }
        throw Invalid("The PaginationToken is not valid");
    }

    private static string? Text(JsonObject json, string name) => JsonBody.Text(json, name);

    private static AwsErrorException Invalid(string message) => new("InvalidParameterException", message);

    /// <summary>A detached copy of a resource's identity and tags, read outside the store's lock.</summary>
    private sealed record TaggedResource(string Type, string Arn, IReadOnlyDictionary<string, string> Tags);
}
