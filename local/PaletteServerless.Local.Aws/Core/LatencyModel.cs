namespace PaletteServerless.Local.Aws.Core;

/// <summary>
/// How long things take, from the times AWS documents for each life cycle, divided by the time scale.
/// Each delay has a name so a user can override it (<see cref="LocalAwsOptions.LatencyOverrides"/>).
/// </summary>
public sealed class LatencyModel(LocalAwsOptions options)
{
    /// <summary>A mutating API call: VPC, subnet, gateway, group, route table, address (about 1 s, synchronous).</summary>
    public const string MutatingCall = "MutatingCall";
    /// <summary>A Describe/Get/List call: answered at once.</summary>
    public const string ReadCall = "ReadCall";
    public const string NatGatewayAvailable = "NatGatewayAvailable";
    public const string NatGatewayDeleted = "NatGatewayDeleted";
    /// <summary>A NAT gateway that cannot be built reports <c>failed</c> after this long in <c>pending</c>.</summary>
    public const string NatGatewayFailed = "NatGatewayFailed";
    public const string LoadBalancerActive = "LoadBalancerActive";
    public const string InstanceRunning = "InstanceRunning";
    public const string InstanceTerminated = "InstanceTerminated";
    public const string InstanceStopped = "InstanceStopped";
    /// <summary>Status checks report <c>initializing</c> for this long after an instance starts running, then <c>ok</c>.</summary>
    public const string StatusChecksPassed = "StatusChecksPassed";
    /// <summary>A spot instance is terminated this long after its interruption warning (AWS: two minutes).</summary>
    public const string SpotInterruptionNotice = "SpotInterruptionNotice";
    /// <summary>A target turns healthy after two passing 5 s health checks (CAPA's API server target group).</summary>
    public const string TargetHealthy = "TargetHealthy";
    /// <summary>From running to the end of kubeadm init or join: cloud-init's packages, the kubelet, kubeadm (a join also waits for the API).</summary>
    public const string NodeBoot = "NodeBoot";
    /// <summary>From joined to the kubelet reporting the node Ready.</summary>
    public const string NodeReady = "NodeReady";
    /// <summary>First control plane: from Ready to its storage and addon packs installed.</summary>
    public const string PacksApplied = "PacksApplied";

    public static readonly IReadOnlyDictionary<string, TimeSpan> Defaults = new Dictionary<string, TimeSpan>
    {
        [MutatingCall] = TimeSpan.FromSeconds(1),
        [ReadCall] = TimeSpan.Zero,
        [NatGatewayAvailable] = TimeSpan.FromMinutes(2),
        [NatGatewayDeleted] = TimeSpan.FromMinutes(1),
        [NatGatewayFailed] = TimeSpan.FromSeconds(30),
        [LoadBalancerActive] = TimeSpan.FromMinutes(3),
        [InstanceRunning] = TimeSpan.FromSeconds(45),
        [InstanceTerminated] = TimeSpan.FromMinutes(1),
        [InstanceStopped] = TimeSpan.FromMinutes(1),
        [StatusChecksPassed] = TimeSpan.FromMinutes(2),
        [SpotInterruptionNotice] = TimeSpan.FromMinutes(2),
        [TargetHealthy] = TimeSpan.FromSeconds(10),
        [NodeBoot] = TimeSpan.FromSeconds(90),
        [NodeReady] = TimeSpan.FromSeconds(20),
        [PacksApplied] = TimeSpan.FromSeconds(40),
    };

    /// <summary>The scaled delay of <paramref name="name"/>; <paramref name="fallback"/> for names without a default.</summary>
    public TimeSpan Of(string name, TimeSpan? fallback = null)
    {
        var modelled = options.LatencyOverrides.TryGetValue(name, out var chosen) ? chosen
            : Defaults.TryGetValue(name, out var known) ? known
            : fallback ?? throw new ArgumentException($"No latency is modelled for '{name}'.", nameof(name));
        return Scale(modelled);
    }

    /// <summary>Divides a modelled duration by the time scale.</summary>
    public TimeSpan Scale(TimeSpan modelled) =>
        options.TimeScale > 0 ? TimeSpan.FromTicks((long)(modelled.Ticks / options.TimeScale)) : modelled;
}
