using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>One poll: does every instance run?</summary>
public sealed class NodePoolsCheckStep(StepRuntime runtime)
{
    public NodePoolsCheckStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        if (!await new NodePoolKind(await step.ResourcesAsync(ct)).CheckAsync(ct))
            return StepResult.NotYet;
        await step.SetConditionAsync("NodePoolsReady", true, "Running", "every node pool instance is running", ct);
        return StepResult.Finished;
    });
}
