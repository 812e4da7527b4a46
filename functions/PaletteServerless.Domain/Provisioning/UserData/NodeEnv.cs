using System.Net;
using System.Numerics;
using System.Text;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// <c>/etc/palette/node.env</c>: every product value a node's scripts need, as shell data. Scripts
/// source it (<c>. /etc/palette/node.env</c>) and use the variables quoted, so no cluster name, path,
/// region or version is ever spliced into a command line: a value is read, never run. The local node
/// model learns the same keys from the same file.
/// </summary>
public static class NodeEnv
{
    public const string Path = "/etc/palette/node.env";

    public const string Region = "PALETTE_REGION";
    public const string ClusterName = "PALETTE_CLUSTER_NAME";
    public const string NodeName = "PALETTE_NODE_NAME";
    public const string SecretsPath = "PALETTE_SECRETS_PATH";
    public const string PhaseTag = "PALETTE_PHASE_TAG";
    public const string MessageTag = "PALETTE_MESSAGE_TAG";
    public const string VersionTag = "PALETTE_VERSION_TAG";
    public const string OsVersion = "PALETTE_OS_VERSION";
    public const string KubernetesVersion = "PALETTE_KUBERNETES_VERSION";
    public const string Cni = "PALETTE_CNI";
    public const string ClusterDns = "PALETTE_CLUSTER_DNS";
    public const string DesiredState = "PALETTE_DESIRED_STATE";
    public const string AgentGenerationTag = "PALETTE_AGENT_GENERATION_TAG";
    public const string AgentMessageTag = "PALETTE_AGENT_MESSAGE_TAG";
    public const string VirtualClusters = "PALETTE_VIRTUAL_CLUSTERS";
    public const string OsPatchRequest = "PALETTE_OS_PATCH_REQUEST";
    public const string OsPatchTag = "PALETTE_OS_PATCH_TAG";
    public const string OsPatchLevelTag = "PALETTE_OS_PATCH_LEVEL_TAG";

    /// <summary>The service CIDR kubeadm uses when the Kubernetes pack's values name none.</summary>
    public const string DefaultServiceCidr = "10.96.0.0/12";

    /// <summary>The keys and values of one node, in the order the file lists them.</summary>
    /// <remarks>A node named by its host (<see cref="InstancePlan.NamedByHost"/>) has no name here: its scripts take the host name.</remarks>
    public static IReadOnlyList<KeyValuePair<string, string>> Of(Cluster cluster, ClusterProfile profile, InstancePlan instance, string? serviceCidr) =>
    [
        new(Region, cluster.Definition.Cloud.Region),
        new(ClusterName, cluster.Name),
        .. instance.NamedByHost ? Array.Empty<KeyValuePair<string, string>>() : [new(NodeName, instance.Name)],
        new(SecretsPath, SecretParameters.PathOf(cluster)),
        new(PhaseTag, NodePhases.TagKey),
        new(MessageTag, NodePhases.MessageTagKey),
        new(VersionTag, NodePhases.KubernetesVersionTagKey),
        new(OsVersion, profile.PackOfLayer(PackLayers.Os)?.Version ?? ""),
        new(KubernetesVersion, profile.PackOfLayer(PackLayers.Kubernetes)!.Version!.TrimStart('v')),
        new(Cni, profile.PackOfLayer(PackLayers.Network)?.Name ?? ""),
        new(ClusterDns, ClusterDnsOf(serviceCidr ?? DefaultServiceCidr)),
        new(OsPatchRequest, Patching.OsPatchRequest.ParameterName(cluster)),
        new(OsPatchTag, Patching.OsPatchReport.TagKey),
        new(OsPatchLevelTag, Patching.OsPatchReport.LevelTagKey),
        .. instance.Role == NodePoolRoles.ControlPlane
            ? new KeyValuePair<string, string>[]
            {
                new(DesiredState, Provisioning.DesiredState.ParameterName(cluster)),
                new(AgentGenerationTag, NodePhases.AgentGenerationTagKey),
                new(AgentMessageTag, NodePhases.AgentMessageTagKey),
                new(VirtualClusters, Domain.VirtualClusters.DesiredVirtualClusters.ParameterName(cluster)),
            }
            : [],
    ];

    /// <summary>The file's text: one <c>NAME='value'</c> line per key.</summary>
    public static string Render(IEnumerable<KeyValuePair<string, string>> values)
    {
        var text = new StringBuilder();
        text.Append("# Written by PaletteServerless at launch: this node's values, read by its scripts as data.\n");
        foreach (var (name, value) in values)
            text.Append(name).Append('=').Append(Quote(value)).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// A value as one single-quoted shell word: inside single quotes nothing expands (no <c>$</c>,
    /// backtick or backslash), and the one character that cannot appear there, <c>'</c>, closes the
    /// quote, is escaped, and opens it again (<c>'\''</c>).
    /// </summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// The kube-dns Service's address: kubeadm gives it the 10th address of the service CIDR
    /// (kubeadm's GetDNSIP), 10.96.0.10 for the default 10.96.0.0/12.
    /// </summary>
    /// <exception cref="FormatException">The CIDR is not an IPv4 or IPv6 network with room for ten addresses.</exception>
    public static string ClusterDnsOf(string serviceCidr)
    {
        if (!IPNetwork.TryParse(serviceCidr.Trim(), out var network))
            throw new FormatException($"'{serviceCidr}' is not a CIDR such as {DefaultServiceCidr}");
        var bytes = network.BaseAddress.GetAddressBytes();
        var hostBits = bytes.Length * 8 - network.PrefixLength;
        if (hostBits < 4)
            throw new FormatException($"'{serviceCidr}' is too small for a service network (the cluster DNS is its 10th address)");
        var address = new BigInteger(bytes, isUnsigned: true, isBigEndian: true) + 10;
        var result = address.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[bytes.Length];
        result.CopyTo(padded, bytes.Length - result.Length);
        return new IPAddress(padded).ToString();
    }
}
