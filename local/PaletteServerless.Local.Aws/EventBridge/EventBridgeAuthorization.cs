using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.EventBridge;

/// <summary>
/// How IAM authorizes EventBridge calls (Service Authorization Reference, "Amazon EventBridge"):
/// PutEvents on each entry's bus, rule actions on the rule, bus actions on the bus, lists on "*".
/// </summary>
public sealed partial class EventBridgeService
{
    public IReadOnlyList<AuthorizationCheck>? Authorizations(AwsCall call)
    {
        var request = JsonBody.Parse(call);
        switch (call.Operation)
        {
            case "PutEvents":
                return [.. (request["Entries"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(e => BusArn(call, BusName(Text(e, "EventBusName")))).Distinct(StringComparer.Ordinal)
                    .Select(bus => AuthorizationCheck.Of("events:PutEvents", bus))];
            case "CreateEventBus" or "DeleteEventBus" or "DescribeEventBus":
                return [AuthorizationCheck.Of("events:" + call.Operation, BusArn(call, BusName(Text(request, "Name"))),
                    AuthorizationContext.Empty().WithRequestTags(ReadTags(request)))];
            case "PutRule" or "DescribeRule" or "DeleteRule" or "EnableRule" or "DisableRule":
                return [AuthorizationCheck.Of("events:" + call.Operation, RuleArn(call, BusName(Text(request, "EventBusName")), Required(request, "Name")),
                    AuthorizationContext.Empty().WithRequestTags(ReadTags(request)))];
            case "PutTargets" or "ListTargetsByRule" or "RemoveTargets":
                return [AuthorizationCheck.Of("events:" + call.Operation, RuleArn(call, BusName(Text(request, "EventBusName")), Required(request, "Rule")))];
            case "ListEventBuses" or "ListRules":
                return [AuthorizationCheck.Of("events:" + call.Operation, "*")];
            default:
                return null;
        }
    }
}
