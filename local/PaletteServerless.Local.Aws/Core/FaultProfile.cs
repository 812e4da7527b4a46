using System.Text.Json;
using System.Text.Json.Serialization;

namespace PaletteServerless.Local.Aws.Core;

/// <summary>
/// Faults to inject, read from a JSON file such as:
/// <code>
/// {
///   "seed": 42,
///   "operations": {
///     "*":             { "InternalError": 0.01 },
///     "RunInstances":  { "InsufficientInstanceCapacity": 0.2, "ServiceUnavailable": 0.05 },
///     "DescribeVpcs":  { "RequestLimitExceeded": 0.1 }
///   },
///   "natGatewayFailureRate": 0.25,
///   "natGatewayFailureCode": "InsufficientFreeAddressesInSubnet",
///   "eventualConsistencySeconds": 5,
///   "spotInterruptionRate": 0.01,
///   "instanceImpairmentRate": 0.005,
///   "nodeNeverReportsRate": 0.05,
///   "packsFailureRate": 0.1
/// }
/// </code>
/// Rates are probabilities per request; <c>"*"</c> applies to every operation without its own entry
/// for that fault. Request-level faults: <c>InternalError</c> (500), <c>ServiceUnavailable</c> (503),
/// <c>RequestLimitExceeded</c> (the service's throttling code). Service faults: EC2 reads
/// <c>InsufficientInstanceCapacity</c> on RunInstances. A NAT gateway fails (state <c>failed</c>,
/// the failure code given) with <c>natGatewayFailureRate</c>. For <c>eventualConsistencySeconds</c>
/// (modelled, divided by the time scale) after its creation, a new id is still NotFound to
/// Describe calls that name it. Every modelled minute (divided by the time scale), each running
/// spot instance is interrupted with <c>spotInterruptionRate</c> (the warning, then termination two
/// modelled minutes later) and each running instance's system status check turns impaired with
/// <c>instanceImpairmentRate</c>. A booted node whose user data would work never reports a phase with
/// <c>nodeNeverReportsRate</c> (as if it hung in cloud-init); a first control plane reports PacksFailed,
/// naming its first pack, with <c>packsFailureRate</c> (see <c>Ec2/Nodes/NodeAgent.cs</c>). All draws come from one <see cref="Random"/> seeded with <c>seed</c>.
/// </summary>
public sealed record FaultProfile
{
    public int Seed { get; init; }
    public Dictionary<string, Dictionary<string, double>> Operations { get; init; } = [];
    public double NatGatewayFailureRate { get; init; }
    public string NatGatewayFailureCode { get; init; } = "InsufficientFreeAddressesInSubnet";
    public double EventualConsistencySeconds { get; init; }
    public double NodeNeverReportsRate { get; init; }
    public double PacksFailureRate { get; init; }

    /// <summary>The chance per running spot instance per modelled minute that EC2 interrupts it.</summary>
    public double SpotInterruptionRate { get; init; }

    /// <summary>The chance per running instance per modelled minute that its system status check fails.</summary>
    public double InstanceImpairmentRate { get; init; }

    public static FaultProfile Load(string path) =>
        JsonSerializer.Deserialize<FaultProfile>(File.ReadAllBytes(path), FileJson)
        ?? throw new InvalidDataException($"The fault profile {Path.GetFileName(path)} is empty.");

    public static readonly JsonSerializerOptions FileJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}

/// <summary>Draws faults from a profile with one seeded generator, so a run can be replayed.</summary>
public sealed class FaultInjector
{
    public const string InternalError = "InternalError";
    public const string ServiceUnavailable = "ServiceUnavailable";
    public const string RequestLimitExceeded = "RequestLimitExceeded";
    public const string InsufficientInstanceCapacity = "InsufficientInstanceCapacity";

    private readonly Random _random;
    private readonly Lock _sync = new();

    public FaultInjector(FaultProfile? profile, int? seedOverride)
    {
        Profile = profile ?? new FaultProfile();
        Seed = seedOverride ?? Profile.Seed;
        _random = new Random(Seed);
    }

    public FaultProfile Profile { get; }
    public int Seed { get; }
    public bool IsActive => Profile.Operations.Count > 0 || Profile.NatGatewayFailureRate > 0 || Profile.EventualConsistencySeconds > 0
        || Profile.SpotInterruptionRate > 0 || Profile.InstanceImpairmentRate > 0
        || Profile.NodeNeverReportsRate > 0 || Profile.PacksFailureRate > 0;

    /// <summary>True when <paramref name="fault"/> strikes this call of <paramref name="operation"/>.</summary>
    public bool Strikes(string operation, string fault)
    {
        var rate = RateOf(operation, fault);
        return rate > 0 && Draw() < rate;
    }

    /// <summary>True when a new NAT gateway is to end <c>failed</c>.</summary>
    public bool NatGatewayFails() => Profile.NatGatewayFailureRate > 0 && Draw() < Profile.NatGatewayFailureRate;

    /// <summary>True with probability <paramref name="rate"/> (0 never draws, so a profile without the fault keeps its sequence).</summary>
    public bool Chance(double rate) => rate > 0 && Draw() < rate;

    /// <summary>True when a booted node is never to report a phase.</summary>
    public bool NodeNeverReports() => Profile.NodeNeverReportsRate > 0 && Draw() < Profile.NodeNeverReportsRate;

    /// <summary>True when a first control plane's packs are to fail.</summary>
    public bool PacksFail() => Profile.PacksFailureRate > 0 && Draw() < Profile.PacksFailureRate;

    private double RateOf(string operation, string fault)
    {
        if (Profile.Operations.TryGetValue(operation, out var own) && own.TryGetValue(fault, out var rate))
            return rate;
        return Profile.Operations.TryGetValue("*", out var every) && every.TryGetValue(fault, out var common) ? common : 0;
    }

    private double Draw()
    {
        lock (_sync)
            return _random.NextDouble();
    }
}
