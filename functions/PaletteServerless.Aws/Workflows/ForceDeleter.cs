using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Workflows;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LeftoverReport))]
[JsonSerializable(typeof(ForceDeleteInput))]
[JsonSerializable(typeof(SweepInput))]
public sealed partial class LeftoverJsonContext : JsonSerializerContext;

/// <summary>The force delete workflow's input: the cluster, and who asked (for the events).</summary>
public sealed record ForceDeleteInput(string Tenant, string Project, string Cluster, string Uid, string Execution, string RequestedBy);

/// <summary>The sweep workflow's input: the project and the sweep's id.</summary>
public sealed record SweepInput(string Tenant, string Project, string Sweep, string Execution);

/// <summary>
/// Force delete (product doc), run by the force delete workflow's step: stops the delete workflow,
/// sweeps what carries the cluster's ownership tag and removes what it can, then sets Deleted and
/// reports every resource still there, with why and what it costs, in the cluster's
/// forceDeleteReport, its events and an EventBridge event.
/// </summary>
public sealed class ForceDeleter(
    StepFunctionsClient stepFunctions, ICloudSessionOpener sessions, ICloudAccountStore accounts, IInventoryStore inventory, ClusterStatusWriter status,
    TimeProvider clock)
{
    public async Task<ForceDeleteReport> RunAsync(Cluster cluster, string requestedBy, CancellationToken ct)
    {
        if (cluster.Status == ClusterStatus.Deleted)
        {
            if (cluster.ForceDeleteReport is not { } done)
            {
                // The delete workflow removed the last resource before it was stopped: nothing is left.
                return ForceDeleteReport.Of(LeftoverReport.Of(cluster.Name, [], clock.GetUtcNow()), cluster.Status, cluster.StatusReason ?? "deleted");
            }
            // A retried step after the cluster was marked: publish again (at least once), change nothing.
            await status.PublishLeftoversAsync(cluster, ToLeftoverReport(done), ct);
            return done;
        }
        if (cluster.DeleteExecutionArn is { } executionArn)
        {
            try
            {
                await stepFunctions.StopExecutionAsync(executionArn, "ForceDeleted", $"force delete by {requestedBy}", ct);
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "ExecutionDoesNotExist")
            {
                // Already gone: nothing to stop.
            }
        }
        var account = await accounts.GetAsync(cluster.Scope, cluster.Spec.CloudAccount!, ct) ?? new CloudAccount { Name = cluster.Spec.CloudAccount };
        using var cloud = await sessions.OpenAsync(account, cluster.Spec.Cloud!.Region!, SessionScope.OfCluster(FunctionCatalog.ForceDelete.Name, cluster), ct);
        var resources = await ClusterResources.LoadAsync(cluster, cloud, inventory, clock, ct);
        var leftovers = await LeftoverFinder.SweepAsync(resources, ct);
        var report = LeftoverReport.Of(cluster.Name, leftovers, clock.GetUtcNow());
        var reason = leftovers.Count == 0
            ? $"force deleted by {requestedBy}; nothing of the cluster remains"
            : $"force deleted by {requestedBy}; {leftovers.Count} resource(s) remain and cost about ${report.EstimatedHourlyCostUsd:0.####}/hour: "
              + string.Join("; ", leftovers.Select(l => $"{l.Type} {l.Id} ({l.Reason})"));
        var forceDeleteReport = ForceDeleteReport.Of(report, ClusterStatus.Deleted, reason);
        var deleted = await status.MoveAsync(cluster.Scope, cluster.Name, cluster.Uid, ClusterStatus.Deleted, reason, ct,
            c => c with { ForceDeleteReport = forceDeleteReport });
        await status.AddEventAsync(deleted, leftovers.Count == 0 ? "Normal" : "Warning", "LeftoverResources", reason, ct);
        await status.PublishLeftoversAsync(cluster, report, ct);
        return forceDeleteReport;
    }

    private static LeftoverReport ToLeftoverReport(ForceDeleteReport report) =>
        new(report.Cluster, report.Leftovers, report.EstimatedHourlyCostUsd, report.At);
}

/// <summary>
/// Starts the force delete workflow, one run at a time per cluster: the first execution's name is
/// derived from the uid, so a second request while it runs (or after it succeeded) finds it instead
/// of starting another. Only a run that failed after its retries is followed by a new one, named
/// after the failed run's end, so two requests that both find it failed still start one.
/// </summary>
public sealed class ForceDeleteWorkflow(StepFunctionsClient client, string stateMachineArn) : IForceDeleter
{
    public async Task<string> StartAsync(Cluster cluster, Caller caller, CancellationToken ct)
    {
        var name = StepFunctionsWorkflowStarter.ExecutionName("force-delete", cluster);
        if (await StartNamedAsync(cluster, caller, name, ct) is { } started)
            return started;
        var latest = cluster.ForceDeleteExecutionArn ?? StepFunctionsWorkflowStarter.ExecutionArn(stateMachineArn, name);
        var run = await client.DescribeExecutionAsync(latest, ct);
        if (run.Status is "RUNNING" or "SUCCEEDED" || run.StopDate is not { } stopped)
            return latest;
        var again = $"{name}-{stopped.ToUnixTimeSeconds()}";
        return await StartNamedAsync(cluster, caller, again, ct) ?? StepFunctionsWorkflowStarter.ExecutionArn(stateMachineArn, again);
    }

    /// <summary>The new execution's ARN, or null when one of that name exists (started by an earlier request, whose input names its caller).</summary>
    private async Task<string?> StartNamedAsync(Cluster cluster, Caller caller, string name, CancellationToken ct)
    {
        var executionArn = StepFunctionsWorkflowStarter.ExecutionArn(stateMachineArn, name);
        var input = JsonSerializer.Serialize(
            new ForceDeleteInput(cluster.Scope.Tenant, cluster.Scope.Project, cluster.Name, cluster.Uid, executionArn, caller.Subject),
            LeftoverJsonContext.Default.ForceDeleteInput);
        try
        {
            return (await client.StartExecutionAsync(stateMachineArn, name, input, ct)).ExecutionArn;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ExecutionAlreadyExists")
        {
            return null;
        }
    }
}

/// <summary>The orphan sweep as a workflow: one execution per sweep id, read back by DescribeExecution.</summary>
public sealed class SweepWorkflow(StepFunctionsClient client, string stateMachineArn) : ISweepWorkflow
{
    public static string ExecutionName(string sweepId) => "sweep-" + sweepId;

    public async Task StartAsync(ProjectScope scope, string sweepId, CancellationToken ct)
    {
        var name = ExecutionName(sweepId);
        var input = new SweepInput(scope.Tenant, scope.Project, sweepId, StepFunctionsWorkflowStarter.ExecutionArn(stateMachineArn, name));
        await client.StartExecutionAsync(stateMachineArn, name, JsonSerializer.Serialize(input, LeftoverJsonContext.Default.SweepInput), ct);
    }

    public async Task<OrphanSweep?> GetAsync(ProjectScope scope, string sweepId, CancellationToken ct)
    {
        DescribeExecutionResponse execution;
        try
        {
            execution = await client.DescribeExecutionAsync(StepFunctionsWorkflowStarter.ExecutionArn(stateMachineArn, ExecutionName(sweepId)), ct);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ExecutionDoesNotExist")
        {
            return null;
        }
        // Sweep ids are unguessable, but a sweep still belongs to one project: another's is not found.
        var input = execution.Input is null ? null : JsonSerializer.Deserialize(execution.Input, LeftoverJsonContext.Default.SweepInput);
        if (input is null || input.Tenant != scope.Tenant || input.Project != scope.Project)
            return null;
        return execution.Status switch
        {
            "RUNNING" => new OrphanSweep(sweepId, SweepStates.Running, execution.StartDate, null, null, null),
            "SUCCEEDED" => new OrphanSweep(sweepId, SweepStates.Succeeded, execution.StartDate, execution.StopDate,
                JsonSerializer.Deserialize(execution.Output ?? "null", LeftoverJsonContext.Default.LeftoverReport), null),
            _ => new OrphanSweep(sweepId, SweepStates.Failed, execution.StartDate, execution.StopDate, null,
                $"the sweep {execution.Status.ToLowerInvariant()}: {execution.Error}: {execution.Cause}"),
        };
    }
}
