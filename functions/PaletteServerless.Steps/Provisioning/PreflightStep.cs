using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// The provisioning workflow's first step: Pending -> Provisioning (announcing Pending first, so every
/// status is an event; a cluster a delete already owns stops the workflow), then every check that can
/// be made before anything is created, failing with every reason at once. One step, not two: each
/// invocation on the way to the load balancer's create lengthens the create.
/// </summary>
public sealed class PreflightStep(StepRuntime runtime)
{
    public PreflightStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await step.ClusterAsync(ct);
        // The move and the checks do not depend on each other, and both are on the critical path: side
        // by side. A cluster a delete owns fails the move, which wins over whatever the checks found.
        var moved = MoveToProvisioningAsync(step, cluster, ct);
        var checks = CheckAsync(step, cluster, ct);
        await Task.WhenAll(moved, checks);
        var problems = await checks;
        if (problems.Count > 0)
            throw new PreflightFailedException(problems);
        await step.SetConditionAsync("PreflightPassed", true, "Checked", "key pair, zones, instance types and quotas are fine", ct);
        return StepResult.Finished;
    });

    private async Task MoveToProvisioningAsync(StepContext step, Cluster cluster, CancellationToken ct)
    {
        if (cluster.Status == ClusterStatus.Pending)
            await runtime.Status.MoveAsync(step.Scope, cluster.Name, cluster.Uid, ClusterStatus.Pending, cluster.StatusReason ?? "accepted", ct);
        await runtime.Status.MoveAsync(step.Scope, cluster.Name, cluster.Uid, ClusterStatus.Provisioning, "provisioning started", ct);
    }

    private static async Task<IReadOnlyList<string>> CheckAsync(StepContext step, Cluster cluster, CancellationToken ct)
    {
        ICloudSession cloud;
        try
        {
            cloud = await step.CloudAsync(ct);
        }
        catch (Exception ex) when (CloudErrors.Code(ex) is { } code)
        {
            return [$"cloudAccount: the role of cloud account '{cluster.Definition.CloudAccount}' cannot be assumed: {code}: {ex.Message}"];
        }
        return await new Preflight(cluster, cloud).RunAsync(ct);
    }
}
