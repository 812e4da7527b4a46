using System.Text.Json;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Manifest;

namespace PaletteServerless.Steps.Remediation;

/// <summary>What the two remediation triggers build from their environment, and how they report.</summary>
public static class RemediationTriggers
{
    public static IRemediationStarter StarterFromEnvironment()
    {
        var runtime = StepRuntime.FromEnvironment();
        var arn = Environment.GetEnvironmentVariable(EnvironmentNames.RemediateStateMachineArn) is { Length: > 0 } value
            ? value : throw new InvalidOperationException($"environment variable {EnvironmentNames.RemediateStateMachineArn} is not set");
        return new RemediationLock(runtime.Clusters, runtime.StepFunctions, arn);
    }

    public static IRunningClusters RunningFromEnvironment() =>
        StepRuntime.FromEnvironment().Clusters as IRunningClusters
            ?? throw new InvalidOperationException("the cluster store cannot list the Running clusters");

    /// <summary>
    /// Logs the outcome as one JSON line (WARN when a cluster could not be handled, else INFO, written
    /// from the function's log level up, as the steps log) and returns it as the function's result.
    /// </summary>
    public static Stream Report(TriggerOutcome outcome)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(outcome, TriggerJsonContext.Default.TriggerOutcome);
        var level = outcome.Errors is { Count: > 0 } ? "WARN" : "INFO";
        if (StepLog.IsEnabled(level, StepLog.LevelFromEnvironment()))
            Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(json));
        return new MemoryStream(json);
    }
}
