using System.Text.Json.Serialization;

namespace PaletteServerless.Steps.Remediation;

/// <summary>
/// An event EventBridge delivers to a Lambda target: the envelope every event shares (EventBridge User Guide,
/// "Amazon EventBridge events") with the detail of the two EC2 events the remediation rules match (Amazon EC2
/// User Guide: instance state-change events, spot instance interruption notices).
/// </summary>
public sealed record Ec2Event
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("detail-type")] public string? DetailType { get; init; }
    [JsonPropertyName("source")] public string? Source { get; init; }
    [JsonPropertyName("account")] public string? Account { get; init; }
    [JsonPropertyName("time")] public DateTimeOffset? Time { get; init; }
    [JsonPropertyName("region")] public string? Region { get; init; }
    [JsonPropertyName("detail")] public Ec2EventDetail? Detail { get; init; }
}

public sealed record Ec2EventDetail
{
    [JsonPropertyName("instance-id")] public string? InstanceId { get; init; }
    /// <summary>State-change notifications: the state the instance entered.</summary>
    [JsonPropertyName("state")] public string? State { get; init; }
    /// <summary>Interruption warnings: terminate, stop or hibernate.</summary>
    [JsonPropertyName("instance-action")] public string? InstanceAction { get; init; }
}

/// <summary>What a trigger did, returned and logged as one JSON line.</summary>
public sealed record TriggerOutcome
{
    public required string Trigger { get; init; }
    public required string Outcome { get; init; }
    public string? InstanceId { get; init; }
    public string? Cluster { get; init; }
    public string? ClusterUid { get; init; }
    public int? Checked { get; init; }
    public IReadOnlyList<string>? Started { get; init; }
    public IReadOnlyList<string>? Errors { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Ec2Event))]
[JsonSerializable(typeof(TriggerOutcome))]
internal sealed partial class TriggerJsonContext : JsonSerializerContext;
