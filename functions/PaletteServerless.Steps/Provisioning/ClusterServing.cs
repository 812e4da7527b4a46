using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// The create's last move, Provisioning -> Running, once the control plane serves: every
/// control-plane node reported ready (the first one: its packs applied) and every target passes the
/// load balancer's health check. Made by whichever step sees it first: the node pools' check when the
/// other branches of the build are already done (the usual case, no further invocation between the
/// nodes' last report and Running), else the control-plane targets step after the build.
/// </summary>
public static class ClusterServing
{
    // What the build's other branches set last: the load balancer's branch, and the NAT gateways' one (both placements).
    private static readonly string[] OtherBranchesDone = ["LoadBalancerReady", "RouteTablesReady"];

    /// <summary>Whether the load balancer's and the NAT gateways' branches had finished when the step loaded the cluster.</summary>
    public static bool OtherBranchesFinished(Cluster cluster) =>
        OtherBranchesDone.All(type => cluster.Conditions.Any(c => c.Type == type && c.Status == "True"));

    /// <summary>Moves the cluster to Running with ControlPlaneHealthy (and any <paramref name="alsoTrue"/> conditions) in the same write.</summary>
    public static Task MarkRunningAsync(StepContext step, StepRuntime runtime, CancellationToken ct,
        params (string Type, string Reason, string Message)[] alsoTrue) =>
        // The cloud now matches the spec it was built from: that generation is observed, its launch fingerprints applied.
        runtime.Status.MoveAsync(step.Scope, step.Input.Cluster, step.Input.Uid, ClusterStatus.Running, "every node reported ready and the control plane is healthy", ct,
            cluster => cluster with
            {
                ObservedGeneration = cluster.Generation,
                AppliedFingerprints = ClusterUpdates.Fingerprints(cluster.Definition),
                AppliedPackValues = ClusterUpdates.PackValuesOf(cluster),
                AppliedTags = new Dictionary<string, string>(cluster.Definition.Tags, StringComparer.Ordinal),
            },
            [
                .. alsoTrue.Select(c => (c.Type, true, c.Reason, c.Message)),
                ("ControlPlaneHealthy", true, "Healthy", "every control-plane node reported ready and passes the load balancer's health check"),
                // The first control plane installed the packs of the cluster's generation at boot (it reports PacksApplied
                // only then); its agent reports the same generation on its first run.
                (Update.PacksCheckStep.Condition, true, "Applied", "the packs of this generation were applied at boot by the first control plane"),
            ]);
}
