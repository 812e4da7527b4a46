using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ssm;

/// <summary>
/// SSM Parameter Store (AWS JSON 1.1, target prefix <c>AmazonSSM</c>, signing name <c>ssm</c>):
/// String, StringList and SecureString parameters with versions, hierarchies and tags. The
/// limits and errors are those of the SSM service model and the Parameter Store user guide
/// (names, 15 hierarchy levels, 4 KB standard / 8 KB advanced values, 50 tags).
/// </summary>
public sealed partial class SsmService : ILocalAwsService, PaletteServerless.Local.Aws.Iam.IAuthorizesRequests
{
    private const string ContentType = "application/x-amz-json-1.1";
    private const int MaxHierarchyLevels = 15;
    private const int MaxNameLength = 1011;
    private const int MaxStandardValueLength = 4096;
    private const int MaxAdvancedValueLength = 8192;
    private const int MaxDescriptionLength = 1024;
    private const int MaxTags = 50;
    private const int MaxNamesPerCall = 10;
    private const int MaxResultsPerPage = 10;
    private const int MaxVersions = 100;
    private const string ParameterResourceType = "Parameter";

    // The ResourceTypeForTagging enum of the service model; only parameters live here.
    private static readonly HashSet<string> TaggableResourceTypes = new(StringComparer.Ordinal)
    {
        "Document", "ManagedInstance", "MaintenanceWindow", "Parameter", "PatchBaseline", "OpsItem", "OpsMetadata", "Automation", "Association",
    };

    public string ServiceName => "ssm";
    public AwsProtocol Protocol => AwsProtocol.Json;
    public string RouteKey => "AmazonSSM";
    public AwsErrorStyle ErrorStyle => AwsErrorStyle.Json;
    public string? XmlNamespace => null;
    public string ThrottlingErrorCode => "ThrottlingException";

    // One path segment: letters, digits and . - _ (the Parameter Store naming rules).
    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+$")]
    private static partial Regex SegmentPattern();

    // The service model's pattern for KeyId; a key id of that shape that names no key is InvalidKeyId.
    [GeneratedRegex(@"^([a-zA-Z0-9:/_-]+)$")]
    private static partial Regex KeyIdShape();

    [GeneratedRegex(@"^(alias/[A-Za-z0-9/_\-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|arn:aws[a-z\-]*:kms:[a-z0-9\-]+:\d{12}:(key/[0-9a-f\-]{36}|alias/[A-Za-z0-9/_\-]+))$")]
    private static partial Regex KeyIdPattern();

    public Task<LocalAwsResponse> HandleAsync(AwsCall call, CancellationToken cancellationToken)
    {
        var request = JsonBody.Parse(call);
        JsonObject response;
        lock (call.Aws.Store.Sync)
        {
            response = call.Operation switch
            {
                "PutParameter" => PutParameter(call, request),
                "GetParameter" => GetParameter(call, request),
                "GetParameters" => GetParameters(call, request),
                "GetParametersByPath" => GetParametersByPath(call, request),
                "DeleteParameter" => DeleteParameter(call, request),
                "DeleteParameters" => DeleteParameters(call, request),
                "AddTagsToResource" => AddTagsToResource(call, request),
                "RemoveTagsFromResource" => RemoveTagsFromResource(call, request),
                "ListTagsForResource" => ListTagsForResource(call, request),
                _ => throw new AwsErrorException("UnknownOperationException", $"The operation {call.Operation} is not supported by the local SSM."),
            };
        }
        return Task.FromResult(LocalAwsResponse.Json(200, ContentType, Encoding.UTF8.GetBytes(response.ToJsonString()), call.RequestId));
    }

    // ---- parameters ----

    private static JsonObject PutParameter(AwsCall call, JsonObject request)
    {
        var name = ValidName(Required(request, "Name"));
        var value = Text(request, "Value")
            ?? throw Validation("1 validation error detected: Value null at 'value' failed to satisfy constraint: Member must not be null");
        if (value.Length == 0)
            throw Validation("1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1");
        var type = Text(request, "Type");
        if (type is not null && type is not ("String" or "StringList" or "SecureString"))
            throw Validation($"1 validation error detected: Value '{type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]");
        var tier = Text(request, "Tier") ?? "Standard";
        if (tier is not ("Standard" or "Advanced" or "Intelligent-Tiering"))
            throw Validation($"1 validation error detected: Value '{tier}' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Standard, Advanced, Intelligent-Tiering]");
        var description = Text(request, "Description");
        if (description is { Length: > MaxDescriptionLength })
            throw Validation($"1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to {MaxDescriptionLength}");
        var overwrite = request["Overwrite"] is JsonValue o && o.TryGetValue<bool>(out var flag) && flag;
        var tags = ReadTags(request["Tags"]);
        if (overwrite && tags is { Count: > 0 })
            throw Validation("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");

        var existing = Find(call, name);
        if (existing is not null && !overwrite)
            throw new AwsErrorException("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
        var effectiveType = type ?? existing?.ParameterType
            ?? throw Validation("A parameter type is required when you create a parameter.");
        if (existing is not null && existing.ParameterType != effectiveType)
            throw new AwsErrorException("HierarchyTypeMismatchException", $"The parameter type can't be changed. Parameter {name} is of type {existing.ParameterType}; to use type {effectiveType}, create a new parameter.");

        // Intelligent-Tiering picks the advanced tier only when the value needs it.
        var effectiveTier = tier == "Intelligent-Tiering"
            ? (value.Length > MaxStandardValueLength || existing?.Tier == "Advanced" ? "Advanced" : "Standard")
            : tier;
        if (existing is { Tier: "Advanced" } && effectiveTier == "Standard" && Text(request, "Tier") is not null)
            throw Validation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.");
        if (existing is { Tier: "Advanced" })
            effectiveTier = "Advanced";
        if (effectiveTier == "Standard" && value.Length > MaxStandardValueLength)
            throw Validation($"Standard tier parameters support a maximum parameter value of {MaxStandardValueLength} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.");
        if (value.Length > MaxAdvancedValueLength)
            throw Validation($"1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to {MaxAdvancedValueLength}");

        var keyId = Text(request, "KeyId");
        if (keyId is not null && effectiveType != "SecureString")
            throw Validation("KeyId is required for SecureString type parameter only.");
        if (effectiveType == "SecureString")
        {
            keyId ??= existing?.Current.KeyId ?? SsmEncryption.DefaultKeyId;
            if (!KeyIdShape().IsMatch(keyId))
                throw Validation($"1 validation error detected: Value '{keyId}' at 'keyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-zA-Z0-9:/_-]+)$");
            if (!KeyIdPattern().IsMatch(keyId))
                throw new AwsErrorException("InvalidKeyId", $"Invalid KeyId: {keyId}");
        }
        if (tags is { Count: > MaxTags })
            throw TooManyTags();

        var parameter = existing ?? call.World.Add(new SsmParameter
        {
            Id = Arn(call, name),
            Type = SsmParameter.ResourceType,
            Arn = Arn(call, name),
            Name = name,
            ParameterType = effectiveType,
            Tags = tags ?? new(StringComparer.Ordinal),
        }, call.Now);
        parameter.SetState("available", call.Now);
        parameter.Tier = effectiveTier;
        parameter.DataType = Text(request, "DataType") ?? parameter.DataType;
        if (description is not null)
            parameter.Description = description;
        var version = parameter.Versions.Count == 0 ? 1 : parameter.Current.Version + 1;
        var stored = effectiveType == "SecureString" ? SsmEncryption.Encrypt(call.Account, call.Region, keyId!, value) : value;
        parameter.Versions.Add(new SsmParameterVersion(version, stored, keyId, call.Now, parameter.Description));
        // Parameter Store keeps the last 100 versions; a new one pushes out the oldest.
        if (parameter.Versions.Count > MaxVersions)
            parameter.Versions.RemoveAt(0);
        return new JsonObject { ["Version"] = version, ["Tier"] = parameter.Tier };
    }

    private static JsonObject GetParameter(AwsCall call, JsonObject request)
    {
        var withDecryption = WithDecryption(request);
        var name = Required(request, "Name");
        return new JsonObject { ["Parameter"] = Resolve(call, name) is { } found ? ParameterJson(call, found.Parameter, found.Version, found.Selector, withDecryption) : throw ParameterNotFound() };
    }

    private static JsonObject GetParameters(AwsCall call, JsonObject request)
    {
        var names = Names(request);
        var withDecryption = WithDecryption(request);
        var parameters = new JsonArray();
        var invalid = new JsonArray();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            if (Resolve(call, name) is { } found)
                parameters.Add(ParameterJson(call, found.Parameter, found.Version, found.Selector, withDecryption));
            else
                invalid.Add(name);
        }
        return new JsonObject { ["Parameters"] = parameters, ["InvalidParameters"] = invalid };
    }

    private static JsonObject GetParametersByPath(AwsCall call, JsonObject request)
    {
        var path = Required(request, "Path");
        if (!path.StartsWith('/'))
            throw Validation("The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash \"/\".");
        var prefix = path.TrimEnd('/') + "/";
        var levels = prefix.Count(c => c == '/') - 1;
        if (levels > MaxHierarchyLevels)
            throw HierarchyTooDeep();
        var recursive = request["Recursive"] is JsonValue r && r.TryGetValue<bool>(out var deep) && deep;
        var withDecryption = WithDecryption(request);
        var maxResults = request["MaxResults"] is JsonValue m && m.TryGetValue<int>(out var max) ? max : MaxResultsPerPage;
        if (maxResults is < 1 or > MaxResultsPerPage)
            throw Validation($"1 validation error detected: Value '{maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to {MaxResultsPerPage}");

        var matching = call.World.All<SsmParameter>()
            .Where(p => p.Name.StartsWith(prefix, StringComparison.Ordinal) && (recursive || !p.Name.AsSpan(prefix.Length).Contains('/')))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        var start = 0;
        if (Text(request, "NextToken") is { } token && !TryReadToken(token, path, out start))
            throw new AwsErrorException("InvalidNextToken", "The specified token isn't valid.");
        var page = matching.Skip(start).Take(maxResults).ToList();
        var list = new JsonArray();
        foreach (var parameter in page)
            list.Add(ParameterJson(call, parameter, parameter.Current, null, withDecryption));
        var response = new JsonObject { ["Parameters"] = list };
        if (start + maxResults < matching.Count)
            response["NextToken"] = WriteToken(start + maxResults, path);
        return response;
    }

    private static JsonObject DeleteParameter(AwsCall call, JsonObject request)
    {
        var parameter = Find(call, Required(request, "Name")) ?? throw ParameterNotFound();
        call.World.Remove(parameter.Id);
        return [];
    }

    private static JsonObject DeleteParameters(AwsCall call, JsonObject request)
    {
        var deleted = new JsonArray();
        var invalid = new JsonArray();
        foreach (var name in Names(request).Distinct(StringComparer.Ordinal))
        {
            if (Find(call, name) is { } parameter)
            {
                call.World.Remove(parameter.Id);
                deleted.Add(name);
            }
            else
            {
                invalid.Add(name);
            }
        }
        return new JsonObject { ["DeletedParameters"] = deleted, ["InvalidParameters"] = invalid };
    }

    // ---- tags ----

    private static JsonObject AddTagsToResource(AwsCall call, JsonObject request)
    {
        var parameter = TaggedParameter(call, request);
        var tags = ReadTags(request["Tags"]) ?? throw Validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
        if (parameter.Tags.Keys.Union(tags.Keys, StringComparer.Ordinal).Count() > MaxTags)
            throw TooManyTags();
        foreach (var (key, value) in tags)
            parameter.Tags[key] = value;
        return [];
    }

    private static JsonObject RemoveTagsFromResource(AwsCall call, JsonObject request)
    {
        var parameter = TaggedParameter(call, request);
        foreach (var key in (request["TagKeys"] as JsonArray ?? []).Select(k => k?.GetValue<string>()).OfType<string>())
            parameter.Tags.Remove(key);
        return [];
    }

    private static JsonObject ListTagsForResource(AwsCall call, JsonObject request)
    {
        var parameter = TaggedParameter(call, request);
        var list = new JsonArray();
        foreach (var (key, value) in parameter.Tags)
            list.Add(new JsonObject { ["Key"] = key, ["Value"] = value });
        return new JsonObject { ["TagList"] = list };
    }

    private static SsmParameter TaggedParameter(AwsCall call, JsonObject request)
    {
        var type = Required(request, "ResourceType");
        if (!TaggableResourceTypes.Contains(type))
            throw Validation($"1 validation error detected: Value '{type}' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", TaggableResourceTypes)}]");
        if (type != ParameterResourceType)
            throw new AwsErrorException("InvalidResourceType", $"The local SSM holds parameters only; resource type {type} is not valid here.");
        var id = Required(request, "ResourceId");
        return Find(call, id) ?? throw new AwsErrorException("InvalidResourceId", "");
    }

    // ---- helpers ----

    private static JsonObject ParameterJson(AwsCall call, SsmParameter parameter, SsmParameterVersion version, string? selector, bool withDecryption)
    {
        var value = parameter.ParameterType == "SecureString" && withDecryption
            ? SsmEncryption.Decrypt(call.Account, call.Region, version.KeyId!, version.Value)
            : version.Value;
        var json = new JsonObject
        {
            ["Name"] = parameter.Name,
            ["Type"] = parameter.ParameterType,
            ["Value"] = value,
            ["Version"] = version.Version,
            ["LastModifiedDate"] = Math.Round(version.LastModifiedDate.ToUnixTimeMilliseconds() / 1000.0, 3),
            ["ARN"] = parameter.Arn,
            ["DataType"] = parameter.DataType,
        };
        if (selector is not null)
            json["Selector"] = selector;
        return json;
    }

    /// <summary>A name with an optional <c>:version</c> selector, as GetParameter(s) accept it.</summary>
    private static (SsmParameter Parameter, SsmParameterVersion Version, string? Selector)? Resolve(AwsCall call, string nameWithSelector)
    {
        var colon = nameWithSelector.LastIndexOf(':');
        var name = colon < 0 ? nameWithSelector : nameWithSelector[..colon];
        var selector = colon < 0 ? null : nameWithSelector[colon..];
        if (Find(call, name) is not { } parameter)
            return null;
        if (selector is null)
            return (parameter, parameter.Current, null);
        if (!long.TryParse(selector.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            throw new AwsErrorException("ParameterVersionLabelNotFound", $"Systems Manager could not find label {selector[1..]} for parameter {name}. Verify the label and try again.");
        var version = parameter.Versions.FirstOrDefault(v => v.Version == number)
            ?? throw new AwsErrorException("ParameterVersionNotFound", $"Systems Manager could not find version {number} of {name}. Verify the version and try again.");
        return (parameter, version, selector);
    }

    private static SsmParameter? Find(AwsCall call, string name) => call.World.Find<SsmParameter>(Arn(call, name));

    /// <summary>The parameter's ARN: a hierarchical name keeps its slashes after <c>parameter</c>.</summary>
    private static string Arn(AwsCall call, string name) =>
        $"arn:aws:ssm:{call.Region}:{call.Account}:parameter{(name.StartsWith('/') ? "" : "/")}{name}";

    private static string ValidName(string name)
    {
        if (name.Length > MaxNameLength)
            throw Validation($"Parameter name: can't be longer than {MaxNameLength} characters.");
        if (name.Contains('/') && !name.StartsWith('/'))
            throw Validation("Parameter name must be a fully qualified name.");
        var segments = name.StartsWith('/') ? name[1..].Split('/') : [name];
        var first = segments[0];
        if (segments.Any(s => !SegmentPattern().IsMatch(s))
            || first.StartsWith("aws", StringComparison.OrdinalIgnoreCase) || first.StartsWith("ssm", StringComparison.OrdinalIgnoreCase))
        {
            throw Validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_");
        }
        if (segments.Length > MaxHierarchyLevels)
            throw HierarchyTooDeep();
        return name;
    }

    private static List<string> Names(JsonObject request)
    {
        var names = (request["Names"] as JsonArray ?? []).Select(n => n?.GetValue<string>()).OfType<string>().ToList();
        if (names.Count is < 1 or > MaxNamesPerCall)
            throw Validation($"1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and {MaxNamesPerCall}");
        return names;
    }

    private static Dictionary<string, string>? ReadTags(JsonNode? node)
    {
        if (node is not JsonArray array)
            return null;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in array.OfType<JsonObject>())
        {
            var key = Required(tag, "Key");
            var value = Text(tag, "Value") ?? throw Validation("1 validation error detected: Value null at 'tags.member.value' failed to satisfy constraint: Member must not be null");
            if (key.Length > 128 || value.Length > 256)
                throw Validation("1 validation error detected: a tag key must have at most 128 characters and a tag value at most 256.");
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                throw Validation("The tag key prefix aws: is reserved for AWS use.");
            tags[key] = value;
        }
        return tags;
    }

    private static bool WithDecryption(JsonObject request) =>
        request["WithDecryption"] is JsonValue value && value.TryGetValue<bool>(out var decrypt) && decrypt;

    // The token names the query it pages, so a token is not reused for another path.
    private static string WriteToken(int start, string path) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{start.ToString(CultureInfo.InvariantCulture)}\n{path}"));

    private static bool TryReadToken(string token, string path, out int start)
    {
        start = 0;
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('\n', 2);
            return parts.Length == 2 && parts[1] == path && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out start);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string? Text(JsonObject json, string name) => JsonBody.Text(json, name);

    private static string Required(JsonObject json, string name) =>
        Text(json, name) is { Length: > 0 } text ? text : throw Validation($"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must not be null");

    private static AwsErrorException Validation(string message) => new("ValidationException", message);

    private static AwsErrorException ParameterNotFound() => new("ParameterNotFound", "");

    private static AwsErrorException TooManyTags() =>
        new("TooManyTagsError", $"The Tags parameter contains more than the maximum number of tags ({MaxTags}) for the resource.");

    private static AwsErrorException HierarchyTooDeep() =>
        new("HierarchyLevelLimitExceededException", $"A hierarchy can have a maximum of {MaxHierarchyLevels} levels. For more information, see Requirements and Constraints for Parameter Names in the AWS Systems Manager User Guide.");
}
