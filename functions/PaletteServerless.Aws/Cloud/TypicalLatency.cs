namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// How long AWS and a booting node typically take for what a workflow waits on (the latencies the local AWS
/// models, README): a pass that starts one of these asks the workflow to wait that long before the next
/// pass, instead of polling at a fixed cadence; anything else is polled every <see cref="Poll"/>.
/// </summary>
public static class TypicalLatency
{
    /// <summary>An instance from shutting-down to terminated: about a minute (CAPA waits up to two).</summary>
    public static readonly TimeSpan InstanceTermination = TimeSpan.FromMinutes(1);

    /// <summary>A NAT gateway from deleting to deleted: about a minute.</summary>
    public static readonly TimeSpan NatGatewayDeletion = TimeSpan.FromMinutes(1);

    /// <summary>An instance from RunInstances to running: 30-60 s.</summary>
    public static readonly TimeSpan InstanceStart = TimeSpan.FromSeconds(45);

    /// <summary>A running node until it reports Ready: cloud-init's packages, kubeadm init or join, the kubelet's Ready.</summary>
    public static readonly TimeSpan NodeBoot = TimeSpan.FromSeconds(110);

    /// <summary>kOps' cadence: a pass every 10 s while nothing with a known latency is under way.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);
}
