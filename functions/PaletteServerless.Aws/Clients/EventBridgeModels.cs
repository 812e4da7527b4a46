using System.Text.Json.Serialization;

namespace PaletteServerless.Aws.Clients;

/// <summary>One event for PutEvents; <see cref="Detail"/> is a JSON object as a string.</summary>
public sealed record PutEventsRequestEntry
{
    public required string Source { get; init; }

    public required string DetailType { get; init; }

    public required string Detail { get; init; }

    /// <summary>Name or ARN of the bus; null means the account's <c>default</c> bus.</summary>
    public string? EventBusName { get; init; }

    public IReadOnlyList<string>? Resources { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? Time { get; init; }
}

public sealed record PutEventsRequest(IReadOnlyList<PutEventsRequestEntry> Entries);

/// <summary>Per entry, in request order: an <see cref="EventId"/> when accepted, else an error code.</summary>
public sealed record PutEventsResultEntry(string? EventId, string? ErrorCode, string? ErrorMessage);

public sealed record PutEventsResponse(int FailedEntryCount, IReadOnlyList<PutEventsResultEntry> Entries);

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

public sealed record DeleteEventBusRequest(string Name);

public sealed record EventBus(string Name, string Arn);

public sealed record ListEventBusesRequest(string? NamePrefix, string? NextToken, int? Limit);

public sealed record ListEventBusesResponse(IReadOnlyList<EventBus>? EventBuses, string? NextToken);

/// <summary>Operations that answer with an empty JSON object.</summary>
public sealed record EmptyResponse;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PutEventsRequest))]
[JsonSerializable(typeof(PutEventsResponse))]
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
[JsonSerializable(typeof(DeleteEventBusRequest))]
[JsonSerializable(typeof(ListEventBusesRequest))]
[JsonSerializable(typeof(ListEventBusesResponse))]
[JsonSerializable(typeof(EmptyResponse))]
public sealed partial class EventBridgeJsonContext : JsonSerializerContext;
