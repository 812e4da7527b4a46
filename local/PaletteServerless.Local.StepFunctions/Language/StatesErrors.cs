namespace PaletteServerless.Local.StepFunctions.Language;

/// <summary>The error names the States Language predefines.</summary>
public static class StatesErrors
{
    public const string All = "States.ALL";
    public const string TaskFailed = "States.TaskFailed";
    public const string Timeout = "States.Timeout";
    public const string HeartbeatTimeout = "States.HeartbeatTimeout";
    public const string Runtime = "States.Runtime";
    public const string DataLimitExceeded = "States.DataLimitExceeded";
    public const string BranchFailed = "States.BranchFailed";
    public const string NoChoiceMatched = "States.NoChoiceMatched";
    public const string IntrinsicFailure = "States.IntrinsicFailure";
    public const string ResultPathMatchFailure = "States.ResultPathMatchFailure";
    public const string ParameterPathFailure = "States.ParameterPathFailure";
    public const string ExceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold";

    /// <summary>
    /// Whether a retrier or catcher naming <paramref name="errorEquals"/> handles <paramref name="error"/>.
    /// AWS: States.ALL matches everything but States.Runtime (never handled) and
    /// States.DataLimitExceeded (a terminal error that only its own name catches).
    /// States.TaskFailed matches any error but States.Timeout.
    /// </summary>
    public static bool Matches(IReadOnlyList<string> errorEquals, string error)
    {
        if (error == Runtime)
            return false;
        foreach (var name in errorEquals)
        {
            if (name == error)
                return true;
            if (name == All && error != DataLimitExceeded)
                return true;
            if (name == TaskFailed && error != Timeout && error != DataLimitExceeded)
                return true;
        }
        return false;
    }
}

/// <summary>A failure inside an execution: an error name and a cause, as ASL reports them.</summary>
public class StatesException(string error, string cause) : Exception($"{error}: {cause}")
{
    public string Error { get; } = error;
    public string Cause { get; } = cause;

    /// <summary>When a task's failure was recorded in the history: its retry is due a fixed time after that.</summary>
    public DateTimeOffset? RecordedAt { get; internal set; }
}

/// <summary>A definition that breaks a rule of the specification (AWS: InvalidDefinition).</summary>
public sealed class InvalidDefinitionException(string reason) : Exception(reason);
