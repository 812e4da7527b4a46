using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Deletion;

/// <summary>Announces Deleting and stops the cluster's provisioning execution if it still runs, so nothing new is created.</summary>
public sealed class StartDeletionStep(StepRuntime runtime)
{
    public StartDeletionStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await step.ClusterAsync(ct);
        await runtime.Status.MoveAsync(step.Scope, cluster.Name, cluster.Uid, ClusterStatus.Deleting, cluster.StatusReason ?? "delete requested", ct);
        if (cluster.ProvisionExecutionArn is { } provisioning)
        {
            try
            {
                var execution = await runtime.StepFunctions.DescribeExecutionAsync(provisioning, ct);
                if (execution.Status == "RUNNING")
                {
                    await runtime.StepFunctions.StopExecutionAsync(provisioning, "ClusterDeleted", "the cluster is being deleted", ct);
                    await runtime.Status.AddEventAsync(cluster, "Normal", "ProvisioningStopped", "the provisioning workflow was stopped for the delete", ct);
                }
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "ExecutionDoesNotExist")
            {
                // Nothing to stop.
            }
        }
        return StepResult.Finished;
    });
}
