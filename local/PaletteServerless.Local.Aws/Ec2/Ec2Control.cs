using System.Text.Json;
using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>An answer of a local control route: an HTTP status and a JSON body.</summary>
public sealed record LocalControlAnswer(int StatusCode, JsonObject Body);

/// <summary>
/// What AWS does to instances without being asked, on demand, for tests and people: the host
/// serves it as <c>POST /local/ec2/instances/{id}/(interrupt|stop|terminate|status)</c>. Instances
/// are found by id in any account and region. Every change goes through the same state changes
/// (and aws.ec2 events) as the API's.
/// </summary>
public static class Ec2Control
{
    public const string RoutePrefix = "/local/ec2/instances/";

    /// <summary>Answers <paramref name="method"/> <paramref name="path"/> with <paramref name="body"/> (JSON or empty).</summary>
    public static LocalControlAnswer Handle(LocalAws aws, string method, string path, string body)
    {
        var parts = path.StartsWith(RoutePrefix, StringComparison.Ordinal) ? path[RoutePrefix.Length..].Split('/') : [];
        if (method != "POST" || parts is not [{ Length: > 0 } instanceId, var action] || action is not ("interrupt" or "stop" or "terminate" or "status"))
            return Answer(404, $"no local route {method} {path}");

        var answer = Change(aws, instanceId, action, body);
        if (answer.StatusCode == 200)
            aws.Save();
        return answer;
    }

    private static LocalControlAnswer Change(LocalAws aws, string instanceId, string action, string body)
    {
        var now = aws.Clock.GetUtcNow();
        lock (aws.Store.Sync)
        {
            var world = aws.Store.Worlds.FirstOrDefault(w => w.Find<Instance>(instanceId) is not null);
            if (world?.Find<Instance>(instanceId) is not { } instance)
                return Answer(404, $"instance {instanceId} does not exist in the local EC2");
            Ec2Service.AnnounceDueStates(aws, instance, now);
            var state = instance.StateAt(now);
            if (state is "shutting-down" or "terminated")
                return Answer(409, $"instance {instanceId} is {state}");
            var refusal = action switch
            {
                "interrupt" => Interrupt(aws, instance, state, now),
                "stop" => Stop(aws, world, instance, state, now),
                "terminate" => Terminate(aws, instance, now),
                _ => SetStatus(instance, body, now),
            };
            if (refusal is not null)
                return refusal;
            var answer = Describe(aws, instance, now);
            if (action == "interrupt")
                answer["terminatesAt"] = instance.Transitions.First(t => t.State == "shutting-down").At.UtcDateTime.ToString("O");
            return new LocalControlAnswer(200, answer);
        }
    }

    private static LocalControlAnswer? Interrupt(LocalAws aws, Instance instance, string state, DateTimeOffset now)
    {
        if (!instance.IsSpot)
            return Answer(400, $"instance {instance.Id} is an on-demand instance; only spot instances are interrupted");
        if (state != "running" || instance.InterruptedAt is not null)
            return Answer(409, instance.InterruptedAt is null ? $"instance {instance.Id} is {state}; only running spot instances are interrupted" : $"instance {instance.Id} is interrupted already");
        Ec2Service.InterruptSpotInstance(aws, instance, now);
        return null;
    }

    // As StopInstances stops one, but for any running instance: AWS itself stops instances (a retired host) that the API could not.
    private static LocalControlAnswer? Stop(LocalAws aws, AwsWorld world, Instance instance, string state, DateTimeOffset now)
    {
        if (state != "running")
            return Answer(409, $"instance {instance.Id} is {state}; only running instances are stopped");
        Ec2Service.Stop(world, aws, instance, now);
        return null;
    }

    private static LocalControlAnswer? Terminate(LocalAws aws, Instance instance, DateTimeOffset now)
    {
        Ec2Service.Terminate(aws, instance, now);
        return null;
    }

    /// <summary>Body <c>{"status": "impaired"|"ok", "check": "instance"|"system"|"both"}</c> ("both" if absent).</summary>
    private static LocalControlAnswer? SetStatus(Instance instance, string body, DateTimeOffset now)
    {
        JsonObject? request;
        try
        {
            request = string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException error)
        {
            return Answer(400, "the body must be JSON: " + error.Message);
        }
        string? Text(string name) => request?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        var status = Text("status");
        if (status is not ("impaired" or "ok"))
            return Answer(400, "$.status must be \"impaired\" or \"ok\"");
        var check = request?["check"] is null ? "both" : Text("check");
        if (check is not ("instance" or "system" or "both"))
            return Answer(400, "$.check must be \"instance\", \"system\" or \"both\"");
        DateTimeOffset? since(DateTimeOffset? current) => status == "ok" ? null : current ?? now;
        if (check is "instance" or "both")
            instance.InstanceStatusImpairedSince = since(instance.InstanceStatusImpairedSince);
        if (check is "system" or "both")
            instance.SystemStatusImpairedSince = since(instance.SystemStatusImpairedSince);
        return null;
    }

    private static JsonObject Describe(LocalAws aws, Instance instance, DateTimeOffset now) => new()
    {
        ["instanceId"] = instance.Id,
        ["account"] = instance.Account,
        ["region"] = instance.Region,
        ["lifecycle"] = instance.IsSpot ? "spot" : "on-demand",
        ["state"] = instance.StateAt(now),
        ["instanceStatus"] = Ec2Service.InstanceCheck(instance, now, aws.Latency).Status,
        ["systemStatus"] = Ec2Service.SystemCheck(instance, now, aws.Latency).Status,
    };

    private static LocalControlAnswer Answer(int status, string message) => new(status, new JsonObject { ["message"] = message });
}
