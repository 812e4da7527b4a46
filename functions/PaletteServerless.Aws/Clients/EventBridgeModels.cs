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

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PutEventsRequest))]
[JsonSerializable(typeof(PutEventsResponse))]
public sealed partial class EventBridgeJsonContext : JsonSerializerContext;
