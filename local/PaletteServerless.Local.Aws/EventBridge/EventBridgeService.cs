using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.EventBridge;

/// <summary>
/// EventBridge (AWS JSON 1.1, target prefix <c>AWSEvents</c>): PutEvents on the default bus or
/// created buses, rules with event patterns, targets that are loopback webhooks or the local log.
/// Every accepted event is also published on <see cref="Stream"/>.
/// </summary>
public sealed partial class EventBridgeService : ILocalAwsService, IServiceEventBus, ITicks, PaletteServerless.Local.Aws.Iam.IAuthorizesRequests
{
    private const string ContentType = "application/x-amz-json-1.1";
    private const int MaxLogEntries = 1000;
    private const int MaxTargetsPerRule = 5;

    // Webhooks are loopback only, so one client with a short timeout serves them all.
    private static readonly HttpClient Webhooks = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };

    // Rules are matched on every PutEvents; parse each distinct pattern once.
    private readonly ConcurrentDictionary<string, EventPattern> _patterns = new(StringComparer.Ordinal);
    private readonly Lock _logSync = new();
    private readonly Queue<string> _log = new();

    public string ServiceName => "events";
    public AwsProtocol Protocol => AwsProtocol.Json;
    public string RouteKey => "AWSEvents";
    public AwsErrorStyle ErrorStyle => AwsErrorStyle.Json;
    public string? XmlNamespace => null;
    public string ThrottlingErrorCode => "ThrottlingException";

    /// <summary>Every event put, as EventBridge's JSON envelope; the local stack serves it on <c>/local/events</c>.</summary>
    public EventStream Stream { get; } = new();

    /// <summary>Raised for each line written to the local log (targets with an <c>arn:aws:logs:</c> ARN, webhook failures).</summary>
    public event Action<string>? Logged;

    /// <summary>The last lines of the local log, oldest first.</summary>
    public IReadOnlyList<string> LogEntries
    {
        get
        {
            lock (_logSync)
                return [.. _log];
        }
    }

    [GeneratedRegex(@"^[\.\-_A-Za-z0-9]{1,64}$")]
    private static partial Regex RuleNamePattern();

    [GeneratedRegex(@"^[/\.\-_A-Za-z0-9]{1,256}$")]
    private static partial Regex BusNamePattern();

    public Task<LocalAwsResponse> HandleAsync(AwsCall call, CancellationToken cancellationToken)
    {
        var request = JsonBody.Parse(call);
        JsonObject response;
        List<(EventRuleTarget Target, string Event)> deliveries = [];
        lock (call.Aws.Store.Sync)
        {
            response = call.Operation switch
            {
                "PutEvents" => PutEvents(call, request, deliveries),
                "CreateEventBus" => CreateEventBus(call, request),
                "DeleteEventBus" => DeleteEventBus(call, request),
                "DescribeEventBus" => DescribeEventBus(call, request),
                "ListEventBuses" => ListEventBuses(call, request),
                "PutRule" => PutRule(call, request),
                "DescribeRule" => DescribeRule(call, request),
                "ListRules" => ListRules(call, request),
                "DeleteRule" => DeleteRule(call, request),
                "EnableRule" => SetRuleState(call, request, "ENABLED"),
                "DisableRule" => SetRuleState(call, request, "DISABLED"),
                "PutTargets" => PutTargets(call, request),
                "ListTargetsByRule" => ListTargetsByRule(call, request),
                "RemoveTargets" => RemoveTargets(call, request),
                _ => throw new AwsErrorException("UnknownOperationException", $"The operation {call.Operation} is not supported by the local EventBridge."),
            };
        }

        foreach (var (target, evt) in deliveries)
            Deliver(call.Aws, target, evt);
        return Task.FromResult(LocalAwsResponse.Json(200, ContentType, Encoding.UTF8.GetBytes(response.ToJsonString()), call.RequestId));
    }

    // ---- events ----

    private JsonObject PutEvents(AwsCall call, JsonObject request, List<(EventRuleTarget, string)> deliveries)
    {
        var entries = request["Entries"] as JsonArray;
        if (entries is null || entries.Count is < 1 or > 10)
            throw Validation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10");

        var results = new JsonArray();
        var failed = 0;
        foreach (var entry in entries.OfType<JsonObject>())
        {
            var error = EntryError(call, entry, out var busName);
            if (error is not null)
            {
                failed++;
                results.Add(new JsonObject { ["ErrorCode"] = error.Value.Code, ["ErrorMessage"] = error.Value.Message });
                continue;
            }

            var id = Guid.NewGuid().ToString();
            var envelope = Envelope(call, entry, id);
            Publish(RulesOf(call, busName), envelope, deliveries);
            results.Add(new JsonObject { ["EventId"] = id });
        }

        return new JsonObject { ["FailedEntryCount"] = failed, ["Entries"] = results };
    }

    /// <summary>Publishes an event on the stream and adds the targets of the enabled pattern rules it matches.</summary>
    private void Publish(IEnumerable<EventRule> rules, string envelope, List<(EventRuleTarget, string)> deliveries)
    {
        Stream.Publish(envelope);
        using var document = JsonDocument.Parse(envelope);
        foreach (var rule in rules.Where(r => r.RuleState == "ENABLED" && r.EventPattern is not null))
        {
            if (_patterns.GetOrAdd(rule.EventPattern!, EventPattern.Parse).Matches(document.RootElement))
                deliveries.AddRange(rule.Targets.Select(t => (t, envelope)));
        }
    }

    /// <summary>An event a service sends (EC2's aws.ec2 events): on the default bus of its account and region, matched like any other.</summary>
    public void PutServiceEvent(LocalAws aws, ServiceEvent serviceEvent)
    {
        List<(EventRuleTarget Target, string Event)> deliveries = [];
        lock (aws.Store.Sync)
        {
            var world = aws.Store.World(serviceEvent.Account, serviceEvent.Region);
            var resources = new JsonArray();
            foreach (var resource in serviceEvent.Resources)
                resources.Add(resource);
            var envelope = Envelope(Guid.NewGuid().ToString(), serviceEvent.DetailType, serviceEvent.Source, serviceEvent.Account,
                serviceEvent.Time, serviceEvent.Region, resources, serviceEvent.Detail.DeepClone());
            Publish(world.All<EventRule>().Where(r => r.EventBusName == "default"), envelope, deliveries);
        }
        foreach (var (target, evt) in deliveries)
            Deliver(aws, target, evt);
    }

    private static (string Code, string Message)? EntryError(AwsCall call, JsonObject entry, out string busName)
    {
        busName = BusName(Text(entry, "EventBusName"));
        foreach (var required in new[] { "Source", "DetailType", "Detail" })
        {
            if (string.IsNullOrEmpty(Text(entry, required)))
                return ("InvalidArgument", $"Parameter {required} is not valid. Reason: {required} is a required argument.");
        }

        try
        {
            if (JsonNode.Parse(Text(entry, "Detail")!) is not JsonObject)
                return ("MalformedDetail", "Detail is malformed.");
        }
        catch (JsonException)
        {
            return ("MalformedDetail", "Detail is malformed.");
        }

        return BusExists(call, busName) ? null : ("InvalidArgument", $"Event bus {busName} does not exist.");
    }

    private static string Envelope(AwsCall call, JsonObject entry, string id)
    {
        // Time arrives as epoch seconds from the SDKs and the CLI; an ISO 8601 string is accepted too.
        var time = entry["Time"] is not JsonValue timeValue ? call.Now
            : timeValue.TryGetValue<double>(out var seconds) ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
            : timeValue.TryGetValue<string>(out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed
            : call.Now;
        var resources = new JsonArray();
        foreach (var resource in (entry["Resources"] as JsonArray ?? []).Select(r => r?.GetValue<string>()).OfType<string>())
            resources.Add(resource);
        return Envelope(id, Text(entry, "DetailType")!, Text(entry, "Source")!, call.Account, time, call.Region, resources, JsonNode.Parse(Text(entry, "Detail")!));
    }

    /// <summary>EventBridge's event envelope (EventBridge User Guide, "Amazon EventBridge events").</summary>
    private static string Envelope(
        string id, string detailType, string source, string account, DateTimeOffset time, string region, JsonArray resources, JsonNode? detail) =>
        new JsonObject
        {
            ["version"] = "0",
            ["id"] = id,
            ["detail-type"] = detailType,
            ["source"] = source,
            ["account"] = account,
            ["time"] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["region"] = region,
            ["resources"] = resources,
            ["detail"] = detail,
        }.ToJsonString();

    private void Deliver(LocalAws aws, EventRuleTarget target, string envelope)
    {
        var payload = Payload(target, envelope);
        if (target.Arn.StartsWith("arn:aws:logs:", StringComparison.Ordinal))
        {
            Log(payload);
            return;
        }

        if (target.Arn.StartsWith("arn:aws:lambda:", StringComparison.Ordinal))
        {
            InvokeFunction(aws, target.Arn, payload);
            return;
        }

        if (!target.Arn.StartsWith("http", StringComparison.OrdinalIgnoreCase))
            return;

        // Delivered in the background: EventBridge answers PutEvents before targets are invoked.
        _ = Task.Run(async () =>
        {
            try
            {
                using var content = new StringContent(payload, Encoding.UTF8, "application/json");
                using var response = await Webhooks.PostAsync(target.Arn, content);
                if (!response.IsSuccessStatusCode)
                    Log($"webhook {target.Arn} answered {(int)response.StatusCode}");
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
            {
                Log($"webhook {target.Arn} failed: {error.Message}");
            }
        });
    }

    /// <summary>
    /// Invokes a Lambda target asynchronously (the Event invocation type, as EventBridge does): the
    /// rule's caller never waits for the function, and a failure is only logged.
    /// </summary>
    private void InvokeFunction(LocalAws aws, string functionArn, string payload)
    {
        if (aws.LambdaInvoker is not { } invoke)
        {
            Log($"lambda {functionArn}: no function runs in this local AWS; the event was not delivered");
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await invoke(functionArn, payload, CancellationToken.None);
            }
            catch (Exception error)
            {
                Log($"lambda {functionArn} failed: {error.GetType().Name}: {error.Message}");
            }
        });
    }

    /// <summary>What a target receives: the event, or the target's constant Input, or the part InputPath selects.</summary>
    private static string Payload(EventRuleTarget target, string envelope)
    {
        if (target.Input is not null)
            return target.Input;
        if (target.InputPath is null or "$")
            return envelope;
        var node = JsonNode.Parse(envelope);
        foreach (var segment in target.InputPath.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
            node = node is JsonObject obj ? obj[segment] : null;
        return node?.ToJsonString() ?? "null";
    }

    private void Log(string line)
    {
        lock (_logSync)
        {
            _log.Enqueue(line);
            while (_log.Count > MaxLogEntries)
                _log.Dequeue();
        }
        Logged?.Invoke(line);
    }

    // ---- schedules ----

    /// <summary>
    /// Fires every enabled scheduled rule whose time has come: its targets get EventBridge's
    /// "Scheduled Event" (source aws.events, the rule's ARN as resource, empty detail). A rule late
    /// by several periods fires once, as a schedule does not replay what it missed. The event's <c>time</c> is the
    /// scheduled time in modelled time (<see cref="ModelledTime"/>): a rate(1 minute) schedule's events are a modelled
    /// minute apart, so a target that reads the time (a cron evaluated against it) sees the schedule as AWS would run it.
    /// </summary>
    /// <summary>
    /// A scheduled time in modelled time: the schedule's start plus the real time since it, times the time scale
    /// (at a time scale of 1, the time itself).
    /// </summary>
    public static DateTimeOffset ModelledTime(LocalAws aws, EventRule rule, DateTimeOffset at)
    {
        var since = rule.ScheduledSince ?? rule.CreatedAt;
        var scale = aws.Options.TimeScale > 0 ? aws.Options.TimeScale : 1;
        return since + TimeSpan.FromTicks((long)((at - since).Ticks * scale));
    }

    public void Tick(LocalAws aws, DateTimeOffset now)
    {
        List<(EventRuleTarget Target, string Event)> deliveries = [];
        foreach (var world in aws.Store.Worlds)
        {
            foreach (var rule in world.All<EventRule>().Where(r => r.RuleState == "ENABLED" && r.NextScheduledAt <= now).OrderBy(r => r.Sequence))
            {
                var envelope = Envelope(Guid.NewGuid().ToString(), "Scheduled Event", "aws.events", world.Account, ModelledTime(aws, rule, rule.NextScheduledAt!.Value),
                    world.Region, new JsonArray(JsonValue.Create(rule.Arn)), new JsonObject());
                deliveries.AddRange(rule.Targets.Select(t => (t, envelope)));
                var period = aws.Latency.Scale(ScheduleExpression.Period(rule.ScheduleExpression!));
                if (period <= TimeSpan.Zero)
                    period = TimeSpan.FromTicks(1);
                var missed = (now - rule.NextScheduledAt.Value).Ticks / period.Ticks;
                rule.NextScheduledAt += TimeSpan.FromTicks(period.Ticks * (missed + 1));
            }
        }
        foreach (var (target, evt) in deliveries)
            Deliver(aws, target, evt);
    }
}
