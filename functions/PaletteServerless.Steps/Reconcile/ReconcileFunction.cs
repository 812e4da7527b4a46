using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Observability;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Manifest;

namespace PaletteServerless.Steps.Reconcile;

/// <summary>What one run of the scheduled check did.</summary>
public sealed record ReconcileOutcome
{
    public int Checked { get; init; }
    /// <summary>"tenant/project/cluster: what was done and why", one per cluster brought on.</summary>
    public List<string> Recovered { get; init; } = [];
    public List<string> Errors { get; init; } = [];
    public Dictionary<string, int> ByStatus { get; init; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ReconcileOutcome))]
internal sealed partial class ReconcileJsonContext : JsonSerializerContext;

/// <summary>
/// The scheduled check (<see cref="EventRuleCatalog.Reconcile"/>): nothing is left behind by a function that died
/// between two writes. A cluster <c>Pending</c> whose provisioning workflow never started (the API stopped between
/// storing it and starting it) gets its workflow started, under the one name the API would have used, so a late
/// start by the API finds the same execution. A cluster <c>Pending</c> or <c>Provisioning</c> whose workflow ended
/// without moving it (timed out, aborted, failed before its own catch) is marked <c>Failed</c>, naming the workflow's
/// end. It also counts the live clusters by status for the dashboard. One cluster's failure does not stop the others.
/// </summary>
public sealed class ReconcileFunction(StepRuntime runtime, IRunningClusters clusters, string provisionStateMachineArn)
{
    /// <summary>
    /// How long a Pending cluster may wait for its workflow before the check starts it: longer than the API
    /// function's timeout (29 s), so the API that stored it can no longer be about to start it.
    /// </summary>
    public static readonly TimeSpan StartGrace = TimeSpan.FromSeconds(30);

    public ReconcileFunction() : this(StepRuntime.FromEnvironment(), RemediationTriggersStore(), ProvisionArnFromEnvironment()) { }

    private static IRunningClusters RemediationTriggersStore() => Remediation.RemediationTriggers.RunningFromEnvironment();

    private static string ProvisionArnFromEnvironment() =>
        Environment.GetEnvironmentVariable(EnvironmentNames.ProvisionStateMachineArn) is { Length: > 0 } value
            ? value : throw new InvalidOperationException($"environment variable {EnvironmentNames.ProvisionStateMachineArn} is not set");

    /// <summary>The scheduled event's content is not needed: every run checks everything.</summary>
    public async Task<Stream> Handle(Stream input)
    {
        var outcome = await CheckAsync(CancellationToken.None);
        JsonLog.Write(outcome.Errors.Count == 0 ? "INFO" : "WARN",
            $"scheduled check: {outcome.Checked} live cluster(s), {outcome.Recovered.Count} brought on, {outcome.Errors.Count} error(s)"
            + string.Concat(outcome.Recovered.Concat(outcome.Errors).Select(line => "; " + line)),
            [new("step", nameof(ReconcileFunction))], runtime.Clock);
        return new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(outcome, ReconcileJsonContext.Default.ReconcileOutcome));
    }

    public async Task<ReconcileOutcome> CheckAsync(CancellationToken ct)
    {
        var live = await clusters.ListLiveAsync(ct);
        var outcome = new ReconcileOutcome
        {
            Checked = live.Count,
            ByStatus = ClusterStatus.All.Where(ClusterStatus.IsLive).ToDictionary(s => s, s => live.Count(c => c.Status == s)),
        };
        foreach (var cluster in live.Where(c => c.Status is ClusterStatus.Pending or ClusterStatus.Provisioning))
        {
            var who = $"{cluster.Scope.Tenant}/{cluster.Scope.Project}/{cluster.Name}";
            try
            {
                if (await BringOnAsync(cluster, ct) is { } done)
                    outcome.Recovered.Add($"{who}: {done}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                outcome.Errors.Add($"{who}: {ex.GetType().Name}: {ex.Message}");
            }
        }
        foreach (var (status, count) in outcome.ByStatus)
            JsonLog.Metric($"{count} cluster(s) {status}", new Dictionary<string, double> { [ProductMetrics.Clusters] = count }, status: status, clock: runtime.Clock);
        JsonLog.Metric($"{outcome.Recovered.Count} cluster(s) brought on by the scheduled check",
            new Dictionary<string, double> { [ProductMetrics.ClustersRecovered] = outcome.Recovered.Count }, clock: runtime.Clock);
        return outcome;
    }

    /// <summary>What was done to the cluster, or null when its workflow is running (or it only just arrived).</summary>
    private async Task<string?> BringOnAsync(Cluster cluster, CancellationToken ct)
    {
        var name = StepFunctionsWorkflowStarter.ExecutionName("provision", cluster);
        var arn = cluster.ProvisionExecutionArn ?? StepFunctionsWorkflowStarter.ExecutionArn(provisionStateMachineArn, name);
        DescribeExecutionResponse? execution;
        try
        {
            execution = await runtime.StepFunctions.DescribeExecutionAsync(arn, ct);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ExecutionDoesNotExist")
        {
            execution = null;
        }

        if (execution is { Status: "RUNNING" })
            return null;
        // Read again after the execution: a workflow writes its last status before it ends, so what is read now is final.
        var current = await runtime.Clusters.GetAsync(cluster.Scope, cluster.Name, ct);
        if (current is null || current.Uid != cluster.Uid || current.Status != cluster.Status || current.Version != cluster.Version)
            return null;

        if (execution is null)
        {
            if (cluster.Status != ClusterStatus.Pending || runtime.Clock.GetUtcNow() - cluster.CreatedAt < StartGrace)
                return null;
            var started = await new StepFunctionsWorkflowStarter(runtime.StepFunctions, provisionStateMachineArn, "", "").StartProvisioningAsync(cluster, ct);
            await runtime.Status.ChangeAsync(cluster.Scope, cluster.Name, cluster.Uid,
                c => c.ProvisionExecutionArn == started ? null : c with { ProvisionExecutionArn = started, UpdatedAt = runtime.Clock.GetUtcNow() }, ct);
            const string why = "its provisioning workflow had not started (the API stopped between storing the cluster and starting it): started by the scheduled check";
            await runtime.Status.AddEventAsync(current, "Warning", "WorkflowStarted", why, ct);
            JsonLog.Write("WARN", $"cluster {cluster.Name}: {why}", JsonLog.Of(cluster, started), runtime.Clock);
            return "provisioning workflow started: " + why;
        }

        var end = execution.Status + (execution.Error is { Length: > 0 } error ? $" ({error})" : "");
        var reason = $"the provisioning workflow ended {end} without moving the cluster from {cluster.Status}: marked Failed by the scheduled check; delete the cluster to remove what it made";
        await runtime.Status.MoveAsync(cluster.Scope, cluster.Name, cluster.Uid, ClusterStatus.Failed, reason, ct);
        JsonLog.Write("WARN", $"cluster {cluster.Name}: {reason}", JsonLog.Of(cluster, arn), runtime.Clock);
        return "marked Failed: " + reason;
    }
}
