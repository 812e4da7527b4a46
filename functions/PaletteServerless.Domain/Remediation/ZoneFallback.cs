namespace PaletteServerless.Domain.Remediation;

/// <summary>A zone where a launch of a pool's instance type found no capacity (or no spot capacity at the pool's price).</summary>
public sealed record CapacityShortage(string Pool, string Zone, string Error, DateTimeOffset At);

/// <summary>
/// Where a replacement is launched when capacity runs short: its own zone first, then the pool's other zones, and
/// zones that recently had no capacity for the pool last. The pool's spec fixes the zones and the capacity type;
/// nothing outside them is tried. A shortage is remembered for <see cref="Memory"/>, long enough that the next
/// periodic check does not walk into it first again.
/// </summary>
public static class ZoneFallback
{
    public static readonly TimeSpan Memory = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The error codes EC2 answers RunInstances with when it has no capacity to give (the EC2 API reference's error
    /// codes): another zone, or a later attempt, may have it; retrying at once will not.
    /// </summary>
    public static readonly IReadOnlySet<string> CapacityErrors = new HashSet<string>(StringComparer.Ordinal)
    {
        "InsufficientInstanceCapacity", "InsufficientHostCapacity", "InsufficientReservedInstanceCapacity", "InsufficientCapacity",
        "SpotMaxPriceTooLow", "MaxSpotInstanceCountExceeded", "InsufficientFreeAddressesInSubnet",
    };

    public static bool IsCapacityError(string? code) => code is not null && CapacityErrors.Contains(code);

    public static IReadOnlyList<string> Order(string pool, string preferred, IReadOnlyList<string> zones, IReadOnlyList<CapacityShortage> shortages, DateTimeOffset now)
    {
        var candidates = new List<string>();
        if (preferred.Length > 0)
            candidates.Add(preferred);
        candidates.AddRange(zones.Where(z => z != preferred));
        var recent = Recent(shortages, now).Where(s => s.Pool == pool).ToList();
        // Stable: zones without a recent shortage keep their order; short ones follow, the longest-ago first.
        return candidates
            .OrderBy(z => recent.Any(s => s.Zone == z) ? 1 : 0)
            .ThenBy(z => recent.Where(s => s.Zone == z).Select(s => s.At).DefaultIfEmpty(DateTimeOffset.MinValue).Max())
            .ToList();
    }

    /// <summary>The shortages still worth remembering, the latest per pool and zone.</summary>
    public static IReadOnlyList<CapacityShortage> Recent(IEnumerable<CapacityShortage> shortages, DateTimeOffset now) =>
        shortages.Where(s => now - s.At < Memory)
            .GroupBy(s => (s.Pool, s.Zone))
            .Select(g => g.MaxBy(s => s.At)!)
            .ToList();
}
