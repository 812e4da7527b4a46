namespace PaletteServerless.Aws.Clients;

/// <summary>Raised when PutEvents accepted the call but refused some entries, so no event is lost unnoticed.</summary>
public sealed class PutEventsFailedException(IReadOnlyList<(int Index, PutEventsResultEntry Entry)> failedEntries)
    : Exception($"EventBridge refused {failedEntries.Count} event(s): " +
                string.Join("; ", failedEntries.Select(f => $"#{f.Index} {f.Entry.ErrorCode}: {f.Entry.ErrorMessage}")))
{
    /// <summary>Each refused entry with its index in the request.</summary>
    public IReadOnlyList<(int Index, PutEventsResultEntry Entry)> FailedEntries { get; } = failedEntries;
}

/// <summary>EventBridge over AWS JSON 1.1 (signing name <c>events</c>): PutEvents, the one call the product makes.</summary>
public sealed class EventBridgeClient : IDisposable
{
    private const string TargetPrefix = "AWSEvents.";
    private readonly AwsJsonProtocolClient _json;
    private static EventBridgeJsonContext Json => EventBridgeJsonContext.Default;

    public EventBridgeClient(AwsClientOptions options)
    {
        Options = options;
        _json = new AwsJsonProtocolClient(AwsService.EventBridge, "1.1", options);
    }

    public Uri Endpoint => _json.Endpoint;

    /// <summary>The options the client was made with (region, credentials, endpoint).</summary>
    public AwsClientOptions Options { get; }

    /// <summary>
    /// Puts up to 10 events. Throws <see cref="PutEventsFailedException"/> when any entry was refused
    /// (PutEvents answers 200 even then), and <see cref="AwsServiceException"/> when the call failed.
    /// </summary>
    public async Task<PutEventsResponse> PutEventsAsync(IReadOnlyList<PutEventsRequestEntry> entries, CancellationToken cancellationToken = default)
    {
        var response = await _json.InvokeAsync(TargetPrefix + "PutEvents", new PutEventsRequest(entries), Json.PutEventsRequest, Json.PutEventsResponse, cancellationToken)
            .ConfigureAwait(false);
        var failed = response.Entries
            .Select((entry, index) => (Index: index, Entry: entry))
            .Where(e => e.Entry.ErrorCode is not null || e.Entry.EventId is null)
            .ToList();
        if (response.FailedEntryCount > 0 || failed.Count > 0)
        {
            throw new PutEventsFailedException(failed);
        }

        return response;
    }

    public void Dispose() => _json.Dispose();
}
