using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Backups;

/// <summary>
/// Adds the workflow's operation (a Velero Backup or Restore) to those the cluster's desired in-cluster state holds,
/// keeping the ones already there (read back first), and writes it again at the same generation: the agent creates
/// each operation once, by name, whatever the generation. The bucket is made first if backups were turned on since.
/// </summary>
public sealed class RequestBackupStep(StepRuntime runtime)
{
    public RequestBackupStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var operation = step.Input.Backup ?? throw new ArgumentException("the step input has no backup operation");
        var cluster = await step.ClusterAsync(ct);
        if (cluster.Status != ClusterStatus.Running && cluster.Status != ClusterStatus.Updating)
            throw new ProvisioningFailedException($"cluster {cluster.Name} is {cluster.Status}: the {operation.Kind} {operation.Name} was not asked of it");
        var kind = new DesiredStateKind(await step.ResourcesAsync(ct));
        var current = await kind.ReadAsync(cluster, ct);
        var operations = (current?.Backup?.Operations ?? []).Concat(current?.Scans?.Operations ?? [])
            .Where(o => o.Name != operation.Name).Append(operation).ToList();
        try
        {
            await kind.WriteAsync(cluster, await step.ProfileAsync(ct), ct, operations);
        }
        catch (InvalidOperationException ex)
        {
            throw new ProvisioningFailedException($"step RequestBackup: {ex.Message}", ex);
        }
        return new StepResult { Ready = false, WaitSeconds = InClusterAgent.IntervalSeconds };
    });
}
