using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Patching;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Patching;

/// <summary>
/// The patch run's start: a Running cluster's running nodes become the run's nodes (control planes first), recorded
/// as the cluster's <c>lastOsPatch</c>; <c>OsPatchStarted</c>. Run again (a retry), it finds the run recorded and does nothing.
/// </summary>
public sealed class StartOsPatchStep(StepRuntime runtime)
{
    public StartOsPatchStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var id = step.Input.Run ?? throw new ArgumentException("the step input names no patch run");
        var cluster = await step.ClusterAsync(ct);
        if (cluster.LastOsPatch?.Id == id)
            return new StepResult { Done = false, WaitSeconds = 0 };
        if (cluster.Status != ClusterStatus.Running)
            throw new ClusterStateChangedException($"cluster {cluster.Name} is {cluster.Status}, not Running: no patch run starts");
        if (cluster.LastOsPatch is { } other && other.IsRunning(runtime.Clock.GetUtcNow()))
            throw new ClusterStateChangedException($"cluster {cluster.Name}'s patch run {other.Id} is under way: run {id} does not start");
        var nodes = await new OsPatchKind(await step.ResourcesAsync(ct)).RunningNodesAsync(ct);
        var run = OsPatchPlanner.Begin(id, step.Input.Trigger ?? "asked for", runtime.Clock.GetUtcNow(), nodes, cluster.Definition) with { Occurrence = step.Input.Occurrence };
        var (_, after) = await runtime.Status.ChangeAsync(step.Scope, cluster.Name, cluster.Uid,
            c => c.LastOsPatch?.Id == id || c.Status != ClusterStatus.Running || c.LastOsPatch?.IsRunning(run.StartedAt) == true ? null : c with { LastOsPatch = run }, ct);
        if (after is not null)
        {
            await OsPatchEvents.AnnounceAsync(runtime, after, run, OsPatchEvents.Started,
                $"OS patch run {id} started ({run.Trigger}): {run.Nodes.Count} node(s) in place, control planes one at a time, worker pools within maxUnavailable", ct);
        }
        return new StepResult { Done = false, WaitSeconds = 0 };
    });
}
