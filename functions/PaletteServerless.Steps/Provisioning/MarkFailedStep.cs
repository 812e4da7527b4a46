using System.Text.Json;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>-> Failed, with the reason taken from the caught error and what the rollback could not remove, if anything.</summary>
public sealed class MarkFailedStep(StepRuntime runtime)
{
    public MarkFailedStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var reason = Reason(step.Input.Error);
        if (step.Input.Teardown is { Done: false } teardown)
            reason += $"; the rollback could not remove {teardown.Remaining} resource(s): {string.Join("; ", (teardown.Blockers ?? []).Concat(teardown.WaitingFor ?? []))} (delete the cluster to retry)";
        var rolledBack = step.Input.Teardown is not { Done: false };
        await runtime.Status.MoveAsync(step.Scope, step.Input.Cluster, step.Input.Uid, ClusterStatus.Failed, reason, ct,
            cluster => cluster.Conditions.Any(c => c.Type == Deletion.TeardownStep.RollingBackCondition)
                ? runtime.Status.WithCondition(cluster, Deletion.TeardownStep.RollingBackCondition, rolledBack,
                    rolledBack ? "RolledBack" : "RollBackIncomplete",
                    rolledBack ? "the rollback removed everything the create made" : "the rollback left resources behind: delete the cluster to retry")
                : cluster);
        return StepResult.Finished;
    });

    public static string Reason(StepError? error)
    {
        if (error?.Cause is not { Length: > 0 } cause)
            return error?.Error ?? "provisioning failed";
        try
        {
            var document = JsonSerializer.Deserialize(cause, StepJsonContext.Default.LambdaErrorDocument);
            return document?.ErrorMessage ?? cause;
        }
        catch (JsonException)
        {
            return $"{error.Error}: {cause}";
        }
    }
}
