using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Steps.Provisioning;

namespace PaletteServerless.Steps.Update;

/// <summary>One rolling-update pass over one pool (the workflow waits and asks again until it converges).</summary>
public sealed class RollPoolStep(StepRuntime runtime)
{
    public RollPoolStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var pool = step.Input.Pool ?? throw new ArgumentException("the step input names no pool");
        var cluster = await step.ClusterAsync(ct);
        // A delete took over: launch nothing more; the delete removes what there is.
        if (cluster.Status != ClusterStatus.Updating)
            throw new ClusterStateChangedException($"cluster {cluster.Name} is {cluster.Status}, not Updating: this update run is over");
        try
        {
            var (plan, network) = await step.PlanAsync(ct);
            var resources = await step.ResourcesAsync(ct);
            var spec = cluster.Definition.Pool(pool);
            var zones = ZonesOf(spec, plan, pool);
            var nodes = new NodePoolKind(resources);
            var progress = await new PoolRollout(resources, nodes).PassAsync(pool, zones,
                async () =>
                {
                    var secrets = await NodeSecrets.ReadAsync(resources, ct);
                    return await nodes.PrepareLaunchAsync(plan, await step.ProfileAsync(ct), secrets.CaCertHash, [spec!.InstanceType], ct);
                },
                zone => NodePlacement.SubnetFor(plan, network, resources, zone, spec!.Role),
                waitedForBoot: step.Input.Check?.WaitingFor?.Contains(PoolRollout.NodeBoot) == true,
                ct);
            await runtime.Status.ReportProgressAsync(step.Scope, cluster.Name, cluster.Uid, "NodePoolsUpdated", progress.Converged ? "PoolUpdated" : "Rolling", progress.Describe(), ct);
            return new StepResult { Ready = progress.Converged, WaitSeconds = progress.WaitSeconds, WaitingFor = progress.WaitingFor };
        }
        catch (Exception ex) when (!CloudErrors.IsTransient(ex) && !CloudErrors.IsNotFound(ex) && ex is not (ClusterStateChangedException or TransientCloudException))
        {
            // Name the step and the pool; the message carries the resource and AWS's error.
            var code = CloudErrors.Code(ex) is { } aws && !ex.Message.Contains(aws, StringComparison.Ordinal) ? aws + ": " : "";
            throw new ProvisioningFailedException($"step RollPool, pool {pool}: {code}{ex.Message}", ex);
        }
    });

    /// <summary>A pool's zones: the spec's, else (static placement) those of the user's subnets the plan spreads it over.</summary>
    internal static IReadOnlyList<string> ZonesOf(NodePoolDefinition? spec, ClusterPlan plan, string pool) =>
        spec is { AvailabilityZones.Count: > 0 }
            ? spec.AvailabilityZones
            : plan.Instances.Where(i => i.Pool == pool).Select(i => i.AvailabilityZone).Where(z => z.Length > 0).Distinct().ToList();
}
