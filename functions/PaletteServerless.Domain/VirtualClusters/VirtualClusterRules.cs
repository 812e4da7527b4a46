using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.VirtualClusters;

/// <summary>The pure rules of virtual clusters: names, when one may be created, and how an agent's report moves a record.</summary>
public static class VirtualClusterRules
{
    /// <summary>Helm's longest release name (53): the release is named after the virtual cluster.</summary>
    public const int MaxNameLength = 53;

    /// <summary>At most this many per host cluster (each is a control plane in the host: a bound, not a quota).</summary>
    public const int MaxPerCluster = 20;

    /// <summary>A DNS label of 1 to 53 characters (the release, its <c>vcluster-</c> namespace and the <c>vc-</c> secret are named after it); 400 naming <paramref name="field"/>.</summary>
    public static void ValidateName(string field, string? name)
    {
        var rules = new Rules();
        rules.DnsLabel(field, name, 1, MaxNameLength);
        rules.ThrowIfInvalid();
    }

    /// <summary>Whether the cluster's settings turn virtual clusters on.</summary>
    public static bool Enabled(ClusterSpec spec) => spec.Settings?.VirtualClusters?.Enabled == true;

    /// <summary>Why a virtual cluster cannot be created in <paramref name="cluster"/> now (409), or null.</summary>
    public static string? CannotCreate(Cluster cluster, ClusterProfile? profile, int existing)
    {
        if (cluster.Status is not (ClusterStatus.Running or ClusterStatus.Updating))
            return $"cluster '{cluster.Name}' is {cluster.Status}: virtual clusters are created while it is Running or Updating";
        if (!Enabled(cluster.Spec))
            return $"cluster '{cluster.Name}' has settings.virtualClusters.enabled off: turn it on (PATCH the cluster) to create virtual clusters";
        var kubernetes = profile?.PackOfLayer(PackLayers.Kubernetes)?.Version;
        var chart = VirtualClusterChart.Pinned;
        if (kubernetes is null || !chart.SupportsHost(kubernetes))
            return $"cluster '{cluster.Name}' runs Kubernetes {kubernetes ?? "unknown"}; vcluster {chart.Version} supports host Kubernetes {chart.OldestHostMinor} to {chart.NewestHostMinor}";
        if (existing >= MaxPerCluster)
            return $"cluster '{cluster.Name}' has {existing} virtual clusters, the most one cluster may have";
        return null;
    }

    /// <summary>
    /// A change that turns <c>settings.virtualClusters.enabled</c> off while virtual clusters exist (whatever their
    /// status, Deleting included: they are still in the cluster) is a 409 naming them.
    /// </summary>
    public static void DemandNoneWhenOff(ClusterSpec current, ClusterSpec next, IReadOnlyList<VirtualCluster> existing)
    {
        if (Enabled(next) || existing.Count == 0)
            return;
        var names = string.Join(", ", existing.Select(v => $"{v.Name} ({v.Status})"));
        throw new ConflictException(
            $"settings.virtualClusters.enabled cannot be turned off while the cluster has virtual clusters: {names}; delete them first");
    }

    /// <summary>
    /// The record after the agent's report: Running or Failed as reported (a Deleting record stays Deleting until the
    /// agent reports it Deleted, or its report parameter is gone); null when it is gone (Deleting, reported Deleted).
    /// No report leaves the record as it is.
    /// </summary>
    public static VirtualCluster? Observe(VirtualCluster record, VirtualClusterReport? report, DateTimeOffset now)
    {
        if (record.Status == VirtualClusterStatus.Deleting)
            return report is null || report.Status == VirtualClusterStatus.Deleted ? null : record;
        return report?.Status switch
        {
            VirtualClusterStatus.Running when record.Status != VirtualClusterStatus.Running =>
                record with { Status = VirtualClusterStatus.Running, StatusReason = "the vcluster release is deployed and its kubeconfig published", UpdatedAt = now },
            VirtualClusterStatus.Failed when record.Status != VirtualClusterStatus.Failed || record.StatusReason != report.Message =>
                record with { Status = VirtualClusterStatus.Failed, StatusReason = report.Message ?? "the in-cluster agent could not install it", UpdatedAt = now },
            _ => record,
        };
    }
}
