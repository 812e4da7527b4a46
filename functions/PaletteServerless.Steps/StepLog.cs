using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps;

/// <summary>
/// One structured line per step run, as Powertools for AWS Lambda writes them: CloudWatch Logs
/// Insights can filter and aggregate on every field (which cluster, which step, how long, what failed).
/// </summary>
public sealed record StepLogLine
{
    /// <summary>UTC to the millisecond with a Z, as Lambda's JSON log format writes it.</summary>
    [JsonConverter(typeof(LambdaTimestampConverter))]
    public required DateTimeOffset Timestamp { get; init; }
    public required string Level { get; init; }
    public required string Message { get; init; }
    public required string Step { get; init; }
    public required string Cluster { get; init; }
    public required string ClusterUid { get; init; }
    public required string Tenant { get; init; }
    public required string Project { get; init; }
    [JsonPropertyName("executionArn")]
    public string? Execution { get; init; }
    /// <summary>succeeded, retrying (the workflow's Retry takes it) or failed.</summary>
    public required string Outcome { get; init; }
    public required double DurationMs { get; init; }
    public string? ErrorType { get; init; }
    public string? ErrorMessage { get; init; }
}

/// <summary>Writes a time as Lambda's JSON log lines do: 2026-12-07T05:21:03.120Z.</summary>
public sealed class LambdaTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StepLogLine))]
internal sealed partial class StepLogJsonContext : JsonSerializerContext;

/// <summary>
/// Writes <see cref="StepLogLine"/>s, one JSON object per line, from <paramref name="minimumLevel"/>
/// up (Lambda's AWS_LAMBDA_LOG_LEVEL, or Powertools' POWERTOOLS_LOG_LEVEL: DEBUG, INFO, WARN, ERROR).
/// </summary>
public sealed class StepLog(TextWriter writer, TimeProvider clock, string? minimumLevel = null)
{
    private static readonly string[] Levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
    private readonly Lock _gate = new();

    /// <summary>Whether a line of <paramref name="level"/> is written when <paramref name="minimumLevel"/> (default INFO) is asked for.</summary>
    public static bool IsEnabled(string level, string? minimumLevel) =>
        Array.IndexOf(Levels, level) >= Math.Max(0, Array.IndexOf(Levels, (minimumLevel ?? "INFO").ToUpperInvariant()));

    /// <summary>The level the environment asks for, if any.</summary>
    public static string? LevelFromEnvironment() =>
        Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_LEVEL") is { Length: > 0 } lambda ? lambda
        : Environment.GetEnvironmentVariable("POWERTOOLS_LOG_LEVEL") is { Length: > 0 } powertools ? powertools : null;

    public void Write(string step, StepInput input, long startedTimestamp, Exception? error)
    {
        var (level, outcome) = error switch
        {
            null => ("INFO", "succeeded"),
            TransientCloudException => ("WARN", "retrying"),
            _ => ("ERROR", "failed"),
        };
        if (!IsEnabled(level, minimumLevel))
            return;
        var line = new StepLogLine
        {
            Timestamp = clock.GetUtcNow(),
            Level = level,
            Message = error is null ? $"{step} succeeded" : $"{step} {outcome}: {error.Message}",
            Step = step,
            Cluster = input.Cluster,
            ClusterUid = input.Uid,
            Tenant = input.Tenant,
            Project = input.Project,
            Execution = input.Execution,
            Outcome = outcome,
            DurationMs = Math.Round(clock.GetElapsedTime(startedTimestamp).TotalMilliseconds, 3),
            ErrorType = error?.GetType().Name,
            ErrorMessage = error?.Message,
        };
        var json = JsonSerializer.Serialize(line, StepLogJsonContext.Default.StepLogLine);
        lock (_gate)
            writer.WriteLine(json);
    }
}
