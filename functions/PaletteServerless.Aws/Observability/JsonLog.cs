using System.Globalization;
using System.Text;
using System.Text.Json;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Observability;

/// <summary>
/// One JSON object per line on the function's standard output, with the fields of Lambda's JSON log format
/// (<c>timestamp</c>, <c>level</c>, <c>message</c>) followed by the correlation ids that apply (<c>clusterUid</c>,
/// <c>tenant</c>, <c>project</c>, <c>cluster</c>, <c>executionArn</c>, <c>step</c>), and, for a metric, the
/// CloudWatch embedded metric format's <c>_aws</c> block with the values at the top level, so CloudWatch
/// extracts the metric from the same line Logs Insights queries. Nothing here takes a secret: only ids and counts.
/// </summary>
public static class JsonLog
{
    private static readonly Lock Gate = new();

    /// <summary>Where lines go: the process's standard output, which Lambda sends to the function's log group.</summary>
    public static TextWriter? Out { get; set; }

    /// <summary>Correlation ids of a cluster.</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> Of(Cluster cluster, string? executionArn = null) =>
    [
        new("clusterUid", cluster.Uid), new("tenant", cluster.Scope.Tenant), new("project", cluster.Scope.Project),
        new("cluster", cluster.Name), new("executionArn", executionArn),
    ];

    /// <summary>A log line of <paramref name="level"/> (DEBUG, INFO, WARN, ERROR) when the function's log level lets it through.</summary>
    public static void Write(string level, string message, IEnumerable<KeyValuePair<string, string?>>? fields = null, TimeProvider? clock = null)
    {
        if (!LogLevels.IsEnabled(level, LogLevels.FromEnvironment()))
            return;
        Emit(Line(level, message, fields, null, null, clock ?? TimeProvider.System));
    }

    /// <summary>
    /// One EMF line with <paramref name="values"/> (names of <see cref="ProductMetrics"/>) under the product's namespace
    /// and the service dimension (and <paramref name="status"/>, for <see cref="ProductMetrics.Clusters"/>). An INFO line: the
    /// product stack deploys every function at INFO, which the alarms on these metrics need; at WARN (the local stack's
    /// default, to keep its console quiet) they are not written.
    /// </summary>
    public static void Metric(string message, IReadOnlyDictionary<string, double> values, IEnumerable<KeyValuePair<string, string?>>? fields = null,
        string? status = null, TimeProvider? clock = null)
    {
        if (values.Count > 0 && LogLevels.IsEnabled("INFO", LogLevels.FromEnvironment()))
            Emit(Line("INFO", message, fields, values, status, clock ?? TimeProvider.System));
    }

    private static void Emit(string line)
    {
        lock (Gate)
            (Out ?? FunctionOutput.Writer).WriteLine(line);
    }

    /// <summary>The line's JSON text; public for the tests that read it back.</summary>
    public static string Line(string level, string message, IEnumerable<KeyValuePair<string, string?>>? fields,
        IReadOnlyDictionary<string, double>? metrics, string? status, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("level", level);
            json.WriteString("message", message);
            foreach (var (key, value) in fields ?? [])
                if (value is not null)
                    json.WriteString(key, value);
            if (metrics is { Count: > 0 })
            {
                json.WriteStartObject("_aws");
                json.WriteNumber("Timestamp", now.ToUnixTimeMilliseconds());
                json.WriteStartArray("CloudWatchMetrics");
                json.WriteStartObject();
                json.WriteString("Namespace", ProductMetrics.Namespace);
                json.WriteStartArray("Dimensions");
                json.WriteStartArray();
                json.WriteStringValue(ProductMetrics.ServiceDimension);
                if (status is not null)
                    json.WriteStringValue(ProductMetrics.StatusDimension);
                json.WriteEndArray();
                json.WriteEndArray();
                json.WriteStartArray("Metrics");
                foreach (var name in metrics.Keys)
                {
                    json.WriteStartObject();
                    json.WriteString("Name", name);
                    json.WriteString("Unit", ProductMetrics.Units.TryGetValue(name, out var unit) ? unit
                        : throw new InvalidOperationException($"metric {name} is not in ProductMetrics.Units"));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteString(ProductMetrics.ServiceDimension, ProductMetrics.Service);
                if (status is not null)
                    json.WriteString(ProductMetrics.StatusDimension, status);
                foreach (var (name, value) in metrics)
                    json.WriteNumber(name, Math.Round(value, 3));
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>The log levels of Lambda's advanced logging controls, lowest first, and the one the function is asked for.</summary>
public static class LogLevels
{
    private static readonly string[] Levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

    /// <summary>Whether a line of <paramref name="level"/> is written when <paramref name="minimumLevel"/> (default INFO) is asked for.</summary>
    public static bool IsEnabled(string level, string? minimumLevel) =>
        Array.IndexOf(Levels, level) >= Math.Max(0, Array.IndexOf(Levels, (minimumLevel ?? "INFO").ToUpperInvariant()));

    /// <summary>Lambda's AWS_LAMBDA_LOG_LEVEL (the application log level), or Powertools' POWERTOOLS_LOG_LEVEL.</summary>
    public static string? FromEnvironment() =>
        Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_LEVEL") is { Length: > 0 } lambda ? lambda
        : Environment.GetEnvironmentVariable("POWERTOOLS_LOG_LEVEL") is { Length: > 0 } powertools ? powertools : null;
}
