using System.Text.Json.Serialization;

namespace PaletteServerless.Steps;

/// <summary>
/// What the state machines pass to every step: which cluster (its uid guards against a reused
/// name), plus what earlier steps returned. The table stays the truth; the state stays small.
/// </summary>
public sealed record StepInput
{
    public required string Tenant { get; init; }
    public required string Project { get; init; }
    public required string Cluster { get; init; }
    public required string Uid { get; init; }
    /// <summary>The workflow execution, when the state machine passes it; only logged.</summary>
    public string? Execution { get; init; }
    /// <summary>The previous teardown pass, to count passes without progress.</summary>
    public StepResult? Teardown { get; init; }
    /// <summary>The error a Catch recorded ({Error, Cause}), for the Failed reason.</summary>
    public StepError? Error { get; init; }
    /// <summary>The node pool an update step works on (the update workflow's Map item).</summary>
    public string? Pool { get; init; }
    /// <summary>What the update run's first step returned: the generation it rolls to, and its pools.</summary>
    public StepResult? Update { get; init; }
    /// <summary>What the update's desired-state step returned: the generation the in-cluster agent is to apply.</summary>
    public StepResult? Packs { get; init; }
    /// <summary>What the remediation run's previous step returned: the replacement under way.</summary>
    public StepResult? Remediation { get; init; }
    /// <summary>Who started a force delete, for its events.</summary>
    public string? RequestedBy { get; init; }
    /// <summary>What the previous pass of a poll loop returned ($.check): what it waited for, so the next pass knows.</summary>
    public StepResult? Check { get; init; }
    /// <summary>The poll loop's counter ($.polls), for a check that must name what it waited for on its last poll.</summary>
    public PollCounter? Polls { get; init; }
    /// <summary>The remediation run's pass counter ($.passes), with the run's start, for its duration metric.</summary>
    public PassCounter? Passes { get; init; }
    /// <summary>The OS patch run a patch workflow works on, and what started it.</summary>
    public string? Run { get; init; }
    public string? Trigger { get; init; }
    /// <summary>The schedule's occurrence the run is for (in the scheduled events' time).</summary>
    public DateTimeOffset? Occurrence { get; init; }
    /// <summary>The backup workflow's one operation (a Velero Backup or Restore).</summary>
    public Domain.Backups.BackupOperation? Backup { get; init; }
}

/// <summary>One replacement as the remediation workflow carries it from step to step.</summary>
public sealed record ReplacementMessage
{
    public required string Pool { get; init; }
    public required string Role { get; init; }
    /// <summary>The failed node; null for a node missing from the pool.</summary>
    public string? OldInstanceId { get; init; }
    /// <summary>Why it failed, as a sentence.</summary>
    public required string Reason { get; init; }
    /// <summary>False: the pool has its count without the old node, which is only retired.</summary>
    public bool Launch { get; init; }
    /// <summary>Where to launch, in order.</summary>
    public IReadOnlyList<string> Zones { get; init; } = [];
    public string? NewInstanceId { get; init; }
    public string? Zone { get; init; }
    /// <summary>A node missing from the pool: its number in the run, so the launches of several missing nodes are told apart (names, ClientTokens).</summary>
    public int? Slot { get; init; }
}

/// <summary>What the sweep workflow passes to its steps: the project, the sweep, and what earlier steps found.</summary>
public sealed record SweepStepInput
{
    public required string Tenant { get; init; }
    public required string Project { get; init; }
    public required string Sweep { get; init; }
    public string? Execution { get; init; }
    /// <summary>The orphaned cluster one Map iteration removes.</summary>
    public Aws.Cloud.OrphanGroup? Group { get; init; }
    /// <summary>What each Map iteration left, for the report.</summary>
    public IReadOnlyList<SweepResult>? Removed { get; init; }
}

/// <summary>What a sweep step returns: the orphaned clusters found, or what one removal left.</summary>
public sealed record SweepResult
{
    public IReadOnlyList<Aws.Cloud.OrphanGroup>? Groups { get; init; }
    public IReadOnlyList<Domain.Provisioning.Leftover>? Leftovers { get; init; }
}

/// <summary>The workflow's count of the polls a loop has made so far.</summary>
public sealed record PollCounter
{
    public int N { get; init; }
}

/// <summary>The remediation run's pass counter, the replacements it handed out, and the run's start ($$.Execution.StartTime).</summary>
public sealed record PassCounter
{
    public int N { get; init; }
    public int Replaced { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
}

/// <summary>An error as Step Functions records it in a Catch: Cause is the Lambda runtime's JSON error document.</summary>
public sealed record StepError
{
    [JsonPropertyName("Error")] public string? Error { get; init; }
    [JsonPropertyName("Cause")] public string? Cause { get; init; }
}

/// <summary>What a step returns for the state machine's Choice states.</summary>
public sealed record StepResult
{
    public bool? Ready { get; init; }
    public bool? Done { get; init; }
    /// <summary>The node pools' check moved the cluster to Running itself: the create skips its control-plane targets step.</summary>
    public bool? Running { get; init; }
    public int? Remaining { get; init; }
    public int? StalledPasses { get; init; }
    public IReadOnlyList<string>? WaitingFor { get; init; }
    public IReadOnlyList<string>? Blockers { get; init; }
    public IReadOnlyList<string>? Errors { get; init; }
    /// <summary>The update: the generation it rolls to, the control-plane pool, the worker pools (removed ones too), in parallel or not.</summary>
    public long? Generation { get; init; }
    public IReadOnlyList<string>? ControlPlanePools { get; init; }
    public IReadOnlyList<string>? WorkerPools { get; init; }
    public bool? Parallel { get; init; }
    /// <summary>The replacement the remediation run works on (one iteration of its pass).</summary>
    public ReplacementMessage? Replacement { get; init; }
    /// <summary>Every replacement of a remediation pass, launched side by side.</summary>
    public IReadOnlyList<ReplacementMessage>? Replacements { get; init; }
    /// <summary>How long the workflow waits before asking a poll step again or starting the next pass (the Wait's SecondsPath), in seconds.</summary>
    public int? WaitSeconds { get; init; }
    /// <summary>A teardown loop ends here without being done: nothing moved for <c>TeardownStep.StalledPassLimit</c> passes (and, in a delete, force delete is open).</summary>
    public bool? GaveUp { get; init; }
    /// <summary>A delete's teardown: seconds left before force delete opens, carried from pass to pass (the timer of the loop).</summary>
    public int? SecondsUntilForceDelete { get; init; }
    /// <summary>A delete's teardown: this pass is the one that found the 15 minutes over, so the workflow opens force delete now.</summary>
    public bool? ForceDeleteDue { get; init; }

    public static StepResult Finished { get; } = new() { Ready = true };
    public static StepResult NotYet { get; } = new() { Ready = false };
}

/// <summary>The runtime's error document, to read the message of a caught error.</summary>
public sealed record LambdaErrorDocument
{
    [JsonPropertyName("errorMessage")] public string? ErrorMessage { get; init; }
    [JsonPropertyName("errorType")] public string? ErrorType { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StepInput))]
[JsonSerializable(typeof(StepResult))]
[JsonSerializable(typeof(LambdaErrorDocument))]
[JsonSerializable(typeof(SweepStepInput))]
[JsonSerializable(typeof(SweepResult))]
[JsonSerializable(typeof(Domain.Provisioning.ForceDeleteReport))]
[JsonSerializable(typeof(Domain.Provisioning.LeftoverReport))]
internal sealed partial class StepJsonContext : JsonSerializerContext;
