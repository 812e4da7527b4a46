using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Deletion;

/// <summary>
/// Announces Deleting and stops the cluster's provisioning, update or remediation execution if one still
/// runs, so nothing new is created. A Lambda already in flight finishes its call; whatever it makes is
/// recorded or tagged first, so the teardown removes it with the rest.
/// </summary>
public sealed class StartDeletionStep(StepRuntime runtime)
{
    public StartDeletionStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await step.ClusterAsync(ct);
        await runtime.Status.MoveAsync(step.Scope, cluster.Name, cluster.Uid, ClusterStatus.Deleting, cluster.StatusReason ?? "delete requested", ct);
        await StopAsync(cluster, cluster.ProvisionExecutionArn, "ProvisioningStopped", "the provisioning workflow was stopped for the delete", ct);
        await StopAsync(cluster, cluster.UpdateExecutionArn, "UpdateStopped", "the update workflow was stopped for the delete", ct);
        await StopAsync(cluster, cluster.RemediationExecutionArn, "RemediationStopped", "the remediation workflow was stopped for the delete", ct);
        Aws.Observability.JsonLog.Metric($"cluster {cluster.Name}: delete started", new Dictionary<string, double> { [Manifest.ProductMetrics.DeletesStarted] = 1 },
            Aws.Observability.JsonLog.Of(cluster, step.Input.Execution), clock: runtime.Clock);
        return StepResult.Finished;
    });

    private async Task StopAsync(Cluster cluster, string? executionArn, string reason, string message, CancellationToken ct)
    {
        if (executionArn is null)
            return;
        try
        {
            var execution = await runtime.StepFunctions.DescribeExecutionAsync(executionArn, ct);
            if (execution.Status == "RUNNING")
            {
                await runtime.StepFunctions.StopExecutionAsync(executionArn, "ClusterDeleted", "the cluster is being deleted", ct);
                await runtime.Status.AddEventAsync(cluster, "Normal", reason, message, ct);
            }
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ExecutionDoesNotExist")
        {
            // Nothing to stop.
        }
    }
}
