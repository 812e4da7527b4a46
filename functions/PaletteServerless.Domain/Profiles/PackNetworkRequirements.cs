using YamlDotNet.Serialization;

namespace PaletteServerless.Domain.Profiles;

/// <summary>Which nodes' security group a rule opens.</summary>
public enum TrafficTarget
{
    ControlPlane,
    Workers,
    AllNodes,
}

/// <summary>Whom a rule admits. <see cref="Self"/> is a node talking to itself (loopback): no security-group rule is needed.</summary>
public enum TrafficSource
{
    ControlPlane,
    AllNodes,
    AllNodesAndApiLoadBalancer,
    Self,
}

/// <summary>
/// One kind of traffic a node must admit: an EC2 IP protocol (<c>tcp</c>, <c>udp</c>, <c>icmp</c>, or an IP
/// protocol number such as <c>4</c>), a port range (for icmp: the ICMP type and code, -1 meaning any;
/// for a protocol number: -1, all of it), why, and between which nodes.
/// </summary>
public sealed record NodeTraffic(string Protocol, int FromPort, int ToPort, string Purpose, TrafficTarget To, TrafficSource From)
{
    public bool HasPorts => Protocol is "tcp" or "udp" or "icmp";

    /// <summary>As a message names it: <c>tcp/179</c>, <c>udp/4789</c>, <c>ip-protocol/4</c>.</summary>
    public string Describe() => HasPorts
        ? Protocol == "icmp" ? $"icmp/type-{FromPort}" : FromPort == ToPort ? $"{Protocol}/{FromPort}" : $"{Protocol}/{FromPort}-{ToPort}"
        : $"ip-protocol/{Protocol}";
}

/// <summary>A pack whose pods need the instance metadata service (IMDSv2 from a pod takes a hop limit of 2), and the upstream reason.</summary>
public sealed record PodMetadataNeed(string PackName, bool NeedsPodImds, string Reason);

/// <summary>
/// The one table of what the network between a cluster's nodes must carry: what kubeadm's "Ports and
/// Protocols" lists, and what the profile's CNI and its (merged) values need, from each CNI's own
/// requirements page; and which packs' pods need IMDS. The security-group kind authorizes from it, the
/// local node model checks reachability against it, and an update re-ensures it when the CNI's values change.
/// </summary>
public static class PackNetworkRequirements
{
    /// <summary>
    /// kubeadm, "Ports and Protocols" (kubernetes.io/docs/reference/networking/ports-and-protocols/).
    /// The API's 6443 also admits the API load balancer (its clients' rule is on the load balancer's group).
    /// The kubelet's 10250 is open between all nodes, not only from the control plane, because the
    /// metrics-server addon scrapes every kubelet from wherever it runs. kube-scheduler (10259) and
    /// kube-controller-manager (10257) are used by the node itself only: listed, never authorized.
    /// NodePorts are "All" on the page; load balancers' rules are added by the cloud controller manager.
    /// </summary>
    public static readonly IReadOnlyList<NodeTraffic> Kubeadm =
    [
        new("tcp", 6443, 6443, "Kubernetes API server", TrafficTarget.ControlPlane, TrafficSource.AllNodesAndApiLoadBalancer),
        new("tcp", 2379, 2380, "etcd server client API", TrafficTarget.ControlPlane, TrafficSource.ControlPlane),
        new("tcp", 10250, 10250, "Kubelet API", TrafficTarget.AllNodes, TrafficSource.AllNodes),
        new("tcp", 10259, 10259, "kube-scheduler", TrafficTarget.ControlPlane, TrafficSource.Self),
        new("tcp", 10257, 10257, "kube-controller-manager", TrafficTarget.ControlPlane, TrafficSource.Self),
        new("tcp", 30000, 32767, "NodePort Services", TrafficTarget.Workers, TrafficSource.AllNodes),
    ];

    /// <summary>
    /// Which packs' pods need IMDS. Facts behind each line: aws-ebs-csi's install guide offers the node's
    /// instance profile as one way to give the controller credentials ("turn on access to instance
    /// metadata for the instances on which the driver Deployment will run"), and reads its own metadata
    /// (region, zone) from IMDS or, when that is unreachable, from the Kubernetes API; the product gives
    /// neither node role the driver's volume permissions, so opening IMDS to pods would hand them the
    /// node's role for nothing: a credentials secret or a dedicated role is the way (README, Known limits).
    /// The cloud controller manager runs with hostNetwork on the control planes, one hop from IMDS.
    /// The CNIs (calico-node, cilium agent) run with hostNetwork too.
    /// </summary>
    public static readonly IReadOnlyList<PodMetadataNeed> PodMetadata =
    [
        new("aws-ebs-csi", false, "metadata from the Kubernetes API when IMDS is out of a pod's reach; credentials must not come from the node's role"),
        new("calico", false, "calico-node runs with hostNetwork"),
        new("cilium", false, "the cilium agent runs with hostNetwork"),
    ];

    /// <summary>The IMDSv2 hop limit of a profile's nodes: 1 (only the node itself), 2 when a pack of it needs IMDS from its pods.</summary>
    public static int MetadataHopLimit(ClusterProfile profile) =>
        (profile.Packs ?? []).Any(p => PodMetadata.Any(m => m.PackName == p.Name && m.NeedsPodImds)) ? 2 : 1;

    /// <summary>Everything the nodes of a profile must admit: kubeadm's ports, then its CNI's (with its merged values).</summary>
    public static IReadOnlyList<NodeTraffic> For(ClusterProfile profile, IReadOnlyDictionary<string, string> mergedValues)
    {
        var cni = profile.PackOfLayer(PackLayers.Network);
        return cni?.Name is { } name ? [.. Kubeadm, .. Cni(name, mergedValues.GetValueOrDefault(name))] : Kubeadm;
    }

    /// <summary>The node-to-node traffic of a CNI pack with these values (YAML); unknown CNIs need nothing of ours.</summary>
    public static IReadOnlyList<NodeTraffic> Cni(string packName, string? values) => packName switch
    {
        "calico" => Calico(Read(values)),
        "cilium" => Cilium(Read(values)),
        _ => [],
    };

    /// <summary>
    /// Calico, "System requirements", network requirements (docs.tigera.io/calico/latest/getting-started/kubernetes/requirements):
    /// BGP TCP 179; IP-in-IP (IP protocol 4, the default: calico.yaml's CALICO_IPV4POOL_IPIP=Always);
    /// VXLAN UDP 4789 when VXLAN is enabled; Typha TCP 5473 when Typha is enabled. Our values name the
    /// choice as the operator's IP pool does: <c>encapsulation: IPIP | IPIPCrossSubnet | VXLAN | VXLANCrossSubnet | None</c>,
    /// <c>bgp: Enabled | Disabled</c> (VXLAN alone needs no BGP: the vxlan backend runs without BIRD), <c>typha: true</c>.
    /// </summary>
    private static List<NodeTraffic> Calico(Dictionary<string, object?> values)
    {
        var (encapsulation, bgp, typha) = CalicoSettings(values);
        var vxlan = encapsulation.StartsWith("VXLAN", StringComparison.OrdinalIgnoreCase);
        var ipip = encapsulation.StartsWith("IPIP", StringComparison.OrdinalIgnoreCase);
        var rules = new List<NodeTraffic>();
        if (bgp)
            rules.Add(Between("tcp", 179, 179, "calico BGP"));
        if (ipip)
            rules.Add(Between("4", -1, -1, "calico IP-in-IP"));
        if (vxlan)
            rules.Add(Between("udp", 4789, 4789, "calico VXLAN"));
        if (typha)
            rules.Add(Between("tcp", 5473, 5473, "calico Typha"));
        return rules;
    }

    /// <summary>
    /// What Calico runs with these values: the default IP pool's encapsulation (IPIP by default), whether BGP
    /// (BIRD) runs (by default unless the encapsulation is VXLAN alone), and whether Typha is deployed. The
    /// rules above and the manifest install (<c>CalicoManifest</c>) both read it, so they never disagree.
    /// </summary>
    public static (string Encapsulation, bool Bgp, bool Typha) CalicoSettings(string? values) => CalicoSettings(Read(values));

    private static (string Encapsulation, bool Bgp, bool Typha) CalicoSettings(Dictionary<string, object?> values)
    {
        var encapsulation = Text(values, "encapsulation") is { } chosen
            ? Choices[("calico", "encapsulation")].FirstOrDefault(c => c.Equals(chosen, StringComparison.OrdinalIgnoreCase)) ?? chosen
            : "IPIP";
        var bgp = Text(values, "bgp") is { } said ? !said.Equals("Disabled", StringComparison.OrdinalIgnoreCase) : !encapsulation.Equals("VXLAN", StringComparison.Ordinal);
        return (encapsulation, bgp, Flag(values, "typha"));
    }

    /// <summary>
    /// Cilium, "System Requirements", firewall rules (docs.cilium.io/en/stable/operations/system_requirements/):
    /// the VXLAN overlay UDP 8472 (Geneve UDP 6081 when <c>tunnelProtocol: geneve</c>, none with
    /// <c>routingMode: native</c>), health checks TCP 4240 and ICMP echo between all nodes (unless
    /// <c>healthChecking: false</c>), Hubble's peer service TCP 4244 when <c>hubble.relay.enabled</c>,
    /// WireGuard UDP 51871 when <c>encryption.type: wireguard</c> is enabled.
    /// </summary>
    private static List<NodeTraffic> Cilium(Dictionary<string, object?> values)
    {
        var rules = new List<NodeTraffic>();
        var native = string.Equals(Text(values, "routingMode"), "native", StringComparison.OrdinalIgnoreCase)
            || string.Equals(Text(values, "tunnel"), "disabled", StringComparison.OrdinalIgnoreCase);
        if (!native)
        {
            var protocol = Text(values, "tunnelProtocol") ?? Text(values, "tunnel") ?? "vxlan";
            rules.Add(protocol.Equals("geneve", StringComparison.OrdinalIgnoreCase)
                ? Between("udp", 6081, 6081, "cilium Geneve")
                : Between("udp", 8472, 8472, "cilium VXLAN"));
        }
        if (!values.TryGetValue("healthChecking", out var health) || !string.Equals(health?.ToString(), "false", StringComparison.OrdinalIgnoreCase))
        {
            rules.Add(Between("tcp", 4240, 4240, "cilium health"));
            rules.Add(Between("icmp", 8, -1, "cilium health (ICMP echo)"));
        }
        if (Flag(Map(Map(values, "hubble"), "relay"), "enabled"))
            rules.Add(Between("tcp", 4244, 4244, "cilium Hubble peer"));
        var encryption = Map(values, "encryption");
        if (Flag(encryption, "enabled") && string.Equals(Text(encryption, "type"), "wireguard", StringComparison.OrdinalIgnoreCase))
            rules.Add(Between("udp", 51871, 51871, "cilium WireGuard"));
        return rules;
    }

    /// <summary>The values each CNI's keys of this table accept: a value outside them would open the wrong protocols.</summary>
    private static readonly IReadOnlyDictionary<(string Pack, string Key), string[]> Choices = new Dictionary<(string, string), string[]>
    {
        [("calico", "encapsulation")] = ["IPIP", "IPIPCrossSubnet", "VXLAN", "VXLANCrossSubnet", "None"],
        [("calico", "bgp")] = ["Enabled", "Disabled"],
        [("cilium", "tunnelProtocol")] = ["vxlan", "geneve"],
        [("cilium", "routingMode")] = ["tunnel", "native"],
    };

    /// <summary>
    /// What is wrong with a CNI pack's values for this table (the profile's values and a cluster's
    /// packValues are both checked at validation): each message names the key and the accepted values.
    /// </summary>
    public static IReadOnlyList<string> ValueErrors(string? packName, string? values)
    {
        if (packName is null || !Choices.Keys.Any(k => k.Pack == packName))
            return [];
        var read = Read(values);
        var errors = new List<string>();
        foreach (var ((pack, key), accepted) in Choices)
        {
            if (pack != packName || !read.TryGetValue(key, out var value) || value is null)
                continue;
            if (value is not string text || !accepted.Contains(text, StringComparer.OrdinalIgnoreCase))
                errors.Add($"{key} must be one of {string.Join(", ", accepted)} (it decides which protocols the nodes' security groups admit)");
        }
        return errors;
    }

    private static NodeTraffic Between(string protocol, int from, int to, string purpose) =>
        new(protocol, from, to, purpose, TrafficTarget.AllNodes, TrafficSource.AllNodes);

    private static readonly IDeserializer YamlReader = new DeserializerBuilder().Build();

    private static Dictionary<string, object?> Read(string? yaml)
    {
        if (string.IsNullOrWhiteSpace(yaml))
            return [];
        try
        {
            return YamlReader.Deserialize<object?>(yaml) is Dictionary<object, object?> map ? Strings(map) : [];
        }
        catch (YamlDotNet.Core.YamlException)
        {
            // Validation refuses values that are no YAML; read as none, the defaults apply.
            return [];
        }
    }

    private static Dictionary<string, object?> Strings(Dictionary<object, object?> map) =>
        map.ToDictionary(p => p.Key.ToString() ?? "", p => p.Value, StringComparer.Ordinal);

    private static Dictionary<string, object?> Map(Dictionary<string, object?> values, string key) =>
        values.GetValueOrDefault(key) is Dictionary<object, object?> map ? Strings(map) : [];

    private static string? Text(Dictionary<string, object?> values, string key) =>
        values.GetValueOrDefault(key) is string text && text.Length > 0 ? text : null;

    private static bool Flag(Dictionary<string, object?> values, string key) =>
        string.Equals(values.GetValueOrDefault(key)?.ToString(), "true", StringComparison.OrdinalIgnoreCase);
}
