using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Local.Aws.Tests.Ec2;

using PaletteServerless.Testing;

namespace PaletteServerless.Local.Aws.Tests.Kinds;

/// <summary>
/// The product's security-group and node-pool kinds against the local EC2 through the real SDK: the rules
/// between the cluster's groups follow the CNI and its values (create and day-2), and the OS pack chooses the image.
/// </summary>
public sealed class SecurityGroupAndImageKindTests : Ec2TestBase
{
    private const string Uid = "0123456789abcdef0123456789abcdef";
    private readonly InMemoryInventory _inventory = new();

    /// <summary>A session whose EC2 is the real SDK client on the local host, and its network port the adapter over it; the kinds here call nothing else.</summary>
    private sealed class Ec2OnlySession(IAmazonEC2 ec2) : ICloudSession
    {
        public string Region => "us-east-1";
        public IAmazonEC2 Ec2 => ec2;
        public IElbv2Client LoadBalancing => throw new NotSupportedException();
        public ITaggingClient Tagging => throw new NotSupportedException();
        public IServiceQuotasClient ServiceQuotas => throw new NotSupportedException();
        public IParameterStore Parameters => throw new NotSupportedException();
        public IClusterNetworkCloud Network { get; } = new PaletteServerless.Aws.Cloud.Adapters.Ec2ClusterNetwork(ec2, null);
        public IComputeCatalog Catalog { get; } = new PaletteServerless.Aws.Cloud.Adapters.Ec2ComputeCatalog(ec2, null);
        public ILoadBalancers LoadBalancers => throw new NotSupportedException();
        public ITaggedResources TaggedResources => throw new NotSupportedException();
        public IIamClient Iam => throw new NotSupportedException();
        public IBackupBuckets Buckets => throw new NotSupportedException();
        public INodeFleet Nodes { get; } = new PaletteServerless.Aws.Cloud.Adapters.Ec2NodeFleet(ec2);
        public Task<string> AccountIdAsync(CancellationToken ct) => Task.FromResult("000000000000");
        public void Dispose() { }
    }

    private static Cluster Cluster(Dictionary<string, string>? packValues = null) => new()
    {
        Scope = new ProjectScope("acme", "demo"),
        Uid = Uid,
        Spec = ClusterSpecValidator.Validate(new ClusterSpec
        {
            Name = "demo",
            CloudAccount = "main",
            Profile = new ProfileReference { Name = "ubuntu-k8s", Version = "1.0.0", PackValues = packValues },
            Cloud = new CloudSpec { Region = "us-east-1", SshKeyName = "key", VpcCidr = "10.0.0.0/16" },
            NodePools =
            [
                new NodePoolSpec { Name = "cp", Role = "control-plane", Count = 1, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"] },
                new NodePoolSpec { Name = "workers", Role = "worker", Count = 1, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"] },
            ],
        }),
        Status = ClusterStatus.Provisioning,
    };

    private static ClusterProfile Profile(string cni, string os = "22.04") => new()
    {
        Name = "ubuntu-k8s",
        Version = "1.0.0",
        Packs =
        [
            new Pack { Layer = "os", Name = "ubuntu", Version = os, Values = "" },
            new Pack { Layer = "k8s", Name = "kubernetes", Version = "1.30.4", Values = "podCIDR: 192.168.0.0/16\n" },
            new Pack { Layer = "cni", Name = cni, Version = cni == "calico" ? "3.27.3" : "1.15.3", Values = PackCatalog.Packs.First(p => p.Name == cni).DefaultValues },
            new Pack { Layer = "csi", Name = "aws-ebs-csi", Version = "1.28.0", Values = "" },
        ],
    };

    private Task<ClusterResources> ResourcesAsync(Cluster cluster) =>
        ClusterResources.LoadAsync(cluster, new Ec2OnlySession(Ec2), _inventory, TimeProvider.System, CancellationToken.None);

    private async Task<(ClusterResources Resources, string Vpc)> EnsureGroupsAsync(Cluster cluster, ClusterProfile profile)
    {
        var vpc = await CreateVpcAsync();
        var resources = await ResourcesAsync(cluster);
        await new SecurityGroupKind(resources).EnsureAsync(vpc, "10.0.0.0/16", "internet-facing", SecurityGroupKind.TrafficOf(cluster, profile), CancellationToken.None);
        return (resources, vpc);
    }

    /// <summary>A group's rules from the cluster's own groups, as <c>protocol/from-to&lt;source role</c>.</summary>
    private async Task<List<string>> RulesAsync(ClusterResources resources, string role)
    {
        var names = SecurityGroupRoles.All.ToDictionary(r => resources.Id(ResourceKinds.SecurityGroup, r), r => r);
        var group = (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [resources.Id(ResourceKinds.SecurityGroup, role)] })).SecurityGroups[0];
        return [.. group.IpPermissions.SelectMany(p => (p.UserIdGroupPairs ?? []).Where(g => names.ContainsKey(g.GroupId))
            .Select(g => $"{p.IpProtocol}/{(p.IpProtocol is "tcp" or "udp" or "icmp" ? $"{p.FromPort}-{p.ToPort}" : "all")}<{names[g.GroupId]}"))];
    }

    [Fact]
    public async Task A_calico_clusters_groups_admit_BGP_and_IP_in_IP_from_both_node_groups_and_kubeadms_ports()
    {
        var cluster = Cluster();
        var (resources, _) = await EnsureGroupsAsync(cluster, Profile("calico"));

        foreach (var role in new[] { SecurityGroupRoles.ControlPlane, SecurityGroupRoles.Node })
        {
            var rules = await RulesAsync(resources, role);
            rules.Should().Contain(["tcp/179-179<controlplane", "tcp/179-179<node", "4/all<controlplane", "4/all<node",
                "tcp/10250-10250<controlplane", "tcp/10250-10250<node"], role);
            rules.Should().NotContain(r => r.StartsWith("udp/4789", StringComparison.Ordinal), role);
        }
        (await RulesAsync(resources, SecurityGroupRoles.ControlPlane)).Should().Contain(["tcp/6443-6443<apiserver-lb", "tcp/2379-2380<controlplane"])
            .And.NotContain("tcp/2379-2380<node").And.NotContain(r => r.StartsWith("tcp/10259", StringComparison.Ordinal));
        (await RulesAsync(resources, SecurityGroupRoles.Node)).Should().Contain(["tcp/30000-32767<node"]);

        // The cloud controller manager (configured with the cluster's name) finds the nodes' group by this tag.
        var groups = (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
        {
            GroupIds = [.. SecurityGroupRoles.All.Select(r => resources.Id(ResourceKinds.SecurityGroup, r))],
        })).SecurityGroups;
        groups.Should().HaveCount(3).And.OnlyContain(g => g.Tags.Any(t => t.Key == "kubernetes.io/cluster/demo" && t.Value == "owned"));
    }

    [Fact]
    public async Task A_cilium_clusters_groups_admit_VXLAN_and_its_health_checks()
    {
        var cluster = Cluster();
        var (resources, _) = await EnsureGroupsAsync(cluster, Profile("cilium"));

        foreach (var role in new[] { SecurityGroupRoles.ControlPlane, SecurityGroupRoles.Node })
            (await RulesAsync(resources, role)).Should().Contain(["udp/8472-8472<node", "udp/8472-8472<controlplane", "tcp/4240-4240<node", "icmp/8--1<controlplane"])
                .And.NotContain(r => r.StartsWith("tcp/179", StringComparison.Ordinal) || r.StartsWith("4/", StringComparison.Ordinal), role);
    }

    [Fact]
    public async Task A_day_2_change_to_VXLAN_adds_its_rule_and_keeps_the_ones_the_running_CNI_still_uses()
    {
        var (resources, _) = await EnsureGroupsAsync(Cluster(), Profile("calico"));
        var nodeGroup = resources.Id(ResourceKinds.SecurityGroup, SecurityGroupRoles.Node);
        // The cloud controller manager opens a NodePort to its load balancer's clients: not ours to touch.
        await Ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = nodeGroup,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = 31080, ToPort = 31080, Ipv4Ranges = [new IpRange { CidrIp = "0.0.0.0/0" }] }],
        });

        var changed = Cluster(new Dictionary<string, string> { ["calico"] = "encapsulation: VXLAN\n" });
        var again = await ResourcesAsync(changed);
        var traffic = SecurityGroupKind.TrafficOf(changed, Profile("calico"));

        // An update adds what the new values need; what the old ones needed stays (the running CNI still uses it).
        var added = await new SecurityGroupKind(again).ReconcileAsync(traffic, CancellationToken.None);
        added.Should().Contain(["+controlplane:udp/4789", "+node:udp/4789"]).And.OnlyContain(c => c.StartsWith('+'));
        foreach (var role in new[] { SecurityGroupRoles.ControlPlane, SecurityGroupRoles.Node })
            (await RulesAsync(again, role)).Should().Contain(["udp/4789-4789<node", "udp/4789-4789<controlplane", "4/all<node", "tcp/10250-10250<node"], role);
        (await RulesAsync(again, SecurityGroupRoles.Node)).Should().Contain(r => r.StartsWith("tcp/179", StringComparison.Ordinal));
        var node = (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [nodeGroup] })).SecurityGroups[0];
        node.IpPermissions.Should().Contain(p => p.FromPort == 31080 && p.Ipv4Ranges.Any(r => r.CidrIp == "0.0.0.0/0"));

        // Nothing more to do the second time.
        (await new SecurityGroupKind(again).ReconcileAsync(traffic, CancellationToken.None)).Should().BeEmpty();
    }

    [Theory]
    [InlineData("24.04", "noble")]
    [InlineData("22.04", "jammy")]
    public async Task The_os_pack_chooses_the_image_the_nodes_launch_from(string release, string codename)
    {
        var cluster = Cluster();
        _inventory.Items.Add(new InventoryItem
        {
            Kind = ResourceKinds.LoadBalancer, Id = "lb", Role = "apiserver-lb", Name = "lb", RecordedAt = DateTimeOffset.UnixEpoch,
            Attributes = new Dictionary<string, string> { ["dnsName"] = "api.example" },
        });
        var resources = await ResourcesAsync(cluster);

        var launch = await new NodePoolKind(resources).PrepareLaunchAsync(ClusterPlan.Build(cluster), Profile("calico", release), "sha256:0", ["m5.large"], CancellationToken.None);

        var image = (await Ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [launch.ImageByInstanceType["m5.large"]] })).Images.Single();
        image.Name.Should().Contain($"/ubuntu-{codename}-{release}-amd64-server-");
        image.OwnerId.Should().Be("099720109477");
    }
}
