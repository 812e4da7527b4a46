namespace PaletteServerless.Steps.Deletion;

/// <summary>The delete's teardown loop found its force-delete timer over: the cluster has been Deleting for 15 minutes, so force delete opens (product doc).</summary>
public sealed class ForceDeleteEligibleStep(StepRuntime runtime)
{
    public ForceDeleteEligibleStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        await runtime.Status.OpenForceDeleteAsync(step.Scope, step.Input.Cluster, step.Input.Uid, ct);
        return StepResult.Finished;
    });
}
