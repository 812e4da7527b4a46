using Newtonsoft.Json.Linq;

namespace PaletteServerless.Local.StepFunctions.Language;

/// <summary>A parsed, validated state machine (or a Parallel branch, or a Map item processor).</summary>
public sealed class StateMachineDefinition
{
    public required string StartAt { get; init; }
    public required IReadOnlyDictionary<string, State> States { get; init; }
    public int? TimeoutSeconds { get; init; }

    /// <summary>Parses and validates a definition; throws <see cref="InvalidDefinitionException"/> with AWS's reason.</summary>
    public static StateMachineDefinition Parse(string json) => DefinitionParser.Parse(json);
}

public abstract class State
{
    public required string Name { get; init; }
    public abstract string Type { get; }
    /// <summary>The next state, or null when the state ends its machine.</summary>
    public string? Next { get; init; }
    /// <summary>Null means the JSON null of the spec: the state sees "{}" (InputPath) or passes "{}" on (OutputPath).</summary>
    public string? InputPath { get; init; } = "$";
    public string? OutputPath { get; init; } = "$";
    /// <summary>Whether any field refers to the context object ("$$"); building it is skipped otherwise.</summary>
    public bool UsesContextObject { get; internal set; }
}

/// <summary>States that produce a result placed by ResultPath.</summary>
public interface IResultState
{
    JToken? Parameters { get; }
    JToken? ResultSelector { get; }
    /// <summary>Null discards the result and passes the input on.</summary>
    string? ResultPath { get; }
}

/// <summary>States that may fail and recover.</summary>
public interface IRecoverableState
{
    IReadOnlyList<Retrier> Retry { get; }
    IReadOnlyList<Catcher> Catch { get; }
}

public sealed class PassState : State, IResultState
{
    public override string Type => "Pass";
    public JToken? Result { get; init; }
    public JToken? Parameters { get; init; }
    public JToken? ResultSelector => null;
    public string? ResultPath { get; init; } = "$";
}

public sealed class TaskState : State, IResultState, IRecoverableState
{
    public override string Type => "Task";
    public required string Resource { get; init; }
    public JToken? Parameters { get; init; }
    public JToken? ResultSelector { get; init; }
    public string? ResultPath { get; init; } = "$";
    public IReadOnlyList<Retrier> Retry { get; init; } = [];
    public IReadOnlyList<Catcher> Catch { get; init; } = [];
    public int? TimeoutSeconds { get; init; }
    public string? TimeoutSecondsPath { get; init; }
    public int? HeartbeatSeconds { get; init; }
    public string? HeartbeatSecondsPath { get; init; }
}

public sealed class ChoiceState : State
{
    public override string Type => "Choice";
    public required IReadOnlyList<ChoiceRule> Choices { get; init; }
    public string? Default { get; init; }
}

public sealed class WaitState : State
{
    public override string Type => "Wait";
    public int? Seconds { get; init; }
    public string? SecondsPath { get; init; }
    public string? Timestamp { get; init; }
    public string? TimestampPath { get; init; }
}

public sealed class SucceedState : State
{
    public override string Type => "Succeed";
}

public sealed class FailState : State
{
    public override string Type => "Fail";
    public string? Error { get; init; }
    public string? ErrorPath { get; init; }
    public string? Cause { get; init; }
    public string? CausePath { get; init; }
}

public sealed class ParallelState : State, IResultState, IRecoverableState
{
    public override string Type => "Parallel";
    public required IReadOnlyList<StateMachineDefinition> Branches { get; init; }
    public JToken? Parameters { get; init; }
    public JToken? ResultSelector { get; init; }
    public string? ResultPath { get; init; } = "$";
    public IReadOnlyList<Retrier> Retry { get; init; } = [];
    public IReadOnlyList<Catcher> Catch { get; init; } = [];
}

public sealed class MapState : State, IResultState, IRecoverableState
{
    public override string Type => "Map";
    public required StateMachineDefinition ItemProcessor { get; init; }
    public string ItemsPath { get; init; } = "$";
    /// <summary>ItemSelector, or the older name Parameters.</summary>
    public JToken? ItemSelector { get; init; }
    public JToken? Parameters => null;
    public JToken? ResultSelector { get; init; }
    public string? ResultPath { get; init; } = "$";
    public int MaxConcurrency { get; init; }
    public double? ToleratedFailurePercentage { get; init; }
    public int? ToleratedFailureCount { get; init; }
    public IReadOnlyList<Retrier> Retry { get; init; } = [];
    public IReadOnlyList<Catcher> Catch { get; init; } = [];
}

public sealed record Retrier(
    IReadOnlyList<string> ErrorEquals,
    double IntervalSeconds,
    int MaxAttempts,
    double BackoffRate,
    double? MaxDelaySeconds,
    bool FullJitter)
{
    /// <summary>
    /// Seconds before retry number <paramref name="attempt"/> (0 for the first retry):
    /// IntervalSeconds x BackoffRate^attempt, capped by MaxDelaySeconds; FULL jitter draws
    /// uniformly between 0 and that value (<paramref name="random"/> in [0, 1)).
    /// </summary>
    public double DelaySeconds(int attempt, double random)
    {
        var delay = IntervalSeconds * Math.Pow(BackoffRate, attempt);
        if (MaxDelaySeconds is { } cap)
            delay = Math.Min(delay, cap);
        return FullJitter ? delay * random : delay;
    }
}

public sealed record Catcher(IReadOnlyList<string> ErrorEquals, string Next, string? ResultPath);
