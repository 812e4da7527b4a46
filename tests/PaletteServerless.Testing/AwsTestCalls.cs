using System.Globalization;
using System.Text.Json.Serialization;
using System.Xml.Linq;

// The calls only tests make: the product's clients (functions/PaletteServerless.Aws/Clients) carry
// just the operations the product uses. These extensions keep the same call shape on the same
// client types and sign with the same options, over a protocol client of their own.
namespace PaletteServerless.Aws.Clients;

/// <summary>ELBv2 calls the test bed makes: listener and target removal, and tags.</summary>
public static class Elbv2TestCalls
{
    public static Task DeleteListenerAsync(this Elbv2Client client, string listenerArn, CancellationToken cancellationToken = default) =>
        InvokeAsync(client, "DeleteListener", new QueryParameters().Add("ListenerArn", listenerArn), cancellationToken);

    public static Task DeregisterTargetsAsync(this Elbv2Client client, string targetGroupArn, IReadOnlyList<TargetDescription> targets, CancellationToken cancellationToken = default) =>
        InvokeAsync(client, "DeregisterTargets", new QueryParameters()
            .Add("TargetGroupArn", targetGroupArn)
            .AddStructures("Targets", targets, (parameters, prefix, target) => parameters.Add(prefix + "Id", target.Id).Add(prefix + "Port", target.Port)), cancellationToken);

    public static Task AddTagsAsync(this Elbv2Client client, IReadOnlyList<string> resourceArns, IReadOnlyList<ResourceTag> tags, CancellationToken cancellationToken = default) =>
        InvokeAsync(client, "AddTags", new QueryParameters().AddList("ResourceArns", resourceArns).AddTags("Tags", tags), cancellationToken);

    public static Task RemoveTagsAsync(this Elbv2Client client, IReadOnlyList<string> resourceArns, IReadOnlyList<string> tagKeys, CancellationToken cancellationToken = default) =>
        InvokeAsync(client, "RemoveTags", new QueryParameters().AddList("ResourceArns", resourceArns).AddList("TagKeys", tagKeys), cancellationToken);

    public static async Task<IReadOnlyList<TagDescription>> DescribeTagsAsync(this Elbv2Client client, IReadOnlyList<string> resourceArns, CancellationToken cancellationToken = default)
    {
        var result = await InvokeAsync(client, "DescribeTags", new QueryParameters().AddList("ResourceArns", resourceArns), cancellationToken);
        return Members(result, "TagDescriptions")
            .Select(d => new TagDescription(
                AwsQueryProtocolClient.Child(d, "ResourceArn") ?? string.Empty,
                Members(d, "Tags").Select(t => new ResourceTag(AwsQueryProtocolClient.Child(t, "Key") ?? string.Empty, AwsQueryProtocolClient.Child(t, "Value") ?? string.Empty)).ToList()))
            .ToList();
    }

    private static async Task<XElement> InvokeAsync(Elbv2Client client, string action, QueryParameters parameters, CancellationToken cancellationToken)
    {
        using var query = new AwsQueryProtocolClient(AwsService.ElasticLoadBalancingV2, Elbv2Client.ApiVersion, client.Options);
        return await query.InvokeAsync(action, parameters, cancellationToken);
    }

    private static IEnumerable<XElement> Members(XElement? parent, string listName) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == listName)?.Elements().Where(e => e.Name.LocalName == "member") ?? [];
}

public sealed record TagDescription(string ResourceArn, IReadOnlyList<ResourceTag> Tags);

/// <summary>EventBridge calls the test bed makes: rules, targets and buses.</summary>
public static class EventBridgeTestCalls
{
    private const string TargetPrefix = "AWSEvents.";
    private static EventBridgeTestJsonContext Json => EventBridgeTestJsonContext.Default;

    public static Task<PutRuleResponse> PutRuleAsync(this EventBridgeClient client, PutRuleRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync(client, "PutRule", request, Json.PutRuleRequest, Json.PutRuleResponse, cancellationToken);

    public static Task<ListRulesResponse> ListRulesAsync(this EventBridgeClient client, string? eventBusName = null, string? namePrefix = null, string? nextToken = null, int? limit = null, CancellationToken cancellationToken = default) =>
        InvokeAsync(client, "ListRules", new ListRulesRequest(namePrefix, eventBusName, nextToken, limit), Json.ListRulesRequest, Json.ListRulesResponse, cancellationToken);

    public static Task<TargetsResponse> PutTargetsAsync(this EventBridgeClient client, string rule, IReadOnlyList<EventBridgeTarget> targets, string? eventBusName = null, CancellationToken cancellationToken = default) =>
        InvokeAsync(client, "PutTargets", new PutTargetsRequest(rule, eventBusName, targets), Json.PutTargetsRequest, Json.TargetsResponse, cancellationToken);

    public static Task<ListTargetsByRuleResponse> ListTargetsByRuleAsync(this EventBridgeClient client, string rule, string? eventBusName = null, string? nextToken = null, int? limit = null, CancellationToken cancellationToken = default) =>
        InvokeAsync(client, "ListTargetsByRule", new ListTargetsByRuleRequest(rule, eventBusName, nextToken, limit), Json.ListTargetsByRuleRequest, Json.ListTargetsByRuleResponse, cancellationToken);

    public static Task<TargetsResponse> RemoveTargetsAsync(this EventBridgeClient client, string rule, IReadOnlyList<string> ids, string? eventBusName = null, CancellationToken cancellationToken = default) =>
        InvokeAsync(client, "RemoveTargets", new RemoveTargetsRequest(rule, eventBusName, ids, null), Json.RemoveTargetsRequest, Json.TargetsResponse, cancellationToken);

    public static Task DeleteRuleAsync(this EventBridgeClient client, string name, string? eventBusName = null, CancellationToken cancellationToken = default) =>
        InvokeAsync(client, "DeleteRule", new DeleteRuleRequest(name, eventBusName, null), Json.DeleteRuleRequest, Json.EmptyResponse, cancellationToken);

    public static Task<CreateEventBusResponse> CreateEventBusAsync(this EventBridgeClient client, string name, CancellationToken cancellationToken = default) =>
        InvokeAsync(client, "CreateEventBus", new CreateEventBusRequest(name), Json.CreateEventBusRequest, Json.CreateEventBusResponse, cancellationToken);

    public static Task<ListEventBusesResponse> ListEventBusesAsync(this EventBridgeClient client, string? namePrefix = null, string? nextToken = null, int? limit = null, CancellationToken cancellationToken = default) =>
        InvokeAsync(client, "ListEventBuses", new ListEventBusesRequest(namePrefix, nextToken, limit), Json.ListEventBusesRequest, Json.ListEventBusesResponse, cancellationToken);

    private static async Task<TResponse> InvokeAsync<TRequest, TResponse>(EventBridgeClient client, string operation, TRequest request,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestType, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var json = new AwsJsonProtocolClient(AwsService.EventBridge, "1.1", client.Options);
        return await json.InvokeAsync(TargetPrefix + operation, request, requestType, responseType, cancellationToken);
    }
}

public sealed record PutRuleRequest
{
    public required string Name { get; init; }

    public string? EventPattern { get; init; }

    public string? ScheduleExpression { get; init; }

    /// <summary>ENABLED or DISABLED; AWS defaults to ENABLED.</summary>
    public string? State { get; init; }

    public string? Description { get; init; }

    public string? EventBusName { get; init; }
}

public sealed record PutRuleResponse(string RuleArn);

public sealed record EventBridgeRule
{
    public required string Name { get; init; }

    public required string Arn { get; init; }

    public string? EventPattern { get; init; }

    public string? ScheduleExpression { get; init; }

    public string? State { get; init; }

    public string? Description { get; init; }

    public string? EventBusName { get; init; }
}

public sealed record ListRulesRequest(string? NamePrefix, string? EventBusName, string? NextToken, int? Limit);

public sealed record ListRulesResponse(IReadOnlyList<EventBridgeRule>? Rules, string? NextToken);

/// <summary>
/// A rule target. Real AWS takes service ARNs; the local EventBridge also delivers to a loopback
/// <c>http://127.0.0.1:port/path</c> given as <see cref="Arn"/> (a webhook) and to its log.
/// </summary>
public sealed record EventBridgeTarget(string Id, string Arn)
{
    public string? RoleArn { get; init; }

    public string? Input { get; init; }

    public string? InputPath { get; init; }
}

public sealed record PutTargetsRequest(string Rule, string? EventBusName, IReadOnlyList<EventBridgeTarget> Targets);

public sealed record FailedTargetEntry(string? TargetId, string? ErrorCode, string? ErrorMessage);

public sealed record TargetsResponse(int FailedEntryCount, IReadOnlyList<FailedTargetEntry>? FailedEntries);

public sealed record ListTargetsByRuleRequest(string Rule, string? EventBusName, string? NextToken, int? Limit);

public sealed record ListTargetsByRuleResponse(IReadOnlyList<EventBridgeTarget>? Targets, string? NextToken);

public sealed record DeleteRuleRequest(string Name, string? EventBusName, bool? Force);

public sealed record RemoveTargetsRequest(string Rule, string? EventBusName, IReadOnlyList<string> Ids, bool? Force);

public sealed record CreateEventBusRequest(string Name);

public sealed record CreateEventBusResponse(string EventBusArn);

public sealed record EventBus(string Name, string Arn);

public sealed record ListEventBusesRequest(string? NamePrefix, string? NextToken, int? Limit);

public sealed record ListEventBusesResponse(IReadOnlyList<EventBus>? EventBuses, string? NextToken);

/// <summary>Operations that answer with an empty JSON object.</summary>
public sealed record EmptyResponse;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PutRuleRequest))]
[JsonSerializable(typeof(PutRuleResponse))]
[JsonSerializable(typeof(ListRulesRequest))]
[JsonSerializable(typeof(ListRulesResponse))]
[JsonSerializable(typeof(PutTargetsRequest))]
[JsonSerializable(typeof(TargetsResponse))]
[JsonSerializable(typeof(ListTargetsByRuleRequest))]
[JsonSerializable(typeof(ListTargetsByRuleResponse))]
[JsonSerializable(typeof(DeleteRuleRequest))]
[JsonSerializable(typeof(RemoveTargetsRequest))]
[JsonSerializable(typeof(CreateEventBusRequest))]
[JsonSerializable(typeof(CreateEventBusResponse))]
[JsonSerializable(typeof(ListEventBusesRequest))]
[JsonSerializable(typeof(ListEventBusesResponse))]
[JsonSerializable(typeof(EmptyResponse))]
internal sealed partial class EventBridgeTestJsonContext : JsonSerializerContext;
