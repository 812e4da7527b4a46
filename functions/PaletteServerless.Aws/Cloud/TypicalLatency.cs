namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// How long AWS typically takes for what a delete waits on (the latencies the local AWS models, README): a
/// teardown pass that starts one of these asks the workflow to wait that long before the next
/// pass, instead of polling at a fixed cadence; anything else is polled every <see cref="Poll"/>.
/// </summary>
public static class TypicalLatency
{
    /// <summary>An instance from shutting-down to terminated: about a minute (CAPA waits up to two).</summary>
    public static readonly TimeSpan InstanceTermination = TimeSpan.FromMinutes(1);

    /// <summary>A NAT gateway from deleting to deleted: about a minute.</summary>
    public static readonly TimeSpan NatGatewayDeletion = TimeSpan.FromMinutes(1);

    /// <summary>kOps' cadence: a pass every 10 s while nothing with a known latency is under way.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);
}
