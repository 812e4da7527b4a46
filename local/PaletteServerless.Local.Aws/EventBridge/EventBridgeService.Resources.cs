using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.EventBridge;

/// <summary>EventBridge's resources: buses, rules and their targets, and what their operations share.</summary>
public sealed partial class EventBridgeService
{
    // ---- buses ----

    private static JsonObject CreateEventBus(AwsCall call, JsonObject request)
    {
        var name = Required(request, "Name");
        if (name == "default" || !BusNamePattern().IsMatch(name))
            throw Validation($"Event bus name {name} is not valid.");
        if (BusExists(call, name))
            throw new AwsErrorException("ResourceAlreadyExistsException", $"Event bus {name} already exists.");
        var arn = BusArn(call, name);
        var bus = new EventBus { Id = arn, Type = EventBus.ResourceType, Arn = arn, Name = name, Tags = ReadTags(request) };
        bus.SetState("active", call.Now);
        call.World.Add(bus, call.Now);
        return new JsonObject { ["EventBusArn"] = arn };
    }

    private static JsonObject DeleteEventBus(AwsCall call, JsonObject request)
    {
        var name = Required(request, "Name");
        if (name == "default")
            throw Validation("Cannot delete event bus default.");
        foreach (var rule in RulesOf(call, name).ToList())
            call.World.Remove(rule.Id);
        call.World.Remove(BusArn(call, name));
        return [];
    }

    private static JsonObject DescribeEventBus(AwsCall call, JsonObject request)
    {
        var name = BusName(Text(request, "Name"));
        if (!BusExists(call, name))
            throw NotFound($"Event bus {name} does not exist.");
        return new JsonObject { ["Name"] = name, ["Arn"] = BusArn(call, name) };
    }

    private static JsonObject ListEventBuses(AwsCall call, JsonObject request)
    {
        var prefix = Text(request, "NamePrefix") ?? "";
        var names = new[] { "default" }.Concat(call.World.All<EventBus>().Select(b => b.Name))
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
        var (page, next) = Paginate(names, request);
        var buses = new JsonArray();
        foreach (var name in page)
            buses.Add(new JsonObject { ["Name"] = name, ["Arn"] = BusArn(call, name) });
        return WithNextToken(new JsonObject { ["EventBuses"] = buses }, next);
    }

    // ---- rules ----

    private static JsonObject PutRule(AwsCall call, JsonObject request)
    {
        var name = Required(request, "Name");
        if (!RuleNamePattern().IsMatch(name))
            throw Validation($"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
        var busName = BusName(Text(request, "EventBusName"));
        if (!BusExists(call, busName))
            throw NotFound($"Event bus {busName} does not exist.");
        var pattern = Text(request, "EventPattern");
        var schedule = Text(request, "ScheduleExpression");
        if (pattern is null && schedule is null)
            throw Validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
        if (pattern is not null)
            EventPattern.Parse(pattern);
        if (schedule is not null && busName != "default")
            throw Validation("ScheduleExpression is supported only on the default event bus.");
        var period = schedule is null ? (TimeSpan?)null : ScheduleExpression.Period(schedule);
        var state = Text(request, "State") ?? "ENABLED";
        if (state is not ("ENABLED" or "DISABLED"))
            throw Validation($"1 validation error detected: Value '{state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]");

        var arn = RuleArn(call, busName, name);
        if (call.World.Find<EventRule>(arn) is not { } rule)
        {
            rule = new EventRule { Id = arn, Type = EventRule.ResourceType, Arn = arn, Name = name, EventBusName = busName, Tags = ReadTags(request) };
            call.World.Add(rule, call.Now);
        }

        rule.EventPattern = pattern;
        rule.ScheduleExpression = schedule;
        rule.Description = Text(request, "Description");
        rule.RuleState = state;
        rule.SetState(state == "ENABLED" ? "enabled" : "disabled", call.Now);
        // A schedule counts from when it is put, as EventBridge's rate schedules do.
        rule.NextScheduledAt = period is { } every ? call.Now + call.Aws.Latency.Scale(every) : null;
        rule.ScheduledSince = period is null ? null : call.Now;
        return new JsonObject { ["RuleArn"] = arn };
    }

    private static JsonObject DescribeRule(AwsCall call, JsonObject request)
    {
        var rule = RequiredRule(call, Required(request, "Name"), BusName(Text(request, "EventBusName")));
        var json = RuleJson(rule);
        json["CreatedBy"] = call.Account;
        return json;
    }

    private static JsonObject ListRules(AwsCall call, JsonObject request)
    {
        var busName = BusName(Text(request, "EventBusName"));
        if (!BusExists(call, busName))
            throw NotFound($"Event bus {busName} does not exist.");
        var prefix = Text(request, "NamePrefix") ?? "";
        var rules = RulesOf(call, busName).Where(r => r.Name.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        var (page, next) = Paginate(rules, request);
        var list = new JsonArray();
        foreach (var rule in page)
            list.Add(RuleJson(rule));
        return WithNextToken(new JsonObject { ["Rules"] = list }, next);
    }

    private static JsonObject DeleteRule(AwsCall call, JsonObject request)
    {
        var busName = BusName(Text(request, "EventBusName"));
        if (call.World.Find<EventRule>(RuleArn(call, busName, Required(request, "Name"))) is { } rule)
        {
            if (rule.Targets.Count > 0)
                throw Validation("Rule can't be deleted since it has targets.");
            call.World.Remove(rule.Id);
        }
        return [];
    }

    private static JsonObject SetRuleState(AwsCall call, JsonObject request, string state)
    {
        var rule = RequiredRule(call, Required(request, "Name"), BusName(Text(request, "EventBusName")));
        if (state == "ENABLED" && rule.RuleState != "ENABLED" && rule.ScheduleExpression is { } schedule)
        {
            rule.NextScheduledAt = call.Now + call.Aws.Latency.Scale(ScheduleExpression.Period(schedule));
            rule.ScheduledSince = call.Now;
        }
        rule.RuleState = state;
        rule.SetState(state == "ENABLED" ? "enabled" : "disabled", call.Now);
        return [];
    }

    // ---- targets ----

    private static JsonObject PutTargets(AwsCall call, JsonObject request)
    {
        var rule = RequiredRule(call, Required(request, "Rule"), BusName(Text(request, "EventBusName")));
        var targets = (request["Targets"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (targets.Count is < 1 or > 10)
            throw Validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10");

        var parsed = targets.Select(t => new EventRuleTarget(Required(t, "Id"), Required(t, "Arn"), Text(t, "Input"), Text(t, "InputPath"))).ToList();
        foreach (var target in parsed)
            ValidateTargetArn(target.Arn);
        var ids = rule.Targets.Select(t => t.Id).Union(parsed.Select(t => t.Id)).ToList();
        if (ids.Count > MaxTargetsPerRule)
            throw new AwsErrorException("LimitExceededException", $"The requested resource exceeds the maximum number allowed. Rule {rule.Name} can have at most {MaxTargetsPerRule} targets.");

        foreach (var target in parsed)
        {
            rule.Targets.RemoveAll(t => t.Id == target.Id);
            rule.Targets.Add(target);
        }
        return new JsonObject { ["FailedEntryCount"] = 0, ["FailedEntries"] = new JsonArray() };
    }

    private static void ValidateTargetArn(string arn)
    {
        if (arn.StartsWith("arn:", StringComparison.Ordinal))
            return;
        if (!Uri.TryCreate(arn, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw Validation($"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format.");
        var loopback = url.IsLoopback || (IPAddress.TryParse(url.Host, out var address) && IPAddress.IsLoopback(address));
        if (!loopback)
            throw Validation($"Parameter {arn} is not valid. Reason: the local EventBridge only delivers to loopback webhooks (127.0.0.1, ::1, localhost).");
    }

    private static JsonObject ListTargetsByRule(AwsCall call, JsonObject request)
    {
        var rule = RequiredRule(call, Required(request, "Rule"), BusName(Text(request, "EventBusName")));
        var (page, next) = Paginate(rule.Targets, request);
        var list = new JsonArray();
        foreach (var target in page)
        {
            var json = new JsonObject { ["Id"] = target.Id, ["Arn"] = target.Arn };
            if (target.Input is not null)
                json["Input"] = target.Input;
            if (target.InputPath is not null)
                json["InputPath"] = target.InputPath;
            list.Add(json);
        }
        return WithNextToken(new JsonObject { ["Targets"] = list }, next);
    }

    private static JsonObject RemoveTargets(AwsCall call, JsonObject request)
    {
        var rule = RequiredRule(call, Required(request, "Rule"), BusName(Text(request, "EventBusName")));
        var ids = (request["Ids"] as JsonArray ?? []).Select(i => i?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.Ordinal);
        rule.Targets.RemoveAll(t => ids.Contains(t.Id));
        return new JsonObject { ["FailedEntryCount"] = 0, ["FailedEntries"] = new JsonArray() };
    }

    // ---- helpers ----

    private static JsonObject RuleJson(EventRule rule)
    {
        var json = new JsonObject { ["Name"] = rule.Name, ["Arn"] = rule.Arn, ["State"] = rule.RuleState, ["EventBusName"] = rule.EventBusName };
        if (rule.EventPattern is not null)
            json["EventPattern"] = rule.EventPattern;
        if (rule.ScheduleExpression is not null)
            json["ScheduleExpression"] = rule.ScheduleExpression;
        if (rule.Description is not null)
            json["Description"] = rule.Description;
        return json;
    }

    private static IEnumerable<EventRule> RulesOf(AwsCall call, string busName) =>
        call.World.All<EventRule>().Where(r => r.EventBusName == busName);

    private static EventRule RequiredRule(AwsCall call, string name, string busName) =>
        call.World.Find<EventRule>(RuleArn(call, busName, name))
        ?? throw NotFound($"Rule {name} does not exist on EventBus {busName}.");

    private static bool BusExists(AwsCall call, string name) => name == "default" || call.World.Find<EventBus>(BusArn(call, name)) is not null;

    /// <summary>A bus given by name or ARN, as PutEvents and PutRule accept either.</summary>
    private static string BusName(string? nameOrArn) =>
        string.IsNullOrEmpty(nameOrArn) ? "default"
        : nameOrArn.StartsWith("arn:", StringComparison.Ordinal) ? nameOrArn[(nameOrArn.IndexOf(":event-bus/", StringComparison.Ordinal) + ":event-bus/".Length)..]
        : nameOrArn;

    private static string BusArn(AwsCall call, string name) => $"arn:aws:events:{call.Region}:{call.Account}:event-bus/{name}";

    private static string RuleArn(AwsCall call, string busName, string name) =>
        busName == "default" ? $"arn:aws:events:{call.Region}:{call.Account}:rule/{name}" : $"arn:aws:events:{call.Region}:{call.Account}:rule/{busName}/{name}";

    private static Dictionary<string, string> ReadTags(JsonObject request)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in (request["Tags"] as JsonArray ?? []).OfType<JsonObject>())
            tags[Required(tag, "Key")] = Text(tag, "Value") ?? "";
        return tags;
    }

    private static (List<T> Page, string? Next) Paginate<T>(List<T> items, JsonObject request)
    {
        var limit = request["Limit"] is JsonValue l && l.TryGetValue<int>(out var value) ? value : 100;
        if (limit is < 1 or > 100)
            throw Validation("1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value between 1 and 100");
        var start = 0;
        if (Text(request, "NextToken") is { } token && (!int.TryParse(token, out start) || start < 0))
            throw Validation("The NextToken is not valid.");
        var page = items.Skip(start).Take(limit).ToList();
        return (page, start + limit < items.Count ? (start + limit).ToString(CultureInfo.InvariantCulture) : null);
    }

    private static JsonObject WithNextToken(JsonObject response, string? next)
    {
        if (next is not null)
            response["NextToken"] = next;
        return response;
    }

    private static string? Text(JsonObject json, string name) => JsonBody.Text(json, name);

    private static string Required(JsonObject json, string name) =>
        Text(json, name) is { Length: > 0 } text ? text : throw Validation($"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must not be null");

    private static AwsErrorException Validation(string message) => new("ValidationException", message);

    private static AwsErrorException NotFound(string message) => new("ResourceNotFoundException", message);
}
