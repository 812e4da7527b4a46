using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// How the network step begins a create: Pending -> Provisioning (announcing Pending first, so every status is an
/// event; a cluster a delete already owns stops the workflow), and beside that move every check that can be made
/// before anything is created (<see cref="Preflight"/>), failing with every reason at once. Part of the network step,
/// not a step of its own: each invocation on the way to the first control plane's launch lengthens the create.
/// </summary>
public static class StartProvisioning
{
    public static async Task RunAsync(StepContext step, StepRuntime runtime, CancellationToken ct)
    {
        var cluster = await step.ClusterAsync(ct);
        // The move and the checks do not depend on each other, and both are on the critical path: side
        // by side. A cluster a delete owns fails the move, which wins over whatever the checks found.
        var moved = MoveToProvisioningAsync(step, runtime, cluster, ct);
        var checks = CheckUnlessStartedAsync(step, cluster, ct);
        await Task.WhenAll(moved, checks);
        var problems = await checks;
        if (problems.Count > 0)
            throw new PreflightFailedException(problems);
    }

    /// <summary>The condition the network step sets (with its own) once the checks have passed.</summary>
    public static readonly (string Type, bool Ready, string Reason, string Message) PreflightPassed =
        ("PreflightPassed", true, "Checked", "key pair, zones, instance types and quotas are fine");

    private static async Task MoveToProvisioningAsync(StepContext step, StepRuntime runtime, Cluster cluster, CancellationToken ct)
    {
        // A late re-run of the step, after the create moved on, changes no status: it adopts what it made.
        // A delete's or a failure's status is not moved either: the move refuses, and the workflow stops.
        if (cluster.Status is ClusterStatus.Running or ClusterStatus.Updating)
            return;
        if (cluster.Status == ClusterStatus.Pending)
            await runtime.Status.MoveAsync(step.Scope, cluster.Name, cluster.Uid, ClusterStatus.Pending, cluster.StatusReason ?? "accepted", ct);
        await runtime.Status.MoveAsync(step.Scope, cluster.Name, cluster.Uid, ClusterStatus.Provisioning, "provisioning started", ct);
    }

    /// <summary>
    /// The checks, unless an earlier attempt of the step has created something: nothing is created before they pass, and
    /// a re-run would count the cluster's own VPC, gateway and addresses against the quotas it checks.
    /// </summary>
    private static async Task<IReadOnlyList<string>> CheckUnlessStartedAsync(StepContext step, Cluster cluster, CancellationToken ct)
    {
        if ((await step.Inventory.ListAsync(cluster, ct)).Count > 0)
            return [];
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
