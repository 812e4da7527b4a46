using System.Text.Json.Serialization;

namespace PaletteServerless.Local.Aws.Core;

/// <summary>A state a resource reaches by itself at a given time (pending -> available, ...).</summary>
public sealed record StateTransition(DateTimeOffset At, string State);

/// <summary>
/// A resource of any service in one account and region. Services derive their own kinds from it;
/// every concrete kind in this assembly is persisted with its fields.
/// States that change with time are computed from timestamps when read, so a fake clock drives
/// tests and a restart resumes where the clock now stands.
/// </summary>
public abstract class AwsResource
{
    /// <summary>States after which a resource no longer exists for inventory or dependency checks (see <see cref="IsLiveAt"/>).</summary>
    public static readonly IReadOnlySet<string> TerminalStates = new HashSet<string>(StringComparer.Ordinal)
    {
        "terminated", "deleted", "failed",
    };

    public required string Id { get; init; }

    /// <summary>The Resource Groups Tagging API spelling: <c>ec2:vpc</c>, <c>elasticloadbalancing:loadbalancer</c>, ...</summary>
    public required string Type { get; init; }

    public string Account { get; set; } = "";
    public string Region { get; set; } = "";
    public string Arn { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The order of creation within its world, so lists come out in a stable order.</summary>
    public long Sequence { get; set; }

    /// <summary>The id of the resource this one lives and dies with (a NAT gateway's network interface, ...).</summary>
    public string? OwnerId { get; set; }

    /// <summary>Tags in the order they were given; AWS keys are case-sensitive.</summary>
    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The state last set explicitly; scheduled transitions may have moved past it.</summary>
    public string BaseState { get; set; } = "";
    public DateTimeOffset BaseStateSince { get; set; }
    public List<StateTransition> Transitions { get; set; } = [];

    /// <summary>The state at <paramref name="now"/>: the latest transition due, else the base state.</summary>
    public string StateAt(DateTimeOffset now)
    {
        var state = BaseState;
        foreach (var transition in Transitions)
        {
            if (transition.At <= now)
                state = transition.State;
        }
        return state;
    }

    /// <summary>When the current state began.</summary>
    public DateTimeOffset StateSince(DateTimeOffset now)
    {
        var since = BaseStateSince;
        foreach (var transition in Transitions)
        {
            if (transition.At <= now)
                since = transition.At;
        }
        return since;
    }

    /// <summary>Sets the state now, forgetting transitions that were still to come.</summary>
    public void SetState(string state, DateTimeOffset now)
    {
        BaseState = state;
        BaseStateSince = now;
        Transitions.Clear();
    }

    /// <summary>Sets the state now and schedules the states it reaches by itself later.</summary>
    public void SetState(string state, DateTimeOffset now, params StateTransition[] later)
    {
        SetState(state, now);
        Transitions.AddRange(later.OrderBy(t => t.At));
    }

    public bool IsLiveAt(DateTimeOffset now) => StateAt(now) is not ("terminated" or "deleted" or "failed");

    [JsonIgnore]
    public string? NameTag => Tags.TryGetValue("Name", out var name) ? name : null;
}
