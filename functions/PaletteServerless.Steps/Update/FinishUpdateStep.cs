using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Update;

/// <summary>
/// Updating -> Running with the generation reached, in one conditional write that also checks no newer generation
/// was accepted meanwhile; if one was, the run goes round again instead (Done = false) and converges to it.
/// </summary>
public sealed class FinishUpdateStep(StepRuntime runtime)
{
    public FinishUpdateStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var generation = step.Input.Update?.Generation ?? throw new ArgumentException("the step input has no update generation");
        try
        {
            await runtime.Status.MoveAsync(step.Scope, step.Input.Cluster, step.Input.Uid, ClusterStatus.Running, $"generation {generation} applied", ct,
                cluster => cluster.Generation > generation
                    ? throw new NewerGenerationException()
                    : runtime.Status.WithCondition(cluster, "Updated", true, "Applied", $"generation {generation} applied to every node pool") with
                    {
                        ObservedGeneration = generation,
                        AppliedFingerprints = ClusterUpdates.Fingerprints(cluster.Definition),
                        AppliedPackValues = ClusterUpdates.PackValuesOf(cluster),
                        AppliedTags = new Dictionary<string, string>(cluster.Definition.Tags, StringComparer.Ordinal),
                    });
        }
        catch (NewerGenerationException)
        {
            return new StepResult { Done = false };
        }
        return new StepResult { Done = true };
    });

    private sealed class NewerGenerationException : Exception;
}
