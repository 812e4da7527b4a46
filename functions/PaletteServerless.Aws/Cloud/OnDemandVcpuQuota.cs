using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// Preflight's check of EC2's vCPU quota for Running On-Demand Standard (A, C, D, H, I, M, R, T, Z)
/// instances (Service Quotas ec2 / L-1216C47A): the vCPUs the cluster's on-demand instances of those
/// families need must fit in the quota less what the region's running ones already use. Otherwise
/// RunInstances fails half-way with VcpuLimitExceeded. vCPU counts come from DescribeInstanceTypes.
/// </summary>
public static class OnDemandVcpuQuota
{
    public const string ServiceCode = "ec2";
    public const string QuotaCode = "L-1216C47A";

    // Families whose first letter is a standard one but that have quotas of their own (Inf, HPC, DL, Mac, Trn).
    private static readonly HashSet<string> OtherBuckets = new(StringComparer.OrdinalIgnoreCase) { "inf", "hpc", "dl", "mac", "trn" };

    /// <summary>Whether an instance type counts against L-1216C47A: its family (the letters before the generation) is A, C, D, H, I, M, R, T or Z.</summary>
    public static bool IsStandard(string instanceType)
    {
        var family = new string(instanceType.TakeWhile(char.IsLetter).ToArray());
        return family.Length > 0 && "acdhimrtz".Contains(char.ToLowerInvariant(family[0])) && !OtherBuckets.Contains(family);
    }

    /// <summary>The problem to report, or null when the cluster fits (or needs no on-demand standard vCPUs).</summary>
    public static string? Problem(int needed, int used, double quota)
    {
        var left = Math.Max(0, (int)Math.Floor(quota) - used);
        return needed <= left ? null
            : $"quota: needs {needed} vCPUs of on-demand standard instances, {left} of {quota:0.##} left (quota {QuotaCode}); ask AWS for a higher quota or use fewer or smaller on-demand instances";
    }

    public static async Task<string?> CheckAsync(IComputeCatalog catalog, ClusterPlan plan, CancellationToken ct)
    {
        var planned = plan.Instances
            .Where(i => i.CapacityType == CapacityTypes.OnDemand && IsStandard(i.InstanceType))
            .Select(i => i.InstanceType).ToList();
        if (planned.Count == 0)
            return null;

        double? quota;
        try
        {
            quota = await catalog.AppliedQuotaAsync(ServiceCode, QuotaCode, ct).ConfigureAwait(false);
        }
        catch (CloudServiceException ex) when (ex.Code == "AccessDeniedException")
        {
            return $"cloudAccount: the role cannot read the on-demand vCPU quota {QuotaCode} (servicequotas:GetServiceQuota): {ex.Code}: {ex.Message}";
        }
        // Service Quotas has no applied value for this account and region: RunInstances still enforces it.
        if (quota is not { } applied)
            return null;

        var running = (await catalog.RunningOnDemandTypesAsync(ct).ConfigureAwait(false)).Where(IsStandard).ToList();
        var vcpus = await VcpusAsync(catalog, planned.Concat(running), ct).ConfigureAwait(false);
        return Problem(planned.Sum(t => vcpus[t]), running.Sum(t => vcpus[t]), applied);
    }

    /// <summary>Instance type -> its default vCPUs.</summary>
    private static async Task<Dictionary<string, int>> VcpusAsync(IComputeCatalog catalog, IEnumerable<string> instanceTypes, CancellationToken ct)
    {
        var names = instanceTypes.Distinct(StringComparer.Ordinal).ToList();
        var vcpus = (await catalog.InstanceTypesAsync(names, ct).ConfigureAwait(false))
            .GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().DefaultVcpus, StringComparer.Ordinal);
        // A type EC2 does not describe is reported by the offerings check; it needs nothing here.
        foreach (var type in names)
            vcpus.TryAdd(type, 0);
        return vcpus;
    }
}
