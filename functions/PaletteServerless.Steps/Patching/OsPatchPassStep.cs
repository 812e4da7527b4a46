using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Patching;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Patching;

/// <summary>
/// One pass of a patch run (<see cref="OsPatchPlanner"/>): reads the nodes' reports, asks the next nodes through the
/// cluster's patch request, records the run; at its end <c>OsPatchCompleted</c>, or <c>OsPatchFailed</c> naming the
/// nodes and why. A cluster that stopped being Running (an update began) fails the run; one being deleted abandons it.
/// </summary>
public sealed class OsPatchPassStep(StepRuntime runtime)
{
    public OsPatchPassStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await step.ClusterAsync(ct);
        if (cluster.LastOsPatch is not { } run || run.Id != step.Input.Run)
            throw new ClusterStateChangedException($"cluster {cluster.Name}'s last patch run is not {step.Input.Run}");
        if (run.Result != OsPatchRun.Running)
            return new StepResult { Done = true };
        if (cluster.Status is ClusterStatus.Deleting or ClusterStatus.Deleted)
            throw new ClusterStateChangedException($"cluster {cluster.Name} is {cluster.Status}: the patch run stops");
        if (cluster.Status != ClusterStatus.Running)
            throw new ProvisioningFailedException($"cluster {cluster.Name} became {cluster.Status} during the run: patching stopped");
        var kind = new OsPatchKind(await step.ResourcesAsync(ct));
        var pass = OsPatchPlanner.Next(run, await kind.RunningNodesAsync(ct), cluster.Definition, runtime.Clock.GetUtcNow());
        await kind.WriteAsync(run.Id, pass.Requested, ct);
        var (_, after) = await runtime.Status.ChangeAsync(step.Scope, cluster.Name, cluster.Uid,
            c => c.LastOsPatch?.Id == run.Id && c.LastOsPatch.Result == OsPatchRun.Running ? c with { LastOsPatch = pass.Run } : null, ct);
        if (pass.Done && after is not null)
        {
            var (reason, message) = OsPatchEvents.Ending(pass.Run);
            await OsPatchEvents.AnnounceAsync(runtime, after, pass.Run, reason, message, ct);
        }
        return new StepResult { Done = pass.Done, WaitSeconds = OsPatchAgent.IntervalSeconds };
    });
}
