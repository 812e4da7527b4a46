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

    public static string Build(Cluster cluster, ClusterProfile profile, InstancePlan instance, string apiEndpointHost, ClusterSecrets secrets)
    {
        var k8s = profile.PackOfLayer(PackLayers.Kubernetes)!;
        var version = k8s.Version!.TrimStart('v');
        var minor = string.Join('.', version.Split('.').Take(2));
        var pool = cluster.Spec.NodePools!.First(p => p.Name == instance.Pool);
        var packValues = MergedPackValues(cluster, profile);
        var kubeadm = KubeadmConfig(cluster, instance, pool, apiEndpointHost, secrets, version, packValues.GetValueOrDefault(k8s.Name!));

        var files = new List<Dictionary<string, object>>
        {
            File("/etc/palette/kubeadm.yaml", kubeadm, "0600"),
        };
        foreach (var (pack, values) in packValues)
            files.Add(File($"/etc/palette/packs/{pack}.yaml", values, "0644"));
        if (instance.IsFirstControlPlane)
        {
            files.Add(File("/etc/kubernetes/pki/ca.crt", secrets.CaCertificatePem, "0644"));
            files.Add(File("/etc/kubernetes/pki/ca.key", secrets.CaPrivateKeyPem, "0600"));
        }
        var join = instance.IsFirstControlPlane
            ? "kubeadm init --config /etc/palette/kubeadm.yaml --upload-certs"
            : "kubeadm join --config /etc/palette/kubeadm.yaml";
        var document = new Dictionary<string, object>
        {
            ["hostname"] = instance.Name,
            ["write_files"] = files,
            ["packages"] = new[] { "apt-transport-https", "ca-certificates", "curl", "gpg", "containerd" },
            ["runcmd"] = new object[]
            {
                "modprobe br_netfilter && sysctl -w net.ipv4.ip_forward=1",
                $"curl -fsSL https://pkgs.k8s.io/core:/stable:/v{minor}/deb/Release.key | gpg --dearmor -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg",
                $"echo 'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v{minor}/deb/ /' > /etc/apt/sources.list.d/kubernetes.list",
                $"apt-get update && apt-get install -y kubelet={version}-* kubeadm={version}-* kubectl={version}-* && apt-mark hold kubelet kubeadm kubectl",
                join,
            },
        };
        return "#cloud-config\n" + CloudConfigYaml.Serialize(document);
    }

    /// <summary>Each pack's values with the cluster's packValues for it deep-merged on top (maps merge, everything else is replaced).</summary>
    public static Dictionary<string, string> MergedPackValues(Cluster cluster, ClusterProfile profile)
    {
        var overrides = cluster.Spec.Profile?.PackValues ?? [];
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

    private static string KubeadmConfig(Cluster cluster, InstancePlan instance, NodePoolSpec pool, string apiHost, ClusterSecrets secrets, string version, string? k8sValues)
    {
        var registration = new Dictionary<string, object>
        {
            ["name"] = instance.Name,
            ["taints"] = (pool.Taints ?? []).Select(t => new Dictionary<string, object?>
            {
                ["key"] = t.Key, ["value"] = t.Value ?? "", ["effect"] = t.Effect,
            }).ToList(),
            ["kubeletExtraArgs"] = new Dictionary<string, string>
            {
                ["cloud-provider"] = "external",
                ["node-labels"] = string.Join(',', (pool.Labels ?? []).Select(l => $"{l.Key}={l.Value}")
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
                ["bootstrapTokens"] = new[] { new Dictionary<string, object> { ["token"] = secrets.BootstrapToken, ["ttl"] = "24h0m0s" } },
                ["certificateKey"] = secrets.CertificateKey,
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
                        ["token"] = secrets.BootstrapToken,
                        ["caCertHashes"] = new[] { secrets.CaCertHash },
                    },
                },
                ["nodeRegistration"] = registration,
            };
            if (instance.Role == NodePoolRoles.ControlPlane)
                join["controlPlane"] = new Dictionary<string, object> { ["certificateKey"] = secrets.CertificateKey };
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
