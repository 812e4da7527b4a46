using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Aws.Observability;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Manifest;
using PaletteServerless.Steps.Patching;

namespace PaletteServerless.Steps.Backups;

/// <summary>What one run of the backup and scan schedules' check did.</summary>
public sealed record BackupScheduleOutcome
{
    public int Checked { get; init; }
    /// <summary>"tenant/project/cluster: backup or scan", one per operation started.</summary>
    public List<string> Started { get; init; } = [];
    public List<string> Errors { get; init; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BackupScheduleOutcome))]
internal sealed partial class BackupScheduleJsonContext : JsonSerializerContext;

/// <summary>
/// The backup and scan schedules' check (<see cref="EventRuleCatalog.BackupSchedule"/>, every minute): each Running
/// cluster whose <c>settings.backup.schedule</c> or <c>settings.securityScans.schedule</c> has an occurrence now
/// (<see cref="BackupSchedules"/>) gets that backup or scan, through the backup workflow as an on-demand one does. The
/// workflow run is named by the occurrence, so a check that runs twice starts one.
/// </summary>
public sealed class BackupScheduleFunction(StepRuntime runtime, IRunningClusters clusters, IBackupWorkflow workflow)
{
    public BackupScheduleFunction() : this(StepRuntime.FromEnvironment()) { }

    private BackupScheduleFunction(StepRuntime runtime) : this(runtime,
        runtime.Clusters as IRunningClusters ?? throw new InvalidOperationException("the cluster store cannot list the Running clusters"),
        new BackupWorkflow(runtime.StepFunctions, Environment.GetEnvironmentVariable(EnvironmentNames.BackupStateMachineArn) is { Length: > 0 } value
            ? value : throw new InvalidOperationException($"environment variable {EnvironmentNames.BackupStateMachineArn} is not set")))
    {
    }

    /// <summary>Every run checks every cluster, at the scheduled event's time (the clock when it has none).</summary>
    public async Task<Stream> Handle(Stream input)
    {
        var outcome = await CheckAsync(await OsPatchScheduleFunction.ScheduledTimeAsync(input) ?? runtime.Clock.GetUtcNow(), CancellationToken.None);
        if (outcome.Started.Count > 0 || outcome.Errors.Count > 0)
            JsonLog.Write(outcome.Errors.Count == 0 ? "INFO" : "WARN",
                $"backup and scan schedules: {outcome.Checked} cluster(s) with a schedule, {outcome.Started.Count} operation(s) started, {outcome.Errors.Count} error(s)"
                + string.Concat(outcome.Started.Concat(outcome.Errors).Select(line => "; " + line)),
                [new("step", nameof(BackupScheduleFunction))], runtime.Clock);
        return new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(outcome, BackupScheduleJsonContext.Default.BackupScheduleOutcome));
    }

    /// <param name="now">The time the schedules are evaluated at: the scheduled event's.</param>
    public async Task<BackupScheduleOutcome> CheckAsync(DateTimeOffset now, CancellationToken ct)
    {
        var scheduled = (await clusters.ListRunningAsync(ct))
            .Where(c => c.Spec.Settings is { SecurityScans: { Enabled: true, Schedule: not null } } or { Backup: { Enabled: true, Schedule: not null } }).ToList();
        var outcome = new BackupScheduleOutcome { Checked = scheduled.Count };
        foreach (var cluster in scheduled)
        {
            var who = $"{cluster.Scope.Tenant}/{cluster.Scope.Project}/{cluster.Name}";
            try
            {
                foreach (var operation in BackupSchedules.Due(cluster, now))
                {
                    await workflow.StartAsync(cluster, operation, ct);
                    outcome.Started.Add($"{who}: {operation.Kind} {operation.Name}");
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                outcome.Errors.Add($"{who}: {ex.GetType().Name}: {ex.Message}");
            }
        }
        return outcome;
    }
}
