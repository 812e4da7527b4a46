using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Patching;

namespace PaletteServerless.Steps.Patching;

/// <summary>A patch run ended by an error: no node is asked any more, the run is Failed with the error; <c>OsPatchFailed</c>.</summary>
public sealed class OsPatchFailedStep(StepRuntime runtime)
{
    public OsPatchFailedStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await step.ClusterAsync(ct);
        if (cluster.LastOsPatch is not { Result: OsPatchRun.Running } run || run.Id != step.Input.Run)
            return StepResult.Finished;
        var reason = Provisioning.MarkFailedStep.Reason(step.Input.Error);
        await new OsPatchKind(await step.ResourcesAsync(ct)).WriteAsync(run.Id, [], ct);
        var now = runtime.Clock.GetUtcNow();
        var failed = run with
        {
            Result = OsPatchRun.Failed,
            CompletedAt = now,
            Message = $"the run stopped: {reason}; {run.NodesPatched} node(s) patched",
            Nodes = [.. run.Nodes.Select(n => n.State == OsPatchNode.Patching ? n with { State = OsPatchNode.Failed, CompletedAt = now, Message = "the run stopped while it patched" } : n)],
        };
        var (_, after) = await runtime.Status.ChangeAsync(step.Scope, cluster.Name, cluster.Uid,
            c => c.LastOsPatch?.Id == run.Id && c.LastOsPatch.Result == OsPatchRun.Running ? c with { LastOsPatch = failed } : null, ct);
        if (after is not null)
            await OsPatchEvents.AnnounceAsync(runtime, after, failed, OsPatchEvents.Failed, $"OS patch run {run.Id} failed: {failed.Message}", ct);
        return StepResult.Finished;
    });
}
