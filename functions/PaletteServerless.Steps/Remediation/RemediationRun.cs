using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.Remediation;
using PaletteServerless.Manifest;
using PaletteServerless.Steps.Update;

namespace PaletteServerless.Steps.Remediation;

/// <summary>The detail of the remediation events on the product's bus (<see cref="ClusterEvents.NodeRemediationDetailType"/>, <see cref="ClusterEvents.RemediationPausedDetailType"/>).</summary>
/// <param name="Outcome">Replaced, Retired, ReplacementFailed, CapacityShortage, Paused or Resumed.</param>
public sealed record NodeRemediationDetail(
    string EventId, string Tenant, string Project, string Cluster, string Uid, string? Pool, string Outcome,
    string? OldInstanceId, string? NewInstanceId, string? Zone, string Message, DateTimeOffset At);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(NodeRemediationDetail))]
internal sealed partial class RemediationJsonContext : JsonSerializerContext;

/// <summary>What the remediation steps and its triggers share: who owns the run, how the nodes are judged, how it is told.</summary>
public static class RemediationRun
{
    public const string PausedCondition = "RemediationPaused";

    /// <summary>
    /// The cluster, if this run may still act on it: Running (an update or a delete wins) and locked by this
    /// execution (a run that lost the lock stops).
    /// </summary>
    public static async Task<Cluster> OwnedAsync(StepContext step, CancellationToken ct)
    {
        var cluster = await step.ClusterAsync(ct);
        if (cluster.Status != ClusterStatus.Running)
            throw new ClusterStateChangedException($"cluster {cluster.Name} is {cluster.Status}, not Running: remediation stops (the {cluster.Status.ToLowerInvariant()} owns it)");
        if (cluster.RemediationExecutionArn != step.Input.Execution)
            throw new ClusterStateChangedException($"cluster {cluster.Name}: another remediation run holds it ({cluster.RemediationExecutionArn ?? "none"})");
        return cluster;
    }

    /// <summary>Observes every node of the cluster and decides what to replace.</summary>
    public static async Task<(RemediationDecision Decision, NodeRemediation Remediation)> DecideAsync(StepContext step, Cluster cluster, CancellationToken ct)
    {
        var (plan, _) = await step.PlanAsync(ct);
        var resources = await step.ResourcesAsync(ct);
        var remediation = new NodeRemediation(resources, new NodePoolKind(resources));
        var observed = await remediation.ObserveAsync(ct);
        var zones = cluster.Definition.NodePools
            .ToDictionary(p => p.Name, p => RollPoolStep.ZonesOf(p, plan, p.Name), StringComparer.Ordinal);
        var decision = RemediationPlanner.Decide(cluster.Spec, observed, zones, cluster.CapacityShortages ?? [], step.Runtime.Clock.GetUtcNow());
        return (decision, remediation);
    }

    /// <summary>The pause message the decision calls for (null when no pool is paused).</summary>
    public static string? PauseMessage(RemediationDecision decision) =>
        decision.PausedPools.Any() ? string.Join("; ", decision.PausedPools.Select(p => p.Paused)) : null;

    /// <summary>Whether the cluster's RemediationPaused condition already says what the decision says.</summary>
    public static bool PauseRecorded(Cluster cluster, RemediationDecision decision)
    {
        var condition = cluster.Conditions.FirstOrDefault(c => c.Type == PausedCondition);
        var message = PauseMessage(decision);
        return message is null ? condition is null || condition.Status == "False" : condition?.Status == "True" && condition.Message == message;
    }

    /// <summary>Sets or clears RemediationPaused, with a cluster event and a bus event when it changes.</summary>
    public static async Task ReportPauseAsync(StepContext step, Cluster cluster, RemediationDecision decision, CancellationToken ct)
    {
        if (PauseRecorded(cluster, decision))
            return;
        var status = step.Runtime.Status;
        var message = PauseMessage(decision);
        var paused = message is not null;
        var text = message ?? "no pool has more unhealthy nodes than its maxUnhealthy: failed nodes are replaced again";
        var (_, after) = await status.ChangeAsync(step.Scope, cluster.Name, cluster.Uid, c => PauseRecorded(c, decision)
            ? null
            : status.WithCondition(c, PausedCondition, paused, paused ? "MaxUnhealthyExceeded" : "Resumed", text), ct);
        if (after is null)
            return;
        if (paused)
            Aws.Observability.JsonLog.Metric($"cluster {cluster.Name}: remediation paused: {text}",
                new Dictionary<string, double> { [ProductMetrics.RemediationPaused] = 1 }, Aws.Observability.JsonLog.Of(after, step.Input.Execution), clock: step.Runtime.Clock);
        await status.AddEventAsync(after, paused ? "Warning" : "Normal", PausedCondition, text, ct);
        var pools = decision.PausedPools.Select(p => p.Pool).ToList();
        await PublishAsync(step, after, ClusterEvents.RemediationPausedDetailType,
            pools.Count == 0 ? null : string.Join(",", pools), paused ? "Paused" : "Resumed", null, null, null, text, ct);
    }

    /// <param name="slot">A node missing from the pool (no old or new instance): its slot in the run, which tells its event apart.</param>
    public static Task PublishAsync(
        StepContext step, Cluster cluster, string detailType, string? pool, string outcome, string? oldId, string? newId, string? zone, string message, CancellationToken ct,
        int? slot = null)
    {
        var at = step.Runtime.Clock.GetUtcNow();
        var detail = new NodeRemediationDetail(
            // Stable across a retried step, distinct per node and outcome (replacements of one pass run side by side), for deduplication downstream.
            $"{cluster.Uid}-{outcome}-{oldId ?? newId ?? (slot is { } s ? $"{pool}-missing-{s}" : pool) ?? "cluster"}-{cluster.RemediationRuns}",
            cluster.Scope.Tenant, cluster.Scope.Project, cluster.Name, cluster.Uid, pool, outcome, oldId, newId, zone, message, at);
        return step.Runtime.Status.PublishAsync(cluster, detailType, JsonSerializer.Serialize(detail, RemediationJsonContext.Default.NodeRemediationDetail), ct);
    }

    public static ReplacementMessage Message(Replacement replacement, HealthCheckSpec? check) => new()
    {
        Pool = replacement.Pool,
        Role = replacement.Role,
        OldInstanceId = replacement.OldInstanceId,
        Reason = replacement.Describe(check),
        Launch = replacement.Launch,
        Zones = replacement.Zones,
    };

    public static ReplacementMessage Current(StepContext step) =>
        step.Input.Remediation?.Replacement ?? throw new ArgumentException("the step input carries no replacement (remediation.replacement)");

    public static HealthCheckSpec? CheckOf(Cluster cluster, string pool) => cluster.Spec.NodePools?.FirstOrDefault(p => p.Name == pool)?.HealthCheck;
}
