using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Aws.Observability;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Manifest;
using PaletteServerless.Steps.Patching;

namespace PaletteServerless.Steps.Backups;

/// <summary>What one run of the scan schedule's check did.</summary>
public sealed record ScanScheduleOutcome
{
    public int Checked { get; init; }
    /// <summary>"tenant/project/cluster: scan", one per scan started.</summary>
    public List<string> Started { get; init; } = [];
    public List<string> Errors { get; init; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ScanScheduleOutcome))]
internal sealed partial class ScanScheduleJsonContext : JsonSerializerContext;

/// <summary>
/// The scan schedule's check (<see cref="EventRuleCatalog.ScanSchedule"/>, every minute): each Running cluster whose
/// <c>settings.securityScans.schedule</c> has an occurrence now (<see cref="ScanSchedule"/>) gets a scan, the backup
/// workflow's scan operation, as an on-demand scan does (kube-bench on each node role, ScanCompleted with the counts).
/// The workflow run is named by the occurrence, so a check that runs twice starts one scan.
/// </summary>
public sealed class ScanScheduleFunction(StepRuntime runtime, IRunningClusters clusters, IBackupWorkflow workflow)
{
    public ScanScheduleFunction() : this(StepRuntime.FromEnvironment()) { }

    private ScanScheduleFunction(StepRuntime runtime) : this(runtime,
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
                $"scan schedule: {outcome.Checked} cluster(s) with a schedule, {outcome.Started.Count} scan(s) started, {outcome.Errors.Count} error(s)"
                + string.Concat(outcome.Started.Concat(outcome.Errors).Select(line => "; " + line)),
                [new("step", nameof(ScanScheduleFunction))], runtime.Clock);
        return new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(outcome, ScanScheduleJsonContext.Default.ScanScheduleOutcome));
    }

    /// <param name="now">The time the schedules are evaluated at: the scheduled event's.</param>
    public async Task<ScanScheduleOutcome> CheckAsync(DateTimeOffset now, CancellationToken ct)
    {
        var scheduled = (await clusters.ListRunningAsync(ct)).Where(c => c.Spec.Settings?.SecurityScans is { Enabled: true, Schedule: not null }).ToList();
        var outcome = new ScanScheduleOutcome { Checked = scheduled.Count };
        foreach (var cluster in scheduled)
        {
            var who = $"{cluster.Scope.Tenant}/{cluster.Scope.Project}/{cluster.Name}";
            try
            {
                if (ScanSchedule.Due(cluster, now) is not { } scan)
                    continue;
                await workflow.StartAsync(cluster, scan, ct);
                outcome.Started.Add($"{who}: {scan.Name}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                outcome.Errors.Add($"{who}: {ex.GetType().Name}: {ex.Message}");
            }
        }
        return outcome;
    }
}
