namespace PaletteServerless.Domain.Profiles;

/// <summary>
/// The charts the settings page installs (not a profile's packs: a setting turns them on), pinned beside the
/// catalog's with their upstream sources. Velero: the vmware-tanzu chart (https://vmware-tanzu.github.io/helm-charts,
/// chart <c>velero</c>) with the AWS object store plugin as an init container, as Velero's AWS plugin documents it.
/// </summary>
public static class SettingsPacks
{
    /// <summary>The layer the settings' packs show under in the desired state.</summary>
    public const string Layer = "settings";

    public static readonly CatalogPack Velero = new(Layer, "velero", "1.16.2",
        new HelmChartInstall("https://vmware-tanzu.github.io/helm-charts", "velero", "10.0.8", "velero"), "");

    /// <summary>velero-plugin-for-aws of the same release line (the plugin's compatibility table pairs v1.12 with Velero 1.16).</summary>
    public const string VeleroAwsPlugin = "velero/velero-plugin-for-aws:v1.12.2";

    /// <summary>
    /// kube-bench (https://github.com/aquasecurity/kube-bench), run as a Job per node role with the host's paths mounted
    /// read-only, as its job.yaml lays out; it picks the CIS benchmark version from the cluster's Kubernetes version.
    /// </summary>
    public const string KubeBenchImage = "docker.io/aquasec/kube-bench:v0.10.7";

    public static readonly IReadOnlyList<CatalogPack> All = [Velero];
}
