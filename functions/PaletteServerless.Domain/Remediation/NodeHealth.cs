using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Remediation;

/// <summary>
/// What the health check knows of one recorded node: EC2's view of its instance (state, status checks), what the
/// node reported of itself (<see cref="NodePhases"/>), and what the product marked on its inventory record.
/// </summary>
public sealed record NodeObservation
{
    public required string InstanceId { get; init; }
    public required string Pool { get; init; }
    public required string Zone { get; init; }
    public required DateTimeOffset LaunchedAt { get; init; }
    /// <summary>EC2's state name (pending, running, stopping, stopped, shutting-down, terminated); null when EC2 no longer knows the instance.</summary>
    public string? InstanceState { get; init; }
    /// <summary>DescribeInstanceStatus reports the instance or the system status check impaired.</summary>
    public bool Impaired { get; init; }
    /// <summary>The node's own <see cref="NodePhases.TagKey"/> tag.</summary>
    public string? NodePhase { get; init; }
    /// <summary>EC2 announced a spot interruption (the two-minute warning): the node is about to go.</summary>
    public bool SpotInterrupted { get; init; }
    /// <summary>The product marked the node for termination (an update or a remediation): no longer a member of its pool.</summary>
    public bool Retiring { get; init; }
}

/// <summary>Why a node counts as failed.</summary>
public enum UnhealthyReason
{
    /// <summary>Terminated, shutting down, or no longer known to EC2.</summary>
    Gone,
    /// <summary>Stopping or stopped.</summary>
    Stopped,
    /// <summary>Failing EC2's instance or system status check.</summary>
    Impaired,
    /// <summary>A spot instance EC2 is reclaiming.</summary>
    SpotInterrupted,
    /// <summary>Never reported Ready within nodeStartupTimeoutMinutes.</summary>
    StartupTimedOut,
}

/// <summary>The health of one node, as the health check judges it.</summary>
public enum NodeHealthState
{
    Healthy,
    /// <summary>Running, not yet Ready, within its startup timeout.</summary>
    Starting,
    Unhealthy,
}

public static class NodeHealth
{
    /// <summary>Judges one node; <paramref name="reason"/> says why when it is unhealthy.</summary>
    public static NodeHealthState Assess(NodeObservation node, HealthCheckSpec? check, DateTimeOffset now, out UnhealthyReason reason)
    {
        reason = default;
        // A warned spot node keeps its reason once EC2 has reclaimed it: the judgement may come after the two-minute
        // notice, and "gone" would hide why. A one-time spot instance is never stopped by an interruption.
        UnhealthyReason? failed = node.InstanceState switch
        {
            _ when node.SpotInterrupted && node.InstanceState is not ("stopping" or "stopped") => UnhealthyReason.SpotInterrupted,
            null or "terminated" or "shutting-down" => UnhealthyReason.Gone,
            "stopping" or "stopped" => UnhealthyReason.Stopped,
            _ when node.Impaired => UnhealthyReason.Impaired,
            _ => null,
        };
        if (failed is { } found)
        {
            reason = found;
            return NodeHealthState.Unhealthy;
        }
        if (NodePhases.IsReady(node.NodePhase))
            return NodeHealthState.Healthy;
        var launching = new PoolNode(node.InstanceId, node.Pool, node.Zone, node.LaunchedAt, "", NodeState.Launching);
        if (HealthCheckPolicy.StartupTimedOut(check, launching, now))
        {
            reason = UnhealthyReason.StartupTimedOut;
            return NodeHealthState.Unhealthy;
        }
        return NodeHealthState.Starting;
    }

    /// <summary>How a reason reads in a condition or an event.</summary>
    public static string Describe(UnhealthyReason reason, HealthCheckSpec? check) => reason switch
    {
        UnhealthyReason.Gone => "its instance is gone (terminated or no longer known to EC2)",
        UnhealthyReason.Stopped => "its instance stopped",
        UnhealthyReason.Impaired => "its instance fails EC2's status checks",
        UnhealthyReason.SpotInterrupted => "EC2 is reclaiming its spot instance",
        _ => $"it did not report Ready within {ClusterSpecValidator.WithDefaults(check).NodeStartupTimeoutMinutes} minute(s) of its launch",
    };
}
