using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Changes;

/// <summary>
/// The health check's two decisions (issue 14), as Cluster API's MachineHealthCheck makes them: when a node that
/// never became healthy counts as failed, and whether failed nodes may be replaced now.
/// </summary>
public static class HealthCheckPolicy
{
    /// <summary>A node still launching <c>nodeStartupTimeoutMinutes</c> after its launch has failed; 0 (or a disabled check) never times out.</summary>
    public static bool StartupTimedOut(HealthCheckSpec? check, PoolNode node, DateTimeOffset now)
    {
        var policy = ClusterSpecValidator.WithDefaults(check);
        return policy.Enabled == true && policy.NodeStartupTimeoutMinutes is > 0 and var minutes
            && node.State == NodeState.Launching && now - node.LaunchedAt >= TimeSpan.FromMinutes(minutes);
    }

    /// <summary>
    /// Whether failed nodes may be replaced: only while the pool's nodes that are not healthy number at most
    /// maxUnhealthy (a percent of the expected count, rounded down). More than that looks like a wider outage,
    /// where replacing nodes would make things worse, so remediation stops until it passes.
    /// </summary>
    public static bool MayRemediate(HealthCheckSpec? check, int expected, int healthy)
    {
        var policy = ClusterSpecValidator.WithDefaults(check);
        if (policy.Enabled != true)
            return false;
        var unhealthy = expected - healthy;
        return unhealthy <= policy.MaxUnhealthy!.Value.Resolve(expected, roundUp: false);
    }
}
