using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Aws.Workflows;

/// <summary>
/// What every workflow execution gets: enough to find the cluster, nothing more (the table is the
/// truth), and the execution's own ARN, which every step logs to tie its line to the run.
/// </summary>
public sealed record WorkflowInput(string Tenant, string Project, string Cluster, string Uid, string Execution);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(WorkflowInput))]
internal sealed partial class WorkflowJsonContext : JsonSerializerContext;

/// <summary>
/// Starts executions with names derived from the cluster's uid and the operation: Step Functions
/// returns the existing execution for the same name and input, so a retried request never starts two.
/// </summary>
public sealed class StepFunctionsWorkflowStarter(StepFunctionsClient client, string provisionStateMachineArn, string deleteStateMachineArn, string updateStateMachineArn)
    : IWorkflowStarter
{
    public Task<string> StartProvisioningAsync(Cluster cluster, CancellationToken ct) =>
        StartAsync(provisionStateMachineArn, "provision", cluster, ct);

    public Task<string> StartDeletionAsync(Cluster cluster, CancellationToken ct) =>
        StartAsync(deleteStateMachineArn, "delete", cluster, ct);

    /// <summary>One execution per update run: a retried start of the same run finds it, never a second one.</summary>
    public Task<string> StartUpdateAsync(Cluster cluster, CancellationToken ct) =>
        StartNamedAsync(updateStateMachineArn, Domain.Changes.ClusterUpdates.ExecutionName(cluster), cluster, ct);

    public static string ExecutionName(string operation, Cluster cluster) => $"{operation}-{cluster.Uid}";

    /// <summary>The input of the execution <paramref name="name"/>: one name, one input, so a retried start finds it.</summary>
    public static string Input(Cluster cluster, string executionArn) => JsonSerializer.Serialize(
        new WorkflowInput(cluster.Scope.Tenant, cluster.Scope.Project, cluster.Name, cluster.Uid, executionArn), WorkflowJsonContext.Default.WorkflowInput);

    /// <summary>The ARN Step Functions gives the execution <paramref name="name"/> of a state machine.</summary>
    public static string ExecutionArn(string stateMachineArn, string name) =>
        stateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal) + ":" + name;

    private Task<string> StartAsync(string stateMachineArn, string operation, Cluster cluster, CancellationToken ct) =>
        StartNamedAsync(stateMachineArn, ExecutionName(operation, cluster), cluster, ct);

    private async Task<string> StartNamedAsync(string stateMachineArn, string name, Cluster cluster, CancellationToken ct)
    {
        try
        {
            var response = await client.StartExecutionAsync(stateMachineArn, name, Input(cluster, ExecutionArn(stateMachineArn, name)), ct);
            return response.ExecutionArn;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ExecutionAlreadyExists")
        {
            // Our names are one per cluster and operation, with one input: this execution is ours,
            // started by an earlier attempt and already closed.
            return ExecutionArn(stateMachineArn, name);
        }
    }
}
