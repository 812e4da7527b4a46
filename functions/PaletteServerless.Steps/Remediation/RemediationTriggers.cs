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
        var message = $"{outcome.Trigger}: {outcome.Outcome}"
            + (outcome.Checked is { } n ? $", {n} checked" : "")
            + (outcome.Started is { Count: > 0 } started ? $", remediation started for {string.Join(", ", started)}" : "")
            + (outcome.Errors is { Count: > 0 } errors ? "; " + string.Join("; ", errors) : "");
        Aws.Observability.JsonLog.Write(level, message,
            [new("step", outcome.Trigger), new("clusterUid", outcome.ClusterUid), new("cluster", outcome.Cluster), new("instanceId", outcome.InstanceId)]);
        return new MemoryStream(json);
    }
}
