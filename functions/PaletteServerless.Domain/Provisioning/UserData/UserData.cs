using System.Text;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// The cloud-init user data of a node. Files, then commands:
/// <see cref="NodeEnv.Path"/> (the node's values, as data), containerd's configuration, kubeadm's
/// configuration template, the node's scripts, and on the first control plane the pack values and the
/// RBAC manifest; then runcmd installs containerd and the Kubernetes packages, restarts containerd with
/// its configuration, fetches the secrets, runs kubeadm init (first control plane) or join, reports
/// Joined, and either installs the packs (first control plane) or checks the node and reports Ready.
/// </summary>
public static class UserData
{
    private static readonly ISerializer Yaml = new SerializerBuilder().DisableAliases().Build();
    private static readonly IDeserializer YamlReader = new DeserializerBuilder().Build();

    // The cloud-config document quotes every string YAML would read as something else: cloud-init
    // takes a file's permissions as a string, and an unquoted 0600 is the integer 384 to it.
    // Files are literal blocks: YAML's default folded style doubles every line break, and EC2 counts the bytes.
    private static readonly ISerializer CloudConfigYaml = new SerializerBuilder().DisableAliases().WithQuotingNecessaryStrings()
        .WithEventEmitter(next => new LiteralBlocks(next)).Build();

    private sealed class LiteralBlocks(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text && text.Contains('\n', StringComparison.Ordinal))
                eventInfo.Style = ScalarStyle.Literal;
            base.Emit(eventInfo, emitter);
        }
    }

    public const string SecretsScriptPath = "/usr/local/sbin/palette-secrets";
    public const string RefreshScriptPath = "/usr/local/sbin/palette-refresh-join-token";
    public const string UpgradeScriptPath = "/usr/local/sbin/palette-upgrade-control-plane";
    public const string RefreshTimerName = "palette-join-token.timer";
    public const string RbacManifestPath = "/etc/palette/rbac.yaml";
    public const string PacksScriptPath = "/usr/local/sbin/palette-packs";
    public const string PhaseScriptPath = "/usr/local/sbin/palette-phase";
    public const string NodeCheckScriptPath = "/usr/local/sbin/palette-node-check";
    public const string KubeadmConfigTemplatePath = "/etc/palette/kubeadm.yaml.in";
    public const string KubeadmConfigPath = "/etc/palette/kubeadm.yaml";
    public const string KubeadmLogPath = "/var/log/palette-kubeadm.log";

    /// <summary>Where the first control plane finds a pack's values (its profile's, merged with the cluster's).</summary>
    public static string PackValuesPath(string pack) => $"/etc/palette/packs/{pack}.yaml";

    /// <summary>
    /// The user data of one node. It holds no secret: the CA's hash (public, what joining nodes
    /// pin) is all it knows of the CA; the node fetches the join token, the certificate key and
    /// (first control plane only) the CA from its cluster's parameters at boot, with its instance
    /// profile's credentials, and control planes start a timer that keeps the join token fresh.
    /// </summary>
    /// <exception cref="FormatException">The Kubernetes pack's serviceCIDR is not a CIDR (validation refuses such values first).</exception>
    public static string Build(Cluster cluster, ClusterProfile profile, InstancePlan instance, string apiEndpointHost, string caCertHash)
    {
        var k8s = profile.PackOfLayer(PackLayers.Kubernetes)!;
        var version = k8s.Version!.TrimStart('v');
        var pool = cluster.Definition.NodePools.First(p => p.Name == instance.Pool);
        var packValues = MergedPackValues(cluster, profile);
        var k8sValues = ReadYaml(packValues.GetValueOrDefault(k8s.Name!)) as Dictionary<object, object>;
        var podCidr = k8sValues?.GetValueOrDefault("podCIDR");
        var serviceCidr = k8sValues?.GetValueOrDefault("serviceCIDR");
        // Stated even when it is kubeadm's default: the cluster DNS address in node.env is computed from it.
        var kubeadm = KubeadmConfig.Render(cluster, instance, pool, apiEndpointHost, caCertHash, version, podCidr, serviceCidr ?? NodeEnv.DefaultServiceCidr);
        var controlPlane = instance.Role == NodePoolRoles.ControlPlane;
        var pauseImage = PackCatalog.PauseImageOf(version)
            ?? throw new InvalidOperationException($"the catalog has no Kubernetes {version}: profile validation admits only catalog versions");

        var files = new List<Dictionary<string, object>>
        {
            File(NodeEnv.Path, NodeEnv.Render(NodeEnv.Of(cluster, profile, instance, serviceCidr?.ToString())), "0600"),
            File(ContainerdConfig.Path, ContainerdConfig.Render(pauseImage), "0644"),
            File(KubeadmConfigTemplatePath, kubeadm, "0600"),
            File(SecretsScriptPath, NodeScripts.Secrets(instance), "0700"),
            File(PhaseScriptPath, NodeScripts.Phase(), "0700"),
            File(NodeCheckScriptPath, NodeScripts.NodeCheck(), "0700"),
        };
        if (instance.IsFirstControlPlane)
        {
            // Only the node that installs the packs needs their values: the others' user data stays small.
            foreach (var pack in ImpliedPacks(profile))
                files.Add(File(PackValuesPath(pack.Name), ImpliedPackValues(cluster, pack), "0644"));
            // The OS and Kubernetes packs' values are used here, at render time; the installed packs' are read on the node.
            foreach (var (pack, values) in packValues.Where(v => InstalledPacks(profile).Any(p => p.Name == v.Key)))
                files.Add(File(PackValuesPath(pack), values, "0644"));
            files.Add(File(RbacManifestPath, KubernetesGroups.RbacBindingsManifest(cluster.Spec.Settings?.Rbac), "0644"));
            files.Add(File(PacksScriptPath, NodeScripts.Packs(profile, packValues), "0700"));
        }
        if (controlPlane && !instance.IsFirstControlPlane)
            files.Add(File(UpgradeScriptPath, NodeScripts.Upgrade(), "0700"));
        if (controlPlane)
        {
            files.Add(File(RefreshScriptPath, NodeScripts.Refresh(), "0700"));
            files.Add(File("/etc/systemd/system/palette-join-token.service", RefreshService, "0644"));
            files.Add(File($"/etc/systemd/system/{RefreshTimerName}", RefreshTimer, "0644"));
            // The in-cluster agent (after the phase reporter, which stays the first script that tags the instance).
            files.Add(File(InClusterAgent.ScriptPath, InClusterAgent.Script(), "0700"));
            files.Add(File(InClusterAgent.ServicePath, InClusterAgent.Service, "0644"));
            files.Add(File(InClusterAgent.TimerPath, InClusterAgent.Timer, "0644"));
            files.Add(File(VirtualClusterAgent.ScriptPath, VirtualClusterAgent.Script(), "0700"));
            files.Add(File(VirtualClusterAgent.ServicePath, VirtualClusterAgent.Service, "0644"));
            files.Add(File(VirtualClusterAgent.TimerPath, VirtualClusterAgent.Timer, "0644"));
        }
        // The OS patch agent, on every node (after the phase reporter and the in-cluster agent).
        files.Add(File(OsPatchAgent.ScriptPath, OsPatchAgent.Script(), "0700"));
        files.Add(File(OsPatchAgent.ServicePath, OsPatchAgent.Service, "0644"));
        files.Add(File(OsPatchAgent.TimerPath, OsPatchAgent.Timer, "0644"));
        var (kubeadmCommand, step) = instance.IsFirstControlPlane
            ? ($"kubeadm init --config {KubeadmConfigPath} --upload-certs", "init")
            : ($"kubeadm join --config {KubeadmConfigPath}", "join");
        var runcmd = new List<object>
        {
            // cloud-init runs runcmd as one sh script: the first failing command ends it, so no later
            // phase is reported for a node that did not get there.
            "set -e",
            ". " + NodeEnv.Path,
            "modprobe overlay && modprobe br_netfilter && sysctl -w net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1",
            "minor=${PALETTE_KUBERNETES_VERSION%.*}",
            "curl -fsSL \"https://pkgs.k8s.io/core:/stable:/v$minor/deb/Release.key\" | gpg --dearmor -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg",
            "echo \"deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v$minor/deb/ /\" > /etc/apt/sources.list.d/kubernetes.list",
            "apt-get update && apt-get install -y \"kubelet=$PALETTE_KUBERNETES_VERSION-*\" \"kubeadm=$PALETTE_KUBERNETES_VERSION-*\" \"kubectl=$PALETTE_KUBERNETES_VERSION-*\" && apt-mark hold kubelet kubeadm kubectl",
            // The package started containerd with its own defaults before write_files' configuration was read.
            "systemctl restart containerd",
            // Ubuntu's cloud images carry snapd but no AWS CLI; the snap is AWS's own CLI v2.
            "command -v aws >/dev/null || snap install aws-cli --classic",
            SecretsScriptPath,
            // kubeadm init prints join commands with the token and the certificate key: its log is root's alone.
            $"install -m 600 /dev/null {KubeadmLogPath}",
            $"{kubeadmCommand} >{KubeadmLogPath} 2>&1 || {{ cat {KubeadmLogPath} >&2; {PhaseScriptPath} {NodePhases.Failed} \"kubeadm {step} failed: " +
                $"$(grep -m 1 -i error {KubeadmLogPath} || tail -n 1 {KubeadmLogPath})\"; exit 1; }}",
            $"rm -f {KubeadmConfigPath}",
            $"{PhaseScriptPath} {NodePhases.Joined}",
        };
        // settings.osPatchOnBoot: the security updates before the node joins (a failure is the node's Failed phase).
        if (cluster.Spec.Settings?.OsPatchOnBoot == true)
            runcmd.Insert(runcmd.IndexOf(SecretsScriptPath),
                OsPatchAgent.OnBootCommand($"{PhaseScriptPath} {NodePhases.Failed} \"the OS security updates failed at boot\""));
        // A control plane that joins a cluster of an older Kubernetes (an upgrade) moves the cluster's control plane to its own.
        if (controlPlane && !instance.IsFirstControlPlane)
            runcmd.Add(UpgradeScriptPath);
        if (controlPlane)
            runcmd.Add($"systemctl daemon-reload && systemctl enable --now {RefreshTimerName}");
        if (instance.IsFirstControlPlane)
        {
            // The bindings of the API's kubeconfig groups and of settings.rbac, once the API server is up;
            // then the packs, which report Ready once the network pack lets the node be usable, and the packs' outcome.
            runcmd.Add($"kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f {RbacManifestPath} || {{ {PhaseScriptPath} {NodePhases.PacksFailed} rbac-bindings; exit 1; }}");
            runcmd.Add(PacksScriptPath);
        }
        else
        {
            // The kubelet's own credentials may read its own Node object and the pods bound to it.
            runcmd.Add(NodeCheckScriptPath);
            runcmd.Add($"{PhaseScriptPath} {NodePhases.Ready}");
        }
        // The in-cluster agent starts once the node is a member: on the first control plane once its packs are in
        // (the agent's first run applies the same generation again, a no-op, and reports it).
        if (controlPlane)
            runcmd.Add($"systemctl enable --now {InClusterAgent.TimerName} {VirtualClusterAgent.TimerName}");
        runcmd.Add($"systemctl enable --now {OsPatchAgent.TimerName}");
        var document = new Dictionary<string, object>
        {
            ["write_files"] = files,
            // dig (bind9-dnsutils) is what the node check asks the cluster DNS with.
            // jq is how the in-cluster agent (control planes) and the OS patch agent read their parameters.
            ["packages"] = new[] { "apt-transport-https", "ca-certificates", "curl", "gpg", "containerd", "bind9-dnsutils", "jq" },
            ["runcmd"] = runcmd,
        };
        // A node named by its host keeps the host name cloud-init takes from instance metadata.
        if (!instance.NamedByHost)
            document["hostname"] = instance.Name;
        return "#cloud-config\n" + CloudConfigYaml.Serialize(document);
    }

    /// <summary>The packs every profile implies, for its Kubernetes version (<see cref="PackCatalog.ImpliedBy"/>).</summary>
    public static IReadOnlyList<CatalogPack> ImpliedPacks(ClusterProfile profile) =>
        profile.PackOfLayer(PackLayers.Kubernetes)?.Version is { } version ? PackCatalog.ImpliedBy(version) : [];

    /// <summary>
    /// Every pack the first control plane installs, in order: the implied packs (the cloud controller manager
    /// initializes the nodes the others schedule on), then the profile's network, storage and addon packs.
    /// </summary>
    public static IReadOnlyList<(string Name, string Version, string Layer, CatalogPack? Catalog)> InstalledPacks(ClusterProfile profile) =>
    [
        .. ImpliedPacks(profile).Select(p => (p.Name, p.Version, p.Layer, (CatalogPack?)p)),
        .. (profile.Packs ?? [])
            .Where(p => p.Layer is PackLayers.Network or PackLayers.Storage or PackLayers.Addon)
            .OrderBy(p => p.Layer == PackLayers.Network ? 0 : p.Layer == PackLayers.Storage ? 1 : 2)
            .Select(p => (p.Name!, p.Version!, p.Layer!, PackCatalog.Find(p.Name!, p.Version!))),
    ];

    /// <summary>An implied pack's values: the catalog's, with what is the cluster's own (its name, for the cloud controller manager).</summary>
    public static string ImpliedPackValues(Cluster cluster, CatalogPack pack)
    {
        if (pack.Name != PackCatalog.CloudControllerManagerName)
            return pack.DefaultValues;
        var values = (Dictionary<object, object>)ReadYaml(pack.DefaultValues)!;
        // The chart's args replace its defaults whole, so the cluster's name joins the catalog's list.
        values["args"] = ((List<object>)values["args"]).Append($"--cluster-name={cluster.Name}").ToList();
        return Yaml.Serialize(values);
    }

    private const string RefreshService =
        "[Unit]\nDescription=Replace the cluster's join token parameter\nAfter=kubelet.service\n\n" +
        "[Service]\nType=oneshot\nExecStart=" + RefreshScriptPath + "\n";

    private const string RefreshTimer =
        "[Unit]\nDescription=Replace the cluster's join token parameter every 12 hours\n\n" +
        "[Timer]\nOnBootSec=1h\nOnUnitActiveSec=12h\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n";

    /// <summary>Each pack's values with the cluster's packValues for it deep-merged on top (maps merge, everything else is replaced).</summary>
    public static Dictionary<string, string> MergedPackValues(Cluster cluster, ClusterProfile profile) =>
        MergedPackValues(profile, cluster.Definition.Profile.PackValues);

    /// <inheritdoc cref="MergedPackValues(Cluster, ClusterProfile)"/>
    public static Dictionary<string, string> MergedPackValues(ClusterProfile profile, IReadOnlyDictionary<string, string> overrides)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pack in profile.Packs ?? [])
        {
            var baseValues = ReadYaml(pack.Values);
            if (overrides.TryGetValue(pack.Name!, out var overrideText))
                baseValues = Merge(baseValues, ReadYaml(overrideText));
            merged[pack.Name!] = baseValues is null ? "" : Yaml.Serialize(baseValues);
        }
        return merged;
    }

    private static Dictionary<string, object> File(string path, string content, string permissions) => new()
    {
        ["path"] = path,
        ["permissions"] = permissions,
        ["content"] = WithoutCommentLines(content),
    };

    /// <summary>
    /// A script's whole-line comments are for the reader of this source, not the node: EC2 counts every byte of the user
    /// data against its 16 KiB, which the pack values share, so they are left out (a shebang, a script's own or one it
    /// writes, stays). Other files are kept as they are.
    /// </summary>
    internal static string WithoutCommentLines(string content)
    {
        if (!content.StartsWith("#!", StringComparison.Ordinal))
            return content;
        var lines = content.Split('\n');
        return string.Join('\n', lines.Where((line, i) =>
        {
            var text = line.TrimStart();
            return i == 0 || !text.StartsWith('#') || text.StartsWith("#!", StringComparison.Ordinal);
        }));
    }

    private static object? ReadYaml(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : YamlReader.Deserialize<object>(text);

    private static object? Merge(object? baseValue, object? overrideValue)
    {
        if (baseValue is Dictionary<object, object> baseMap && overrideValue is Dictionary<object, object> overrideMap)
        {
            var result = new Dictionary<object, object>(baseMap);
            foreach (var (key, value) in overrideMap)
                result[key] = result.TryGetValue(key, out var existing) ? Merge(existing, value)! : value;
            return result;
        }
        return overrideValue ?? baseValue;
    }

    /// <summary>
    /// User data as RunInstances takes it: gzip-compressed (cloud-init recognises gzip by its magic bytes and
    /// decompresses it before it reads the cloud-config), then base64-encoded. EC2 allows 16 KiB of user data
    /// before base64; compressed, the same limit holds several times the pack values the plain text would.
    /// </summary>
    public static string Encode(string userData) => Convert.ToBase64String(Compress(userData));

    /// <summary>The user data as EC2 stores it (the bytes its 16 KiB limit counts): gzip at the smallest size, deterministic (no name, no time).</summary>
    public static byte[] Compress(string userData)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(userData));
        return buffer.ToArray();
    }
}
