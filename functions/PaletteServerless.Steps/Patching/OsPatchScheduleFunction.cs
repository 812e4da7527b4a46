using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Observability;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Manifest;

namespace PaletteServerless.Steps.Patching;

/// <summary>What one run of the patch schedule's check did.</summary>
public sealed record OsPatchScheduleOutcome
{
    public int Checked { get; init; }
    /// <summary>"tenant/project/cluster: run", one per patch run started.</summary>
    public List<string> Started { get; init; } = [];
    public List<string> Errors { get; init; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OsPatchScheduleOutcome))]
internal sealed partial class OsPatchScheduleJsonContext : JsonSerializerContext;

/// <summary>
/// The patch schedule's check (<see cref="EventRuleCatalog.OsPatchSchedule"/>, every minute: cron's resolution): one
/// rule for every cluster, each checked against its own <c>settings.patchSchedule</c> (<see cref="CronSchedule"/>, UTC).
/// A Running cluster whose schedule has an occurrence since its last run started (or since it was created) and no
/// run under way gets a patch run for the latest occurrence, named by it, so a check that runs twice starts it once.
/// Like a CronJob's starting deadline, an occurrence more than <see cref="StartingDeadline"/> old is not caught up:
/// a schedule set on a Monday does not patch at once for the Sunday before.
/// </summary>
public sealed class OsPatchScheduleFunction(StepRuntime runtime, IRunningClusters clusters, string patchStateMachineArn)
{
    public static readonly TimeSpan StartingDeadline = TimeSpan.FromHours(1);

    public OsPatchScheduleFunction() : this(StepRuntime.FromEnvironment(), Remediation.RemediationTriggers.RunningFromEnvironment(), ArnFromEnvironment()) { }

    private static string ArnFromEnvironment() =>
        Environment.GetEnvironmentVariable(EnvironmentNames.OsPatchStateMachineArn) is { Length: > 0 } value
            ? value : throw new InvalidOperationException($"environment variable {EnvironmentNames.OsPatchStateMachineArn} is not set");

    /// <summary>Every run checks every cluster, at the scheduled event's time (EventBridge's scheduled time; the clock when it has none).</summary>
    public async Task<Stream> Handle(Stream input)
    {
        var outcome = await CheckAsync(await ScheduledTimeAsync(input) ?? runtime.Clock.GetUtcNow(), CancellationToken.None);
        if (outcome.Started.Count > 0 || outcome.Errors.Count > 0)
            JsonLog.Write(outcome.Errors.Count == 0 ? "INFO" : "WARN",
                $"patch schedule: {outcome.Checked} cluster(s) with a schedule, {outcome.Started.Count} run(s) started, {outcome.Errors.Count} error(s)"
                + string.Concat(outcome.Started.Concat(outcome.Errors).Select(line => "; " + line)),
                [new("step", nameof(OsPatchScheduleFunction))], runtime.Clock);
        return new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(outcome, OsPatchScheduleJsonContext.Default.OsPatchScheduleOutcome));
    }

    /// <summary>The <c>time</c> of an EventBridge scheduled event, or null.</summary>
    public static async Task<DateTimeOffset?> ScheduledTimeAsync(Stream input)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(input);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("time", out var time)
                && time.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(time.GetString(), System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <param name="now">The time the schedules are evaluated at: the scheduled event's.</param>
    public async Task<OsPatchScheduleOutcome> CheckAsync(DateTimeOffset now, CancellationToken ct)
    {
        var scheduled = (await clusters.ListRunningAsync(ct)).Where(c => c.Spec.Settings?.PatchSchedule is not null).ToList();
        var outcome = new OsPatchScheduleOutcome { Checked = scheduled.Count };
        foreach (var cluster in scheduled)
        {
            var who = $"{cluster.Scope.Tenant}/{cluster.Scope.Project}/{cluster.Name}";
            try
            {
                if (cluster.LastOsPatch?.IsRunning(runtime.Clock.GetUtcNow()) == true || Due(cluster, now) is not { } occurrence)
                    continue;
                var run = RunId(occurrence);
                await StartAsync(runtime.StepFunctions, patchStateMachineArn, cluster, run, occurrence,
                    $"schedule {cluster.Spec.Settings!.PatchSchedule} at {occurrence.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)}Z", ct);
                outcome.Started.Add($"{who}: {run}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                outcome.Errors.Add($"{who}: {ex.GetType().Name}: {ex.Message}");
            }
        }
        return outcome;
    }

    /// <summary>
    /// The occurrence a patch run is due for at <paramref name="now"/> (scheduled time), or null: none since the last
    /// run's occurrence (within the starting deadline), or the cluster not Running.
    /// </summary>
    public static DateTimeOffset? Due(Cluster cluster, DateTimeOffset now)
    {
        if (cluster.Status != ClusterStatus.Running || cluster.Spec.Settings?.PatchSchedule is not { } expression)
            return null;
        var since = now - StartingDeadline;
        if (cluster.LastOsPatch?.Occurrence is { } last && last > since)
            since = last;
        return CronSchedule.Parse(expression).DueSince(since, now);
    }

    /// <summary>A scheduled run is named by its occurrence (UTC minute).</summary>
    public static string RunId(DateTimeOffset occurrence) => occurrence.ToUniversalTime().ToString("yyyyMMdd'T'HHmm'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Starts the patch workflow for one run; a start that finds the execution already there (a retried check) is the same run.</summary>
    public static async Task<string> StartAsync(StepFunctionsClient client, string stateMachineArn, Cluster cluster, string run, DateTimeOffset occurrence, string trigger, CancellationToken ct)
    {
        var name = $"ospatch-{cluster.Uid}-{run}";
        var arn = StepFunctionsWorkflowStarter.ExecutionArn(stateMachineArn, name);
        try
        {
            return (await client.StartExecutionAsync(stateMachineArn, name, Input(cluster, run, occurrence, trigger, arn), ct)).ExecutionArn;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ExecutionAlreadyExists")
        {
            return arn;
        }
    }

    private static string Input(Cluster cluster, string run, DateTimeOffset occurrence, string trigger, string execution)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("tenant", cluster.Scope.Tenant);
            json.WriteString("project", cluster.Scope.Project);
            json.WriteString("cluster", cluster.Name);
            json.WriteString("uid", cluster.Uid);
            json.WriteString("execution", execution);
            json.WriteString("run", run);
            json.WriteString("trigger", trigger);
            json.WriteString("occurrence", occurrence);
            json.WriteStartObject("polls");
            json.WriteNumber("n", 0);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
