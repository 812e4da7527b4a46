using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// Approximate hourly list prices in USD (us-east-1, Linux, on-demand), for estimates shown to
/// users before they create and in leftover reports. They are estimates, labelled as such; the
/// AWS bill is the truth.
/// </summary>
public static class Prices
{
    public const decimal NatGatewayHour = 0.045m;
    public const decimal PublicIpv4Hour = 0.005m;
    public const decimal NetworkLoadBalancerHour = 0.0225m;
    /// <summary>gp3: $0.08 per GiB-month, 730 hours a month.</summary>
    public const decimal Gp3GiBHour = 0.08m / 730m;
    /// <summary>A spot price is typically well under on-demand; without a max price we estimate 35 %.</summary>
    public const decimal SpotFraction = 0.35m;

    private static readonly Dictionary<string, decimal> OnDemandHour = new(StringComparer.Ordinal)
    {
        ["t3.medium"] = 0.0416m, ["t3.large"] = 0.0832m, ["t3.xlarge"] = 0.1664m,
        ["m5.large"] = 0.096m, ["m5.xlarge"] = 0.192m, ["m5.2xlarge"] = 0.384m,
        ["m6i.large"] = 0.096m, ["m6i.xlarge"] = 0.192m, ["m6g.large"] = 0.077m,
        ["c5.large"] = 0.085m, ["c5.xlarge"] = 0.17m, ["r5.large"] = 0.126m,
        ["g4dn.xlarge"] = 0.526m, ["m3.large"] = 0.133m, ["g2.2xlarge"] = 0.65m,
    };

    /// <summary>The on-demand price of an instance type, or null when we do not know it.</summary>
    public static decimal? InstanceHour(string instanceType) => OnDemandHour.TryGetValue(instanceType, out var price) ? price : null;

    public static decimal? InstanceHour(InstancePlan instance)
    {
        var onDemand = InstanceHour(instance.InstanceType);
        if (instance.CapacityType != CapacityTypes.Spot)
            return onDemand;
        if (instance.MaxSpotPrice is { } max)
            return onDemand is { } od ? Math.Min(max, od) : max;
        return onDemand * SpotFraction;
    }

    public static decimal VolumeHour(int sizeGiB) => sizeGiB * Gp3GiBHour;
}
