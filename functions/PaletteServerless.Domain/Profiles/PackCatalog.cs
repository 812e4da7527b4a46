namespace PaletteServerless.Domain.Profiles;

/// <summary>How a pack reaches a node or a cluster.</summary>
public abstract record PackInstall;

/// <summary>An OS pack: the machine image, found by owner and a name pattern (<c>{arch}</c> is amd64 or arm64).</summary>
public sealed record MachineImageInstall(string OwnerId, string NamePattern) : PackInstall;

/// <summary>
/// The Kubernetes pack: kubelet, kubeadm and kubectl from the community package repository of
/// one minor release (pkgs.k8s.io); kubeadm then runs the profile's exact patch version.
/// </summary>
public sealed record PackageRepositoryInstall(string AptRepository, string SigningKeyUrl) : PackInstall;

/// <summary>A manifest applied with <c>kubectl apply -f</c>, pinned to the release's own URL.</summary>
public sealed record ManifestInstall(string Url) : PackInstall;

/// <summary>A Helm chart at a pinned chart version, installed into <see cref="Namespace"/>.</summary>
public sealed record HelmChartInstall(string Repository, string Chart, string ChartVersion, string Namespace) : PackInstall;

/// <summary>
/// One version of one pack the product can install. <see cref="Version"/> is the version a
/// profile names; for the Kubernetes pack it is a minor release (<c>1.30</c>) and any patch of it
/// matches, every other pack matches its exact version only.
/// </summary>
public sealed record CatalogPack(string Layer, string Name, string Version, PackInstall Install, string DefaultValues)
{
    public bool MatchesAnyPatch => Layer == PackLayers.Kubernetes;
}

/// <summary>
/// The packs and versions this product supports: the one list profile validation, user data and
/// the docs read. Kubernetes is matched by minor release (a profile says <c>1.30.4</c> or
/// <c>v1.30.4</c>, the catalog lists <c>1.30</c>: the packages of that minor release are installed
/// and kubeadm is pinned to the patch); every other pack is matched on its exact version, since
/// each installs a pinned manifest or chart.
/// </summary>
public static class PackCatalog
{
    private const string CanonicalOwnerId = "099720109477";

    public static readonly IReadOnlyList<CatalogPack> Packs =
    [
        Os("22.04", "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-{arch}-server-*"),
        Os("24.04", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-{arch}-server-*"),

        Kubernetes("1.29"),
        Kubernetes("1.30"),
        Kubernetes("1.31"),

        Calico("3.26.4"),
        Calico("3.27.0"),
        Calico("3.27.3"),
        Calico("3.28.0"),

        Cilium("1.14.10"),
        Cilium("1.15.3"),
        Cilium("1.15.6"),
        Cilium("1.16.0"),

        // The driver's version is what a profile names; the chart of the same minor release ships it.
        EbsCsi("1.28.0", "2.28.0"),
        EbsCsi("1.30.0", "2.30.0"),
        EbsCsi("1.32.0", "2.32.0"),

        new(PackLayers.Addon, "nginx", "4.10.0",
            new HelmChartInstall("https://kubernetes.github.io/ingress-nginx", "ingress-nginx", "4.10.0", "ingress-nginx"),
            "controller:\n  service:\n    type: LoadBalancer\n"),
        new(PackLayers.Addon, "nginx", "4.11.0",
            new HelmChartInstall("https://kubernetes.github.io/ingress-nginx", "ingress-nginx", "4.11.0", "ingress-nginx"),
            "controller:\n  service:\n    type: LoadBalancer\n"),
        new(PackLayers.Addon, "metrics-server", "3.12.1",
            new HelmChartInstall("https://kubernetes-sigs.github.io/metrics-server/", "metrics-server", "3.12.1", "kube-system"),
            "args:\n  - --kubelet-preferred-address-types=InternalIP\n"),
    ];

    /// <summary>The catalog entry a profile's pack names, or null when the catalog has none.</summary>
    public static CatalogPack? Find(string name, string version)
    {
        var plain = version.StartsWith('v') ? version[1..] : version;
        foreach (var pack in Packs)
        {
            if (pack.Name != name)
                continue;
            if (pack.MatchesAnyPatch
                    ? KubernetesVersion.IsValid(version) && MinorOf(plain) == pack.Version
                    : pack.Version == version)
            {
                return pack;
            }
        }
        return null;
    }

    /// <summary>Every pack name, in catalog order.</summary>
    public static IReadOnlyList<string> Names => [.. Packs.Select(p => p.Name).Distinct(StringComparer.Ordinal)];

    /// <summary>The versions of <paramref name="name"/> as a profile may write them (<c>1.30.x</c> for Kubernetes).</summary>
    public static IReadOnlyList<string> VersionsOf(string name) =>
        [.. Packs.Where(p => p.Name == name).Select(p => p.MatchesAnyPatch ? p.Version + ".x" : p.Version)];

    private static string MinorOf(string version) => string.Join('.', version.Split('.').Take(2));

    private static CatalogPack Os(string release, string namePattern) =>
        new(PackLayers.Os, "ubuntu", release, new MachineImageInstall(CanonicalOwnerId, namePattern), "");

    private static CatalogPack Kubernetes(string minor) =>
        new(PackLayers.Kubernetes, "kubernetes", minor,
            new PackageRepositoryInstall($"https://pkgs.k8s.io/core:/stable:/v{minor}/deb/", $"https://pkgs.k8s.io/core:/stable:/v{minor}/deb/Release.key"),
            "podCIDR: 192.168.0.0/16\nserviceCIDR: 10.96.0.0/12\n");

    private static CatalogPack Calico(string version) =>
        new(PackLayers.Network, "calico", version,
            new ManifestInstall($"https://raw.githubusercontent.com/projectcalico/calico/v{version}/manifests/calico.yaml"),
            "mtu: 1440\n");

    private static CatalogPack Cilium(string version) =>
        new(PackLayers.Network, "cilium", version,
            new HelmChartInstall("https://helm.cilium.io/", "cilium", version, "kube-system"),
            "ipam:\n  mode: kubernetes\nkubeProxyReplacement: false\n");

    private static CatalogPack EbsCsi(string driverVersion, string chartVersion) =>
        new(PackLayers.Storage, "aws-ebs-csi", driverVersion,
            new HelmChartInstall("https://kubernetes-sigs.github.io/aws-ebs-csi-driver", "aws-ebs-csi-driver", chartVersion, "kube-system"),
            "storageClass: gp3\n");
}
