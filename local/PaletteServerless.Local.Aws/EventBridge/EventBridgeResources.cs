using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.EventBridge;

/// <summary>A custom event bus (the <c>default</c> bus of each account and region is implicit).</summary>
public sealed class EventBus : AwsResource
{
    public const string ResourceType = "events:event-bus";

    public string Name { get; set; } = "";
}

/// <summary>A rule on a bus, with its targets.</summary>
public sealed class EventRule : AwsResource
{
    public const string ResourceType = "events:rule";

    public string Name { get; set; } = "";
    public string EventBusName { get; set; } = "default";
    public string? EventPattern { get; set; }
    public string? ScheduleExpression { get; set; }
    public string? Description { get; set; }

    /// <summary>ENABLED or DISABLED.</summary>
    public string RuleState { get; set; } = "ENABLED";

    public List<EventRuleTarget> Targets { get; set; } = [];

    /// <summary>When a scheduled rule fires next (scaled); null for pattern rules.</summary>
    public DateTimeOffset? NextScheduledAt { get; set; }

    /// <summary>When the schedule began counting (its put, or its enabling): where its modelled time starts.</summary>
    public DateTimeOffset? ScheduledSince { get; set; }
}

/// <summary>
/// A rule target. A loopback <c>http://</c> URL as <see cref="Arn"/> is a webhook the event is
/// POSTed to; an <c>arn:aws:logs:</c> ARN is the local log; an <c>arn:aws:lambda:</c> function ARN
/// is invoked asynchronously through <see cref="Core.LocalAws.LambdaInvoker"/>; other ARNs are
/// recorded, not invoked.
/// </summary>
public sealed record EventRuleTarget(string Id, string Arn, string? Input, string? InputPath);
