using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Aws.Workflows;

/// <summary>What the backup workflow gets: the cluster, as every workflow, and the one operation it runs.</summary>
public sealed record BackupWorkflowInput(string Tenant, string Project, string Cluster, string Uid, string Execution, BackupOperation Backup);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BackupWorkflowInput))]
internal sealed partial class BackupWorkflowJsonContext : JsonSerializerContext;

/// <summary>
/// Starts one execution of the backup workflow per operation, named after the cluster's uid and the operation's name
/// (Velero's own, unique per second): a retried request finds the execution it started.
/// </summary>
public sealed class BackupWorkflow(StepFunctionsClient client, string stateMachineArn) : IBackupWorkflow
{
    public async Task StartAsync(Cluster cluster, BackupOperation operation, CancellationToken ct)
    {
        var name = ExecutionName(cluster, operation);
        var arn = StepFunctionsWorkflowStarter.ExecutionArn(stateMachineArn, name);
        var input = JsonSerializer.Serialize(
            new BackupWorkflowInput(cluster.Scope.Tenant, cluster.Scope.Project, cluster.Name, cluster.Uid, arn, operation), BackupWorkflowJsonContext.Default.BackupWorkflowInput);
        try
        {
            await client.StartExecutionAsync(stateMachineArn, name, input, ct);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ExecutionAlreadyExists")
        {
            // Started by an earlier attempt of the same request.
        }
    }

    /// <summary>At most 80 characters, as Step Functions allows: the operation's kind and time, and the cluster's uid.</summary>
    public static string ExecutionName(Cluster cluster, BackupOperation operation) =>
        $"{operation.Kind}-{cluster.Uid}-{operation.RequestedAt.UtcDateTime:yyyyMMddHHmmssfff}";
}
