namespace PaletteServerless.Domain.Profiles;

/// <summary>
/// The vcluster chart the in-cluster agent installs once per virtual cluster (one Helm release in its own
/// namespace, as <c>vcluster create</c> does), pinned beside the packs of <see cref="PackCatalog"/>: its upstream
/// version, where it comes from, and the host Kubernetes minors vCluster's compatibility matrix lists for it.
/// vcluster has no cluster-wide component: with <c>settings.virtualClusters.enabled</c> and no virtual cluster,
/// nothing is installed.
/// </summary>
/// <param name="Version">vCluster's release (the chart's version and appVersion are the same).</param>
/// <param name="Source">Where the release is published.</param>
public sealed record VirtualClusterChart(string Repository, string Chart, string Version, string Source, string OldestHostMinor, string NewestHostMinor)
{
    /// <summary>The one pinned release (loft-sh/vcluster v0.26.0; its docs' compatibility matrix: host Kubernetes 1.31 to 1.33).</summary>
    public static readonly VirtualClusterChart Pinned = new(
        "https://charts.loft.sh", "vcluster", "0.26.0", "https://github.com/loft-sh/vcluster/releases/tag/v0.26.0", "1.31", "1.33");

    /// <summary>The namespace of a virtual cluster's release (the vcluster CLI's default: <c>vcluster-&lt;name&gt;</c>).</summary>
    public static string NamespaceOf(string name) => "vcluster-" + name;

    /// <summary>The secret vcluster writes its kubeconfig to in that namespace (key <c>config</c>).</summary>
    public static string KubeconfigSecretOf(string name) => "vc-" + name;

    /// <summary>Whether the chart runs on a host of Kubernetes <paramref name="version"/> (1.32.4, v1.32.4 or 1.32).</summary>
    public bool SupportsHost(string version)
    {
        var minor = PackCatalog.MinorOf(version);
        return KubernetesVersion.CompareMinor(OldestHostMinor, minor) <= 0 && KubernetesVersion.CompareMinor(minor, NewestHostMinor) <= 0;
    }
}
