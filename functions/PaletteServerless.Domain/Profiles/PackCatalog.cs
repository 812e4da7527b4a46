namespace PaletteServerless.Domain.Profiles;

/// <summary>How a pack reaches a node or a cluster.</summary>
public abstract record PackInstall;

/// <summary>An OS pack: the machine image, found by owner and a name pattern (<c>{arch}</c> is amd64 or arm64).</summary>
public sealed record MachineImageInstall(string OwnerId, string NamePattern) : PackInstall;

/// <summary>
/// The Kubernetes pack: kubelet, kubeadm and kubectl from the community package repository of
/// one minor release (pkgs.k8s.io); kubeadm then runs the profile's exact patch version.
/// <see cref="PauseImage"/> is the sandbox image kubeadm of that minor expects (its constants'
/// PauseVersion): containerd must use the same one, or kubeadm's preflight warns and the kubelet
/// and containerd disagree about which image keeps a pod's namespaces.
/// </summary>
public sealed record PackageRepositoryInstall(string AptRepository, string SigningKeyUrl, string PauseImage) : PackInstall;

/// <summary>A manifest applied with <c>kubectl apply -f</c>, pinned to the release's own URL.</summary>
public sealed record ManifestInstall(string Url) : PackInstall;

/// <summary>A Helm chart at a pinned chart version, installed into <see cref="Namespace"/>.</summary>
public sealed record HelmChartInstall(string Repository, string Chart, string ChartVersion, string Namespace) : PackInstall;

/// <summary>
/// One version of one pack the product can install. <see cref="Version"/> is the version a
/// profile names; for the Kubernetes pack it is a minor release (<c>1.30</c>) and any patch of it
/// matches, every other pack matches its exact version only.
/// </summary>
/// <param name="KubernetesMinor">For a pack every profile implies (<see cref="PackLayers.Cloud"/>): the Kubernetes minor release it belongs to.</param>
/// <param name="SupportedMinors">For a network or storage pack: the oldest and newest Kubernetes minor its compatibility matrix lists, or null when not checked.</param>
public sealed record CatalogPack(
    string Layer, string Name, string Version, PackInstall Install, string DefaultValues, string? KubernetesMinor = null,
    (string Oldest, string Newest)? SupportedMinors = null)
{
    public bool MatchesAnyPatch => Layer == PackLayers.Kubernetes;

    /// <summary>Whether the pack supports Kubernetes <paramref name="minor"/> (1.31): always, when its catalog entry states no range.</summary>
    public bool Supports(string minor) => SupportedMinors is not { } range
        || (KubernetesVersion.CompareMinor(range.Oldest, minor) <= 0 && KubernetesVersion.CompareMinor(minor, range.Newest) <= 0);
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
        // Canonical's LTS releases, by version and codename, under the volume type Canonical publishes them with:
        // 24.04 images only under hvm-ssd-gp3.
        Os("22.04", "jammy", "hvm-ssd"),
        Os("24.04", "noble", "hvm-ssd-gp3"),

        // The pause image is kubeadm's constants.PauseVersion of each minor (3.9 until 1.30, 3.10 from 1.31,
        // 3.10.1 from 1.34). 1.30 and 1.31 are past upstream end of life: kept so clusters on them can upgrade.
        Kubernetes("1.30", "registry.k8s.io/pause:3.9"),
        Kubernetes("1.31", "registry.k8s.io/pause:3.10"),
        Kubernetes("1.32", "registry.k8s.io/pause:3.10"),
        Kubernetes("1.33", "registry.k8s.io/pause:3.10"),
        Kubernetes("1.34", "registry.k8s.io/pause:3.10.1"),

        // cloud-provider-aws releases one controller per Kubernetes minor, its minor the same as Kubernetes'
        // (the newest patch tag of each); chart 0.0.8 takes the controller's image tag, which pins the release.
        CloudControllerManager("1.30", "1.30.10", "0.0.8"),
        CloudControllerManager("1.31", "1.31.9", "0.0.8"),
        CloudControllerManager("1.32", "1.32.8", "0.0.8"),
        CloudControllerManager("1.33", "1.33.4", "0.0.8"),
        CloudControllerManager("1.34", "1.34.3", "0.0.8"),

        // Older releases, kept for the profiles that name them (their support is not checked).
        Calico("3.26.4"),
        Calico("3.27.0"),
        Calico("3.27.3"),
        Calico("3.28.0"),
        // Calico's system requirements: the Kubernetes minors each release is tested against.
        Calico("3.29.0", "1.29", "1.32"),
        Calico("3.30.0", "1.30", "1.33"),
        Calico("3.31.3", "1.32", "1.35"),

        Cilium("1.14.10"),
        Cilium("1.15.3"),
        Cilium("1.15.6"),
        Cilium("1.16.0"),

        // The driver's version is what a profile names; the chart of the same minor release ships it.
        EbsCsi("1.28.0", "2.28.0"),
        EbsCsi("1.30.0", "2.30.0"),
        EbsCsi("1.32.0", "2.32.0"),
        // The driver supports every Kubernetes minor the project supports at its release.
        EbsCsi("1.40.0", "2.40.0"),
        EbsCsi("1.48.0", "2.48.0"),
        EbsCsi("1.54.0", "2.54.0"),

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

    /// <summary>Every pack name a profile may name, in catalog order.</summary>
    public static IReadOnlyList<string> Names => [.. Packs.Where(p => p.KubernetesMinor is null).Select(p => p.Name).Distinct(StringComparer.Ordinal)];

    /// <summary>The name of the AWS cloud controller manager pack (cloud-provider-aws), which every profile implies.</summary>
    public const string CloudControllerManagerName = "aws-cloud-controller-manager";

    /// <summary>
    /// The packs every cluster gets whatever its profile names, for the profile's Kubernetes version:
    /// the kubelets run with <c>cloud-provider: external</c>, so without the AWS cloud controller
    /// manager no node loses its <c>uninitialized</c> taint and no LoadBalancer Service gets a load balancer.
    /// Empty when the profile's Kubernetes version has none (profile validation refuses such a version).
    /// </summary>
    public static IReadOnlyList<CatalogPack> ImpliedBy(string kubernetesVersion)
    {
        var plain = kubernetesVersion.StartsWith('v') ? kubernetesVersion[1..] : kubernetesVersion;
        return [.. Packs.Where(p => p.KubernetesMinor is { } minor && minor == MinorOf(plain))];
    }

    /// <summary>The sandbox (pause) image of a Kubernetes version's minor, or null when the catalog has no such minor.</summary>
    public static string? PauseImageOf(string kubernetesVersion) =>
        (Find("kubernetes", kubernetesVersion)?.Install as PackageRepositoryInstall)?.PauseImage;

    /// <summary>
    /// The label of each network pack's node agent pod (in kube-system): the pod whose readiness says the
    /// node's pod network works (the upstream manifests' and charts' own labels).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NetworkAgentSelectors = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["calico"] = "k8s-app=calico-node",
        ["cilium"] = "k8s-app=cilium",
    };

    /// <summary>The versions of <paramref name="name"/> as a profile may write them (<c>1.30.x</c> for Kubernetes).</summary>
    public static IReadOnlyList<string> VersionsOf(string name) =>
        [.. Packs.Where(p => p.Name == name).Select(p => p.MatchesAnyPatch ? p.Version + ".x" : p.Version)];

    /// <summary>The minor release (1.31) of a Kubernetes version (1.31.2 or v1.31.2).</summary>
    public static string MinorOf(string version) => string.Join('.', version.TrimStart('v').Split('.').Take(2));

    /// <summary>Every Kubernetes minor of the catalog, oldest first.</summary>
    public static IReadOnlyList<string> KubernetesMinors =>
        [.. Packs.Where(p => p.Layer == PackLayers.Kubernetes).Select(p => p.Version).OrderBy(v => v, Comparer<string>.Create(KubernetesVersion.CompareMinor))];

    /// <summary>
    /// An Ubuntu release, found as Canonical names its server images on EC2:
    /// <c>ubuntu/images/&lt;virtualization&gt;-&lt;volume&gt;/ubuntu-&lt;codename&gt;-&lt;version&gt;-&lt;arch&gt;-server-&lt;serial&gt;</c>,
    /// the newest serial being the newest build.
    /// </summary>
    private static CatalogPack Os(string version, string codename, string imageFolder) =>
        new(PackLayers.Os, "ubuntu", version,
            new MachineImageInstall(CanonicalOwnerId, $"ubuntu/images/{imageFolder}/ubuntu-{codename}-{version}-{{arch}}-server-*"), "");

    private static CatalogPack Kubernetes(string minor, string pauseImage) =>
        new(PackLayers.Kubernetes, "kubernetes", minor,
            new PackageRepositoryInstall($"https://pkgs.k8s.io/core:/stable:/v{minor}/deb/", $"https://pkgs.k8s.io/core:/stable:/v{minor}/deb/Release.key", pauseImage),
            "podCIDR: 192.168.0.0/16\nserviceCIDR: 10.96.0.0/12\n");

    // It runs before any pod network exists, so on the host network, and it must tolerate the taints of a
    // node that is not ready yet and not initialized (it is what initializes it). The cluster name is added
    // per cluster (it scopes the kubernetes.io/cluster/<name> tags the controller reads and writes).
    private static CatalogPack CloudControllerManager(string minor, string release, string chartVersion) =>
        new(PackLayers.Cloud, CloudControllerManagerName, release,
            new HelmChartInstall("https://kubernetes.github.io/cloud-provider-aws", "aws-cloud-controller-manager", chartVersion, "kube-system"),
            $"""
            image:
              tag: v{release}
            args:
              - --v=2
              - --cloud-provider=aws
              - --configure-cloud-routes=false
            hostNetworking: true
            nodeSelector:
              node-role.kubernetes.io/control-plane: ""
            tolerations:
              - key: node.cloudprovider.kubernetes.io/uninitialized
                value: "true"
                effect: NoSchedule
              - key: node-role.kubernetes.io/control-plane
                effect: NoSchedule
              - key: node.kubernetes.io/not-ready
                effect: NoSchedule

            """,
            minor);

    private static CatalogPack Calico(string version, string? oldest = null, string? newest = null) =>
        new(PackLayers.Network, "calico", version,
            new ManifestInstall($"https://raw.githubusercontent.com/projectcalico/calico/v{version}/manifests/calico.yaml"),
            "mtu: 1440\n", SupportedMinors: oldest is null ? null : (oldest, newest!));

    private static CatalogPack Cilium(string version) =>
        new(PackLayers.Network, "cilium", version,
            new HelmChartInstall("https://helm.cilium.io/", "cilium", version, "kube-system"),
            "ipam:\n  mode: kubernetes\nkubeProxyReplacement: false\n");

    private static CatalogPack EbsCsi(string driverVersion, string chartVersion) =>
        new(PackLayers.Storage, "aws-ebs-csi", driverVersion,
            new HelmChartInstall("https://kubernetes-sigs.github.io/aws-ebs-csi-driver", "aws-ebs-csi-driver", chartVersion, "kube-system"),
            "storageClass: gp3\n");
}
