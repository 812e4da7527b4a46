using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// Registers the control-plane instances with the API load balancer (idempotent) and reports whether
/// they are healthy; once they are, Provisioning -> Running in the same step (the last thing the
/// create waits for, so no further invocation stands between it and Running).
/// </summary>
public sealed class ControlPlaneTargetsStep(StepRuntime runtime)
{
    public ControlPlaneTargetsStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var balancer = new LoadBalancerKind(await step.ResourcesAsync(ct));
        await balancer.RegisterControlPlaneAsync(ct);
        if (!await balancer.TargetsHealthyAsync(ct))
            return StepResult.NotYet;
        await step.SetConditionAsync("ControlPlaneHealthy", true, "Healthy", "every control-plane target passes the load balancer's health check", ct);
        // The cloud now matches the spec it was built from: that generation is observed, its launch fingerprints applied.
        await runtime.Status.MoveAsync(step.Scope, step.Input.Cluster, step.Input.Uid, ClusterStatus.Running, "all nodes run and the control plane is healthy", ct,
            cluster => cluster with
            {
                ObservedGeneration = cluster.Generation,
                AppliedFingerprints = ClusterUpdates.Fingerprints(cluster.Spec),
                AppliedTags = new Dictionary<string, string>(cluster.Spec.Tags ?? [], StringComparer.Ordinal),
            });
        return StepResult.Finished;
    });
}
