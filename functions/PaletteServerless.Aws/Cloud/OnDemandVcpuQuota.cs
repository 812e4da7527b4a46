using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Clusters;
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

    public static async Task<string?> CheckAsync(IAmazonEC2 ec2, IServiceQuotasClient quotas, ClusterPlan plan, CancellationToken ct)
    {
        var planned = plan.Instances
            .Where(i => i.CapacityType == CapacityTypes.OnDemand && IsStandard(i.InstanceType))
            .Select(i => i.InstanceType).ToList();
        if (planned.Count == 0)
            return null;

        double quota;
        try
        {
            quota = (await quotas.GetServiceQuotaAsync(ServiceCode, QuotaCode, ct).ConfigureAwait(false)).Quota?.Value
                ?? throw new AwsServiceException("NoSuchResourceException", "no quota value", System.Net.HttpStatusCode.OK, null);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "NoSuchResourceException")
        {
            // Service Quotas has no applied value for this account and region: RunInstances still enforces it.
            return null;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "AccessDeniedException")
        {
            return $"cloudAccount: the role cannot read the on-demand vCPU quota {QuotaCode} (servicequotas:GetServiceQuota): {ex.ErrorCode}: {ex.ErrorMessage}";
        }

        var running = await RunningOnDemandStandardTypesAsync(ec2, ct).ConfigureAwait(false);
        var vcpus = await VcpusAsync(ec2, planned.Concat(running), ct).ConfigureAwait(false);
        return Problem(planned.Sum(t => vcpus[t]), running.Sum(t => vcpus[t]), quota);
    }

    /// <summary>The instance type of every pending or running on-demand instance of a standard family in the region.</summary>
    private static async Task<List<string>> RunningOnDemandStandardTypesAsync(IAmazonEC2 ec2, CancellationToken ct)
    {
        var types = new List<string>();
        string? token = null;
        do
        {
            var page = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
            {
                Filters = [new Filter("instance-state-name", ["pending", "running"])],
                NextToken = token,
            }, ct).ConfigureAwait(false);
            types.AddRange((page.Reservations ?? []).SelectMany(r => r.Instances ?? [])
                .Where(i => i.InstanceLifecycle is null || i.InstanceLifecycle.Value != "spot")
                .Select(i => i.InstanceType.Value)
                .Where(IsStandard));
            token = page.NextToken;
        }
        while (!string.IsNullOrEmpty(token));
        return types;
    }

    /// <summary>Instance type -> its default vCPUs, from DescribeInstanceTypes (at most 100 types a call).</summary>
    private static async Task<Dictionary<string, int>> VcpusAsync(IAmazonEC2 ec2, IEnumerable<string> instanceTypes, CancellationToken ct)
    {
        var vcpus = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var chunk in instanceTypes.Distinct(StringComparer.Ordinal).Chunk(100))
        {
            var response = await ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = [.. chunk] }, ct).ConfigureAwait(false);
            foreach (var type in response.InstanceTypes ?? [])
                vcpus[type.InstanceType.Value] = type.VCpuInfo?.DefaultVCpus ?? 0;
        }
        // A type EC2 does not describe is reported by the offerings check; it needs nothing here.
        foreach (var type in instanceTypes)
            vcpus.TryAdd(type, 0);
        return vcpus;
    }
}
