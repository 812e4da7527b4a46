namespace PaletteServerless.Aws.Clients;

/// <summary>Raised when PutEvents accepted the call but refused some entries, so no event is lost unnoticed.</summary>
public sealed class PutEventsFailedException(IReadOnlyList<(int Index, PutEventsResultEntry Entry)> failedEntries)
    : Exception($"EventBridge refused {failedEntries.Count} event(s): " +
                string.Join("; ", failedEntries.Select(f => $"#{f.Index} {f.Entry.ErrorCode}: {f.Entry.ErrorMessage}")))
{
    /// <summary>Each refused entry with its index in the request.</summary>
    public IReadOnlyList<(int Index, PutEventsResultEntry Entry)> FailedEntries { get; } = failedEntries;
}

/// <summary>EventBridge over AWS JSON 1.1 (signing name <c>events</c>).</summary>
public sealed class EventBridgeClient : IDisposable
{
    private const string TargetPrefix = "AWSEvents.";
    private readonly AwsJsonProtocolClient _json;
    private static EventBridgeJsonContext Json => EventBridgeJsonContext.Default;

    public EventBridgeClient(AwsClientOptions options)
    {
        _json = new AwsJsonProtocolClient(AwsService.EventBridge, "1.1", options);
    }

    public Uri Endpoint => _json.Endpoint;

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

    public Task<PutRuleResponse> PutRuleAsync(PutRuleRequest request, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(TargetPrefix + "PutRule", request, Json.PutRuleRequest, Json.PutRuleResponse, cancellationToken);

    public Task<ListRulesResponse> ListRulesAsync(string? eventBusName = null, string? namePrefix = null, string? nextToken = null, int? limit = null, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(TargetPrefix + "ListRules", new ListRulesRequest(namePrefix, eventBusName, nextToken, limit), Json.ListRulesRequest, Json.ListRulesResponse, cancellationToken);

    public Task<TargetsResponse> PutTargetsAsync(string rule, IReadOnlyList<EventBridgeTarget> targets, string? eventBusName = null, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(TargetPrefix + "PutTargets", new PutTargetsRequest(rule, eventBusName, targets), Json.PutTargetsRequest, Json.TargetsResponse, cancellationToken);

    public Task<ListTargetsByRuleResponse> ListTargetsByRuleAsync(string rule, string? eventBusName = null, string? nextToken = null, int? limit = null, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(TargetPrefix + "ListTargetsByRule", new ListTargetsByRuleRequest(rule, eventBusName, nextToken, limit), Json.ListTargetsByRuleRequest, Json.ListTargetsByRuleResponse, cancellationToken);

    public Task<TargetsResponse> RemoveTargetsAsync(string rule, IReadOnlyList<string> ids, string? eventBusName = null, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(TargetPrefix + "RemoveTargets", new RemoveTargetsRequest(rule, eventBusName, ids, null), Json.RemoveTargetsRequest, Json.TargetsResponse, cancellationToken);

    public Task DeleteRuleAsync(string name, string? eventBusName = null, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(TargetPrefix + "DeleteRule", new DeleteRuleRequest(name, eventBusName, null), Json.DeleteRuleRequest, Json.EmptyResponse, cancellationToken);

    public Task<CreateEventBusResponse> CreateEventBusAsync(string name, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(TargetPrefix + "CreateEventBus", new CreateEventBusRequest(name), Json.CreateEventBusRequest, Json.CreateEventBusResponse, cancellationToken);

    public Task DeleteEventBusAsync(string name, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(TargetPrefix + "DeleteEventBus", new DeleteEventBusRequest(name), Json.DeleteEventBusRequest, Json.EmptyResponse, cancellationToken);

    public Task<ListEventBusesResponse> ListEventBusesAsync(string? namePrefix = null, string? nextToken = null, int? limit = null, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(TargetPrefix + "ListEventBuses", new ListEventBusesRequest(namePrefix, nextToken, limit), Json.ListEventBusesRequest, Json.ListEventBusesResponse, cancellationToken);

    public void Dispose() => _json.Dispose();
}
