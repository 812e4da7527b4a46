using Amazon.CDK;
using Amazon.CDK.AWS.Events;
using PaletteServerless.Manifest;
using CfnRule = Amazon.CDK.AWS.Events.CfnRule;

namespace PaletteServerless.Infra;

/// <summary>The product stack's event routing: the cluster events' rule and archive, and the remediation triggers.</summary>
public sealed partial class ProductStack
{
    private void CreateEventRouting()
    {
        var rule = new Rule(this, "ClusterEventsRule", new RuleProps
        {
            EventBus = EventBus,
            Description = "Cluster status changes and leftover-resource reports, to the optional notification topic",
            EventPattern = new EventPattern { DetailType = [.. ClusterEvents.DetailTypes] },
        });
        // The target is a deploy-time choice (a parameter), so it is added only when one is given.
        ((CfnRule)rule.Node.DefaultChild!).AddPropertyOverride("Targets", IfNotificationTopic(new object[]
        {
            new Dictionary<string, object>
            {
                ["Id"] = "NotificationTopic",
                ["Arn"] = _notificationTopicArn.ValueAsString,
                ["RetryPolicy"] = new Dictionary<string, object>
                {
                    ["MaximumRetryAttempts"] = EventRetryAttempts,
                    ["MaximumEventAgeInSeconds"] = EventMaxAge.ToSeconds(),
                },
                ["DeadLetterConfig"] = new Dictionary<string, object> { ["Arn"] = EventDeadLetters.QueueArn },
            },
        }));
        AllowDeadLettersFrom(rule.RuleArn);

        _ = EventBus.Archive("EventArchive", new BaseArchiveProps
        {
            Description = "Every cluster event, for replay and audit",
            EventPattern = new EventPattern { Account = [Account] },
            Retention = Duration.Days(90),
        });
    }

    /// <summary>
    /// The rules of <see cref="EventRuleCatalog"/>, each with its function as target: EC2's events on the default
    /// bus, and the periodic health check's schedule. Adding a Lambda target grants events.amazonaws.com
    /// lambda:InvokeFunction on that function, for that rule's ARN only.
    /// </summary>
    private void CreateRemediationRules()
    {
        foreach (var definition in EventRuleCatalog.All)
        {
            var props = new RuleProps
            {
                RuleName = definition.Name,
                Description = definition.Description,
                // Retried, then kept: an event no retry delivered lands in the dead-letter queue (and its alarm), never lost.
                Targets = [new Amazon.CDK.AWS.Events.Targets.LambdaFunction(Functions[definition.Target.Name], new Amazon.CDK.AWS.Events.Targets.LambdaFunctionProps
                {
                    DeadLetterQueue = EventDeadLetters,
                    RetryAttempts = definition.ScheduleExpression is null ? EventRetryAttempts : ScheduleRetryAttempts,
                    MaxEventAge = definition.ScheduleExpression is null ? EventMaxAge : ScheduleMaxAge,
                })],
            };
            if (definition.ScheduleExpression is { } schedule)
                props.Schedule = Schedule.Expression(schedule);
            if (definition.EventPattern is { } pattern)
                props.EventPattern = TypedPattern(definition.Name, pattern);
            if (definition.Bus != EventRuleCatalog.DefaultBus)
                throw new InvalidOperationException($"rule {definition.Name}: only the default bus is supported for the catalog's rules");
            _ = new Rule(this, PascalCase(definition.Name) + "Rule", props);
        }
    }

    /// <summary>The catalog's pattern JSON as CDK's EventPattern (source, detail-type and detail: what the catalog uses).</summary>
    private static EventPattern TypedPattern(string rule, string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        var unknown = node.Select(p => p.Key).Except(["source", "detail-type", "detail"]).ToList();
        if (unknown.Count > 0)
            throw new InvalidOperationException($"rule {rule}: the pattern field(s) {string.Join(", ", unknown)} are not mapped to CDK's EventPattern");
        static string[]? Strings(System.Text.Json.Nodes.JsonNode? n) => n?.AsArray().Select(v => v!.GetValue<string>()).ToArray();
        return new EventPattern
        {
            Source = Strings(node["source"]),
            DetailType = Strings(node["detail-type"]),
            Detail = node["detail"] is System.Text.Json.Nodes.JsonObject detail ? (IDictionary<string, object>)Plain(detail) : null,
        };
    }

    /// <summary>JSON as the plain dictionaries, arrays and scalars jsii passes to CloudFormation.</summary>
    private static object Plain(System.Text.Json.Nodes.JsonNode? node) => node switch
    {
        System.Text.Json.Nodes.JsonObject o => o.ToDictionary(p => p.Key, p => Plain(p.Value)),
        System.Text.Json.Nodes.JsonArray a => a.Select(Plain).ToArray(),
        System.Text.Json.Nodes.JsonValue v when v.TryGetValue<string>(out var text) => text,
        System.Text.Json.Nodes.JsonValue v when v.TryGetValue<bool>(out var flag) => flag,
        System.Text.Json.Nodes.JsonValue v => v.GetValue<double>(),
        _ => throw new InvalidOperationException("an event pattern holds no nulls"),
    };

    /// <summary>
    /// Fn::If on the notification topic condition, value or no property at all. Written as plain
    /// JSON: jsii cannot pass Fn.ConditionIf's result where a property override takes "any".
    /// </summary>
    private Dictionary<string, object> IfNotificationTopic(object value) => new()
    {
        ["Fn::If"] = new object[] { _hasNotificationTopic.LogicalId, value, new Dictionary<string, object> { ["Ref"] = "AWS::NoValue" } },
    };
}
