using PaletteServerless.Domain.Clusters;
using YamlDotNet.Serialization;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// kubeadm's configuration of one node, as the template <c>palette-secrets</c> fills in at boot: the
/// placeholders stand for what the user data may not hold (the join token, the certificate key) or
/// cannot know (the instance's zone and id, of which the kubelet's provider id is made).
/// </summary>
internal static class KubeadmConfig
{
    public const string JoinTokenPlaceholder = "@JOIN_TOKEN@";
    public const string CertificateKeyPlaceholder = "@CERTIFICATE_KEY@";
    public const string ProviderIdPlaceholder = "@PROVIDER_ID@";

    private static readonly ISerializer Yaml = new SerializerBuilder().DisableAliases().Build();

    /// <param name="podCidr">The Kubernetes pack's podCIDR, or null for kubeadm's default.</param>
    /// <param name="serviceCidr">The Kubernetes pack's serviceCIDR, or null for kubeadm's default.</param>
    public static string Render(Cluster cluster, InstancePlan instance, NodePoolDefinition pool, string apiHost, string caCertHash, string version,
        object? podCidr, object? serviceCidr)
    {
        var registration = new Dictionary<string, object>
        {
            ["taints"] = pool.Taints.Select(t => new Dictionary<string, object?>
            {
                ["key"] = t.Key, ["value"] = t.Value ?? "", ["effect"] = t.Effect,
            }).ToList(),
            ["kubeletExtraArgs"] = new Dictionary<string, string>
            {
                ["cloud-provider"] = "external",
                // The AWS cloud controller manager finds the node's instance by this id, whatever the node is named.
                ["provider-id"] = ProviderIdPlaceholder,
                ["node-labels"] = string.Join(',', pool.Labels.Select(l => $"{l.Key}={l.Value}")
                    .Append($"palette.serverless/pool={pool.Name}")),
            },
        };
        // A node named by its host gets kubeadm's default: the host name, which EC2 gives from the private DNS name.
        if (!instance.NamedByHost)
            registration["name"] = instance.Name;
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
            var networking = new Dictionary<string, object>();
            if (podCidr is not null)
                networking["podSubnet"] = podCidr;
            if (serviceCidr is not null)
                networking["serviceSubnet"] = serviceCidr;
            if (networking.Count > 0)
                clusterConfiguration["networking"] = networking;
            documents.Add(clusterConfiguration);
            // kubeadm init uploads this to the kubelet-config ConfigMap, which every joining kubelet reads:
            // stated here so the kubelet and containerd (SystemdCgroup) agree by construction, not by defaults.
            documents.Add(new Dictionary<string, object>
            {
                ["apiVersion"] = "kubelet.config.k8s.io/v1beta1",
                ["kind"] = "KubeletConfiguration",
                ["cgroupDriver"] = "systemd",
                // Graceful node shutdown: a node that reboots for its OS patches (OsPatchAgent) has its pods ended
                // properly first, critical ones last.
                ["shutdownGracePeriod"] = "90s",
                ["shutdownGracePeriodCriticalPods"] = "30s",
            });
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
}
