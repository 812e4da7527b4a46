using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// Registers the control-plane instances with the API load balancer (idempotent) and reports whether the
/// control plane serves: every control-plane node reported ready (the first one: its packs applied) and every
/// target passes the load balancer's health check; the health check alone does not make a cluster Running.
/// Once it serves, Provisioning -> Running in the same step (the last thing the create waits for, so no
/// further invocation stands between it and Running).
/// </summary>
public sealed class ControlPlaneTargetsStep(StepRuntime runtime)
{
    public ControlPlaneTargetsStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var resources = await step.ResourcesAsync(ct);
        var balancer = new LoadBalancerKind(resources);
        await balancer.RegisterControlPlaneAsync(ct);
        var reports = await new NodePoolKind(resources).ControlPlaneReportsAsync(ct);
        if (NodeReadiness.FailureOf(reports) is { } failure)
            throw new ProvisioningFailedException(failure);
        if (!NodeReadiness.AllReady(reports) || !await balancer.TargetsHealthyAsync(ct))
            return StepResult.NotYet;
        await step.SetConditionAsync("ControlPlaneHealthy", true, "Healthy",
            "every control-plane node reported ready and passes the load balancer's health check", ct);
        // The cloud now matches the spec it was built from: that generation is observed, its launch fingerprints applied.
        await runtime.Status.MoveAsync(step.Scope, step.Input.Cluster, step.Input.Uid, ClusterStatus.Running, "every node reported ready and the control plane is healthy", ct,
            cluster => cluster with
            {
                ObservedGeneration = cluster.Generation,
                AppliedFingerprints = ClusterUpdates.Fingerprints(cluster.Definition),
                AppliedTags = new Dictionary<string, string>(cluster.Definition.Tags, StringComparer.Ordinal),
            });
        return StepResult.Finished;
    });
}
