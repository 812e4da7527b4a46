using System.Text;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;
using YamlDotNet.Serialization;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// The cloud-init user data of a node: installs the profile's Kubernetes version, writes the
/// profile's pack values (with the cluster's overrides merged in), and runs kubeadm init on the
/// first control-plane node or kubeadm join against the API load balancer on every other node,
/// with the pool's labels and taints in the node registration.
/// </summary>
public static class UserData
{
    private static readonly ISerializer Yaml = new SerializerBuilder().DisableAliases().Build();
    private static readonly IDeserializer YamlReader = new DeserializerBuilder().Build();

    // The cloud-config document quotes every string YAML would read as something else: cloud-init
    // takes a file's permissions as a string, and an unquoted 0600 is the integer 384 to it.
    private static readonly ISerializer CloudConfigYaml = new SerializerBuilder().DisableAliases().WithQuotingNecessaryStrings().Build();

    // Where the fetched secrets go in kubeadm's configuration: the file on disk holds these
    // placeholders until the node itself fills them in at boot (palette-secrets).
    private const string JoinTokenPlaceholder = "@JOIN_TOKEN@";
    private const string CertificateKeyPlaceholder = "@CERTIFICATE_KEY@";

    public const string SecretsScriptPath = "/usr/local/sbin/palette-secrets";
    public const string RefreshScriptPath = "/usr/local/sbin/palette-refresh-join-token";
    public const string RefreshTimerName = "palette-join-token.timer";
    public const string RbacManifestPath = "/etc/palette/rbac.yaml";
    public const string PacksScriptPath = "/usr/local/sbin/palette-packs";
    public const string PhaseScriptPath = "/usr/local/sbin/palette-phase";
    public const string KubeadmConfigTemplatePath = "/etc/palette/kubeadm.yaml.in";

    /// <summary>How long a node waits for its kubelet to report Ready before it gives up (and never reports Ready).</summary>
    private const string NodeReadyTimeout = "20m";

    /// <summary>
    /// The user data of one node. It holds no secret: the CA's hash (public, what joining nodes
    /// pin) is all it knows of the CA; the node fetches the join token, the certificate key and
    /// (first control plane only) the CA from its cluster's parameters at boot, with its instance
    /// profile's credentials, and control planes start a timer that keeps the join token fresh.
    /// </summary>
    public static string Build(Cluster cluster, ClusterProfile profile, InstancePlan instance, string apiEndpointHost, string caCertHash)
    {
        var k8s = profile.PackOfLayer(PackLayers.Kubernetes)!;
        var version = k8s.Version!.TrimStart('v');
        var minor = string.Join('.', version.Split('.').Take(2));
        var pool = cluster.Definition.NodePools.First(p => p.Name == instance.Pool);
        var packValues = MergedPackValues(cluster, profile);
        var kubeadm = KubeadmConfig(cluster, instance, pool, apiEndpointHost, caCertHash, version, packValues.GetValueOrDefault(k8s.Name!));
        var controlPlane = instance.Role == NodePoolRoles.ControlPlane;

        var files = new List<Dictionary<string, object>>
        {
            File(KubeadmConfigTemplatePath, kubeadm, "0600"),
            File(SecretsScriptPath, SecretsScript(cluster, instance), "0700"),
            File(PhaseScriptPath, PhaseScript(cluster), "0700"),
        };
        foreach (var (pack, values) in packValues)
            files.Add(File($"/etc/palette/packs/{pack}.yaml", values, "0644"));
        if (instance.IsFirstControlPlane)
        {
            files.Add(File(RbacManifestPath, KubernetesGroups.RbacBindingsManifest(cluster.Spec.Settings?.Rbac), "0644"));
            files.Add(File(PacksScriptPath, PacksScript(profile, instance.Name), "0700"));
        }
        if (controlPlane)
        {
            files.Add(File(RefreshScriptPath, RefreshScript(cluster), "0700"));
            files.Add(File("/etc/systemd/system/palette-join-token.service", RefreshService, "0644"));
            files.Add(File($"/etc/systemd/system/{RefreshTimerName}", RefreshTimer, "0644"));
        }
        var kubeadmCommand = instance.IsFirstControlPlane
            ? "kubeadm init --config /etc/palette/kubeadm.yaml --upload-certs"
            : "kubeadm join --config /etc/palette/kubeadm.yaml";
        var runcmd = new List<object>
        {
            // cloud-init runs runcmd as one sh script: the first failing command ends it, so no later
            // phase is reported for a node that did not get there.
            "set -e",
            "modprobe br_netfilter && sysctl -w net.ipv4.ip_forward=1",
            $"curl -fsSL https://pkgs.k8s.io/core:/stable:/v{minor}/deb/Release.key | gpg --dearmor -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg",
            $"echo 'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v{minor}/deb/ /' > /etc/apt/sources.list.d/kubernetes.list",
            $"apt-get update && apt-get install -y kubelet={version}-* kubeadm={version}-* kubectl={version}-* && apt-mark hold kubelet kubeadm kubectl",
            // Ubuntu's cloud images carry snapd but no AWS CLI; the snap is AWS's own CLI v2.
            "command -v aws >/dev/null || snap install aws-cli --classic",
            SecretsScriptPath,
            kubeadmCommand,
            "rm -f /etc/palette/kubeadm.yaml",
            $"{PhaseScriptPath} {NodePhases.Joined}",
        };
        if (controlPlane)
            runcmd.Add($"systemctl daemon-reload && systemctl enable --now {RefreshTimerName}");
        if (instance.IsFirstControlPlane)
        {
            // The bindings of the API's kubeconfig groups and of settings.rbac, once the API server is up;
            // then the packs, which report Ready once the network pack lets the node be Ready, and the packs' outcome.
            runcmd.Add($"kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f {RbacManifestPath} || {{ {PhaseScriptPath} {NodePhases.PacksFailed} rbac-bindings; exit 1; }}");
            runcmd.Add(PacksScriptPath);
        }
        else
        {
            // The kubelet's own credentials may read its own Node object.
            runcmd.Add($"kubectl --kubeconfig /etc/kubernetes/kubelet.conf wait --for=condition=Ready node/{instance.Name} --timeout={NodeReadyTimeout}");
            runcmd.Add($"{PhaseScriptPath} {NodePhases.Ready}");
        }
        var document = new Dictionary<string, object>
        {
            ["hostname"] = instance.Name,
            ["write_files"] = files,
            ["packages"] = new[] { "apt-transport-https", "ca-certificates", "curl", "gpg", "containerd" },
            ["runcmd"] = runcmd,
        };
        return "#cloud-config\n" + CloudConfigYaml.Serialize(document);
    }

    /// <summary>
    /// Reads the node's secrets from its cluster's parameters (the AWS CLI takes the instance
    /// profile's credentials from IMDSv2) and writes kubeadm's configuration with them; the
    /// first control plane also gets the CA certificate and key where kubeadm init expects them.
    /// </summary>
    private static string SecretsScript(Cluster cluster, InstancePlan instance)
    {
        var controlPlane = instance.Role == NodePoolRoles.ControlPlane;
        var script = new StringBuilder();
        script.Append("#!/bin/sh\n");
        script.Append("# Fetches this node's cluster secrets from SSM Parameter Store; nothing secret is in the user data.\n");
        script.Append("set -eu\n");
        script.Append("umask 077\n");
        script.Append($"path='{SecretParameters.PathOf(cluster)}'\n");
        script.Append($"region='{cluster.Definition.Cloud.Region}'\n");
        script.Append("get() {\n");
        script.Append("  aws ssm get-parameter --region \"$region\" --with-decryption --name \"$path/$1\" --query Parameter.Value --output text\n");
        script.Append("}\n");
        script.Append($"token=$(get {SecretParameters.JoinToken})\n");
        script.Append(controlPlane ? $"key=$(get {SecretParameters.CertificateKey})\n" : "key=''\n");
        script.Append($"sed -e \"s/{JoinTokenPlaceholder}/$token/\" -e \"s/{CertificateKeyPlaceholder}/$key/\" /etc/palette/kubeadm.yaml.in > /etc/palette/kubeadm.yaml\n");
        if (instance.IsFirstControlPlane)
        {
            script.Append("mkdir -p /etc/kubernetes/pki\n");
            script.Append($"get {SecretParameters.CertificateAuthority} > /etc/palette/ca.pem\n");
            script.Append("sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' /etc/palette/ca.pem > /etc/kubernetes/pki/ca.crt\n");
            script.Append("sed -n '/BEGIN PRIVATE KEY/,/END PRIVATE KEY/p' /etc/palette/ca.pem > /etc/kubernetes/pki/ca.key\n");
            script.Append("chmod 644 /etc/kubernetes/pki/ca.crt\n");
            script.Append("rm -f /etc/palette/ca.pem\n");
        }
        return script.ToString();
    }

    /// <summary>
    /// Reports the node's phase (<see cref="NodePhases"/>) by tagging its own instance: the instance id
    /// from IMDSv2, the AWS CLI with the instance profile's credentials, whose policy lets a node tag only
    /// the instance it runs on and only with the two phase keys. A second argument is the message (a failed pack).
    /// </summary>
    private static string PhaseScript(Cluster cluster) =>
        "#!/bin/sh\n" +
        "# Tags this node's own instance with how far it got (and, on a failure, what failed).\n" +
        "set -eu\n" +
        $"region='{cluster.Spec.Cloud!.Region}'\n" +
        "imds=http://169.254.169.254/latest\n" +
        "imds_token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' \"$imds/api/token\")\n" +
        "instance=$(curl -fsS -H \"X-aws-ec2-metadata-token: $imds_token\" \"$imds/meta-data/instance-id\")\n" +
        $"tags=\"Key={NodePhases.TagKey},Value=$1\"\n" +
        "if [ $# -gt 1 ]; then\n" +
        $"  aws ec2 create-tags --region \"$region\" --resources \"$instance\" --tags \"$tags\" \"Key={NodePhases.MessageTagKey},Value=$2\"\n" +
        "else\n" +
        "  aws ec2 create-tags --region \"$region\" --resources \"$instance\" --tags \"$tags\"\n" +
        "fi\n";

    /// <summary>
    /// Installs the profile's CNI, CSI and addon packs after kubeadm init, in layer order, each as
    /// the pack catalog says (a pinned manifest, or a pinned Helm chart with the pack's merged
    /// values file). Once the network pack is applied the node can be Ready: it waits for that and
    /// reports <see cref="NodePhases.Ready"/>; after the last pack, <see cref="NodePhases.PacksApplied"/>.
    /// The first failure reports <see cref="NodePhases.PacksFailed"/> with the pack named, says so on
    /// stderr (cloud-init's log) and exits non-zero.
    /// </summary>
    private static string PacksScript(ClusterProfile profile, string nodeName)
    {
        var script = new StringBuilder();
        script.Append("#!/bin/sh\n");
        script.Append("# Installs the cluster profile's network, storage and addon packs; stops at the first failure, naming the pack.\n");
        script.Append("set -eu\n");
        script.Append("export KUBECONFIG=/etc/kubernetes/admin.conf\n");
        script.Append($"fail() {{\n  echo \"palette: pack $1 failed to install\" >&2\n  {PhaseScriptPath} {NodePhases.PacksFailed} \"$1\" || true\n  exit 1\n}}\n");
        var packs = (profile.Packs ?? [])
            .Where(p => p.Layer is PackLayers.Network or PackLayers.Storage or PackLayers.Addon)
            .OrderBy(p => p.Layer == PackLayers.Network ? 0 : p.Layer == PackLayers.Storage ? 1 : 2)
            .Select(p => (Pack: p, Catalog: PackCatalog.Find(p.Name!, p.Version!)))
            .ToList();
        if (packs.Any(p => p.Catalog?.Install is HelmChartInstall))
            script.Append("command -v helm >/dev/null || snap install helm --classic || fail helm\n");
        foreach (var (pack, catalog) in packs)
        {
            var name = $"{pack.Name}-{pack.Version}";
            switch (catalog?.Install)
            {
                case ManifestInstall manifest:
                    script.Append($"kubectl apply -f '{manifest.Url}' || fail {name}\n");
                    break;
                case HelmChartInstall chart:
                    script.Append($"helm upgrade --install '{pack.Name}' '{chart.Chart}' --repo '{chart.Repository}' --version '{chart.ChartVersion}' " +
                        $"--namespace '{chart.Namespace}' --create-namespace --values '/etc/palette/packs/{pack.Name}.yaml' --wait --timeout 10m || fail {name}\n");
                    break;
                default:
                    // Profile validation admits only catalog packs; one without an install is a defect, said loudly.
                    script.Append($"fail {name}\n");
                    break;
            }
            if (pack.Layer == PackLayers.Network)
            {
                script.Append($"kubectl wait --for=condition=Ready node/{nodeName} --timeout={NodeReadyTimeout} || fail {name}\n");
                script.Append($"{PhaseScriptPath} {NodePhases.Ready}\n");
            }
        }
        script.Append($"{PhaseScriptPath} {NodePhases.PacksApplied}\n");
        return script.ToString();
    }

    /// <summary>
    /// Keeps joins working past the first token's 24 h: a new token (valid 24 h) replaces the
    /// parameter every 12 h, and the control-plane certificates are uploaded again under the same
    /// certificate key (kubeadm deletes the uploaded ones after 2 h).
    /// </summary>
    private static string RefreshScript(Cluster cluster) =>
        "#!/bin/sh\n" +
        "# Replaces the cluster's join token parameter with a new token and uploads the control-plane certificates again.\n" +
        "set -eu\n" +
        $"path='{SecretParameters.PathOf(cluster)}'\n" +
        $"region='{cluster.Definition.Cloud.Region}'\n" +
        "export KUBECONFIG=/etc/kubernetes/admin.conf\n" +
        "token=$(kubeadm token create --ttl 24h0m0s)\n" +
        $"aws ssm put-parameter --region \"$region\" --name \"$path/{SecretParameters.JoinToken}\" --type SecureString --key-id '{SecretParameters.KmsKeyAlias}' --overwrite --value \"$token\" >/dev/null\n" +
        $"key=$(aws ssm get-parameter --region \"$region\" --with-decryption --name \"$path/{SecretParameters.CertificateKey}\" --query Parameter.Value --output text)\n" +
        "kubeadm init phase upload-certs --upload-certs --certificate-key \"$key\" >/dev/null\n";

    private const string RefreshService =
        "[Unit]\nDescription=Replace the cluster's join token parameter\nAfter=kubelet.service\n\n" +
        "[Service]\nType=oneshot\nExecStart=" + RefreshScriptPath + "\n";

    private const string RefreshTimer =
        "[Unit]\nDescription=Replace the cluster's join token parameter every 12 hours\n\n" +
        "[Timer]\nOnBootSec=1h\nOnUnitActiveSec=12h\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n";

    /// <summary>Each pack's values with the cluster's packValues for it deep-merged on top (maps merge, everything else is replaced).</summary>
    public static Dictionary<string, string> MergedPackValues(Cluster cluster, ClusterProfile profile)
    {
        var overrides = cluster.Definition.Profile.PackValues;
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

    private static string KubeadmConfig(Cluster cluster, InstancePlan instance, NodePoolDefinition pool, string apiHost, string caCertHash, string version, string? k8sValues)
    {
        var registration = new Dictionary<string, object>
        {
            ["name"] = instance.Name,
            ["taints"] = pool.Taints.Select(t => new Dictionary<string, object?>
            {
                ["key"] = t.Key, ["value"] = t.Value ?? "", ["effect"] = t.Effect,
            }).ToList(),
            ["kubeletExtraArgs"] = new Dictionary<string, string>
            {
                ["cloud-provider"] = "external",
                ["node-labels"] = string.Join(',', pool.Labels.Select(l => $"{l.Key}={l.Value}")
                    .Append($"palette.serverless/pool={pool.Name}")),
            },
        };
        var endpoint = $"{apiHost}:6443";
        var documents = new List<object>();
        if (instance.IsFirstControlPlane)
        {
            documents.Add(new Dictionary<string, object>
            {
                ["apiVersion"] = "kubeadm.k8s.io/v1beta3",
                ["kind"] = "InitConfiguration",
                ["bootstrapTokens"] = new[] { new Dictionary<string, object> { ["token"] = JoinTokenPlaceholder, ["ttl"] = "24h0m0s" } },
                ["certificateKey"] = CertificateKeyPlaceholder,
                ["nodeRegistration"] = registration,
            });
            var clusterConfiguration = new Dictionary<string, object>
            {
                ["apiVersion"] = "kubeadm.k8s.io/v1beta3",
                ["kind"] = "ClusterConfiguration",
                ["clusterName"] = cluster.Name,
                ["kubernetesVersion"] = "v" + version,
                ["controlPlaneEndpoint"] = endpoint,
            };
            if (ReadYaml(k8sValues) is Dictionary<object, object> values && values.TryGetValue("podCIDR", out var podCidr))
                clusterConfiguration["networking"] = new Dictionary<string, object> { ["podSubnet"] = podCidr };
            documents.Add(clusterConfiguration);
        }
        else
        {
            var join = new Dictionary<string, object>
            {
                ["apiVersion"] = "kubeadm.k8s.io/v1beta3",
                ["kind"] = "JoinConfiguration",
                ["discovery"] = new Dictionary<string, object>
                {
                    ["bootstrapToken"] = new Dictionary<string, object>
                    {
                        ["apiServerEndpoint"] = endpoint,
                        ["token"] = JoinTokenPlaceholder,
                        ["caCertHashes"] = new[] { caCertHash },
                    },
                },
                ["nodeRegistration"] = registration,
            };
            if (instance.Role == NodePoolRoles.ControlPlane)
                join["controlPlane"] = new Dictionary<string, object> { ["certificateKey"] = CertificateKeyPlaceholder };
            documents.Add(join);
        }
        return string.Join("---\n", documents.Select(d => Yaml.Serialize(d)));
    }

    private static Dictionary<string, object> File(string path, string content, string permissions) => new()
    {
        ["path"] = path,
        ["permissions"] = permissions,
        ["content"] = content,
    };

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

    /// <summary>User data travels base64-encoded in RunInstances and is limited to 16 KiB before encoding.</summary>
    public static string Encode(string userData) => Convert.ToBase64String(Encoding.UTF8.GetBytes(userData));
}
