namespace PaletteServerless.Local.Aws.Core;

/// <summary>Everything a user can choose about the local AWS; the host maps its command options onto it.</summary>
public sealed record LocalAwsOptions
{
    /// <summary>
    /// Divides every modelled delay (<c>--time-scale</c>): 60 makes a two-minute NAT gateway take two seconds.
    /// </summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>
    /// With a directory (<c>--data DIR</c>) the whole store is saved there after every mutating
    /// request (file <see cref="SnapshotFileName"/>, written atomically) and loaded at start.
    /// Without one the local AWS lives in memory.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>A fault profile JSON file (see <see cref="FaultProfile"/>); no file means no faults.</summary>
    public string? FaultProfilePath { get; init; }

    /// <summary>A profile given in code instead of a file (tests); wins over <see cref="FaultProfilePath"/>.</summary>
    public FaultProfile? FaultProfile { get; init; }

    /// <summary>Replaces the profile's seed, to replay a failing run with the seed it printed.</summary>
    public int? FaultSeed { get; init; }

    /// <summary>Replaces the profile's <see cref="Core.FaultProfile.SpotInterruptionRate"/> (<c>--spot-interruption-rate</c>).</summary>
    public double? SpotInterruptionRate { get; init; }

    /// <summary>Replaces the profile's <see cref="Core.FaultProfile.InstanceImpairmentRate"/> (<c>--impairment-rate</c>).</summary>
    public double? InstanceImpairmentRate { get; init; }

    /// <summary>Replaces the profile's <see cref="Core.FaultProfile.NodeNeverReportsRate"/> (<c>--node-never-reports-rate</c>).</summary>
    public double? NodeNeverReportsRate { get; init; }

    /// <summary>Replaces the profile's <see cref="Core.FaultProfile.PacksFailureRate"/> (<c>--packs-failure-rate</c>).</summary>
    public double? PacksFailureRate { get; init; }

    /// <summary>Switches on the EC2 API token buckets (Amazon EC2 API Reference, "Request throttling for the Amazon EC2 API") (off by default).</summary>
    public bool Throttling { get; init; }

    /// <summary>The token buckets refill per modelled second (their rates times <see cref="TimeScale"/> per real second), as the latency model's delays run; off: per real second.</summary>
    public bool ThrottlingInModelledTime { get; init; }

    /// <summary>Replaces modelled delays by name (see <see cref="LatencyModel"/>), before <see cref="TimeScale"/> applies.</summary>
    public IReadOnlyDictionary<string, TimeSpan> LatencyOverrides { get; init; } = new Dictionary<string, TimeSpan>();

    /// <summary>The on-demand standard vCPU quota (L-1216C47A) of every account and region.</summary>
    public int OnDemandVcpuQuota { get; init; } = 64;

    /// <summary>How long terminated instances and deleted gateways stay describable (AWS: about an hour), before TimeScale.</summary>
    public TimeSpan TerminalRetention { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The IAM instance profiles every account has. The local AWS keeps no IAM: the two profiles a
    /// product account has, the control-plane and worker profiles the CDK stacks make, are assumed present everywhere,
    /// as the target role is (Sts/StsRoles.cs); RunInstances refuses any other name as EC2 does.
    /// </summary>
    public IReadOnlySet<string> InstanceProfiles { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "PaletteServerlessControlPlane", "PaletteServerlessWorker" };

    public const string SnapshotFileName = "local-aws.json";
}
