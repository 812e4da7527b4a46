using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Domain.Tests;

/// <summary>
/// The one table of what the nodes must admit from each other (kubeadm's "Ports and Protocols", Calico's and
/// Cilium's network requirements), read with the CNI pack's merged values, and which packs' pods need IMDS.
/// </summary>
public class PackNetworkRequirementsTests
{
    private static ClusterProfile Profile(string cni, string? values = null) => new()
    {
        Name = "p",
        Version = "1.0.0",
        Packs =
        [
            new Pack { Layer = "os", Name = "ubuntu", Version = "22.04" },
            new Pack { Layer = "k8s", Name = "kubernetes", Version = "1.30.4" },
            new Pack { Layer = "cni", Name = cni, Version = cni == "calico" ? "3.27.3" : "1.15.3", Values = values },
            new Pack { Layer = "csi", Name = "aws-ebs-csi", Version = "1.28.0" },
        ],
    };

    private static IEnumerable<string> Described(IEnumerable<NodeTraffic> traffic) => traffic.Select(t => t.Describe());

    [Fact]
    public void Kubeadms_ports_are_always_there_and_the_self_only_ones_are_never_authorized_between_nodes()
    {
        var traffic = PackNetworkRequirements.For(Profile("calico"), new Dictionary<string, string>());
        Described(traffic).Should().Contain(["tcp/6443", "tcp/2379-2380", "tcp/10250", "tcp/30000-32767"]);
        traffic.Single(t => t.FromPort == 6443).Should().Match<NodeTraffic>(t => t.To == TrafficTarget.ControlPlane && t.From == TrafficSource.AllNodesAndApiLoadBalancer);
        traffic.Single(t => t.FromPort == 2379).From.Should().Be(TrafficSource.ControlPlane, "etcd is the control plane's alone");
        traffic.Single(t => t.FromPort == 10250).To.Should().Be(TrafficTarget.AllNodes, "every node runs a kubelet");
        traffic.Single(t => t.FromPort == 30000).To.Should().Be(TrafficTarget.Workers);
        traffic.Where(t => t.FromPort is 10257 or 10259).Should().HaveCount(2).And.OnlyContain(t => t.From == TrafficSource.Self);
    }

    [Fact]
    public void Calico_by_default_needs_BGP_and_IP_in_IP_between_all_nodes()
    {
        var cni = PackNetworkRequirements.Cni("calico", "mtu: 1440\n");
        Described(cni).Should().BeEquivalentTo(["tcp/179", "ip-protocol/4"]);
        cni.Should().OnlyContain(t => t.To == TrafficTarget.AllNodes && t.From == TrafficSource.AllNodes);
        cni.Single(t => t.Protocol == "4").HasPorts.Should().BeFalse("EC2 takes no ports for a protocol number");
    }

    [Theory]
    [InlineData("encapsulation: VXLAN\n", new[] { "udp/4789" })]
    [InlineData("encapsulation: VXLANCrossSubnet\n", new[] { "tcp/179", "udp/4789" })]
    [InlineData("encapsulation: IPIPCrossSubnet\n", new[] { "tcp/179", "ip-protocol/4" })]
    [InlineData("encapsulation: None\n", new[] { "tcp/179" })]
    [InlineData("encapsulation: VXLAN\nbgp: Enabled\ntypha: true\n", new[] { "tcp/179", "udp/4789", "tcp/5473" })]
    [InlineData("encapsulation: IPIP\nbgp: Disabled\n", new[] { "ip-protocol/4" })]
    public void Calicos_values_choose_its_protocols(string values, string[] expected) =>
        Described(PackNetworkRequirements.Cni("calico", values)).Should().BeEquivalentTo(expected);

    [Fact]
    public void Cilium_by_default_needs_VXLAN_and_its_health_checks()
    {
        var cni = PackNetworkRequirements.Cni("cilium", "ipam:\n  mode: kubernetes\nkubeProxyReplacement: false\n");
        Described(cni).Should().BeEquivalentTo(["udp/8472", "tcp/4240", "icmp/type-8"]);
        cni.Single(t => t.Protocol == "icmp").Should().Match<NodeTraffic>(t => t.FromPort == 8 && t.ToPort == -1, "ICMP echo request, any code");
    }

    [Theory]
    [InlineData("tunnelProtocol: geneve\n", new[] { "udp/6081", "tcp/4240", "icmp/type-8" })]
    [InlineData("routingMode: native\n", new[] { "tcp/4240", "icmp/type-8" })]
    [InlineData("healthChecking: false\n", new[] { "udp/8472" })]
    [InlineData("hubble:\n  relay:\n    enabled: true\n", new[] { "udp/8472", "tcp/4240", "icmp/type-8", "tcp/4244" })]
    [InlineData("encryption:\n  enabled: true\n  type: wireguard\n", new[] { "udp/8472", "tcp/4240", "icmp/type-8", "udp/51871" })]
    public void Ciliums_values_choose_its_protocols(string values, string[] expected) =>
        Described(PackNetworkRequirements.Cni("cilium", values)).Should().BeEquivalentTo(expected);

    [Fact]
    public void The_merged_values_of_the_profiles_cni_are_what_is_read()
    {
        var profile = Profile("calico", "mtu: 1440\n");
        var merged = new Dictionary<string, string> { ["calico"] = "mtu: 1440\nencapsulation: VXLAN\n" };
        Described(PackNetworkRequirements.For(profile, merged)).Should().Contain("udp/4789").And.NotContain("ip-protocol/4").And.NotContain("tcp/179");
    }

    [Fact]
    public void Values_that_are_no_yaml_read_as_the_defaults() =>
        Described(PackNetworkRequirements.Cni("calico", "{{not yaml")).Should().BeEquivalentTo(["tcp/179", "ip-protocol/4"]);

    [Fact]
    public void No_pack_of_the_catalog_needs_IMDS_from_its_pods_so_the_hop_limit_is_1()
    {
        PackNetworkRequirements.MetadataHopLimit(Profile("calico")).Should().Be(1);
        PackNetworkRequirements.MetadataHopLimit(Profile("cilium")).Should().Be(1);
        PackNetworkRequirements.PodMetadata.Should().OnlyContain(n => n.Reason.Length > 0, "every line says why");
    }

    [Theory]
    [InlineData("calico", "encapsulation: vxlan\n", 0)]
    [InlineData("calico", "encapsulation: GRE\n", 1)]
    [InlineData("calico", "encapsulation: VXLAN\nbgp: maybe\n", 1)]
    [InlineData("cilium", "tunnelProtocol: gre\nroutingMode: native\n", 1)]
    [InlineData("aws-ebs-csi", "encapsulation: GRE\n", 0)]
    public void A_cni_value_outside_the_table_is_refused_naming_the_key(string pack, string values, int errors)
    {
        var found = PackNetworkRequirements.ValueErrors(pack, values);
        found.Should().HaveCount(errors);
        found.Count(e => e.Contains("must be one of", StringComparison.Ordinal)).Should().Be(errors);
    }

    [Fact]
    public void A_cluster_whose_pack_values_choose_an_unknown_encapsulation_is_refused_at_validation()
    {
        var spec = new Clusters.ClusterSpec
        {
            Name = "demo",
            CloudAccount = "main",
            Profile = new Clusters.ProfileReference { Name = "p", Version = "1.0.0", PackValues = new() { ["calico"] = "encapsulation: GRE\n" } },
            Cloud = new Clusters.CloudSpec { Region = "us-east-1", SshKeyName = "key", VpcCidr = "10.0.0.0/16" },
            NodePools =
            [
                new Clusters.NodePoolSpec { Name = "cp", Role = "control-plane", Count = 1, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"] },
                new Clusters.NodePoolSpec { Name = "workers", Role = "worker", Count = 1, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"] },
            ],
        };
        var error = FluentActions.Invoking(() => Clusters.ClusterSpecValidator.Validate(spec)).Should().Throw<Errors.ValidationFailedException>().Which;
        error.Errors.Should().Contain(e => e.Field == "profile.packValues.calico" && e.Message.Contains("encapsulation", StringComparison.Ordinal));
    }
}
