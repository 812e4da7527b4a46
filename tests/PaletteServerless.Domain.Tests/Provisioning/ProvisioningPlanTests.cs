using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Tests.Provisioning;

public sealed class ProvisioningPlanTests
{
    private static Cluster ClusterOf(ClusterSpec spec) => new()
    {
        Scope = new ProjectScope("acme", "demo"),
        Uid = "0123456789abcdef0123456789abcdef",
        Spec = ClusterSpecValidator.Validate(spec),
        Status = ClusterStatus.Provisioning,
    };

    private static ClusterSpec Spec(string[] zones, int workers = 2, string vpcCidr = "10.0.0.0/16", List<TaintSpec>? taints = null, Dictionary<string, string>? labels = null) => new()
    {
        Name = "demo-cluster",
        Tags = new() { ["team"] = "platform" },
        CloudAccount = "main",
        Profile = new ProfileReference { Name = "ubuntu-k8s", Version = "1.0.0", PackValues = new() { ["calico"] = "mtu: 1400\nextra: {a: 1}" } },
        Cloud = new CloudSpec { Region = "us-east-1", SshKeyName = "key", VpcCidr = vpcCidr },
        NodePools =
        [
            new NodePoolSpec { Name = "cp", Role = "control-plane", Count = 3, InstanceType = "m5.large", AvailabilityZones = [.. zones] },
            new NodePoolSpec
            {
                Name = "workers", Role = "worker", Count = workers, InstanceType = "t3.large", AvailabilityZones = [.. zones],
                CapacityType = "spot", MaxSpotPrice = 0.03m, Taints = taints, Labels = labels,
            },
        ],
    };

    private static readonly ClusterProfile Profile = new()
    {
        Name = "ubuntu-k8s",
        Version = "1.0.0",
        Packs =
        [
            new Pack { Layer = "os", Name = "ubuntu", Version = "22.04", Values = "" },
            new Pack { Layer = "k8s", Name = "kubernetes", Version = "1.30.4", Values = "podCIDR: 192.168.0.0/16" },
            new Pack { Layer = "cni", Name = "calico", Version = "3.27.0", Values = "mtu: 1440\nextra: {b: 2}" },
            new Pack { Layer = "csi", Name = "ebs", Version = "1.30.0", Values = "" },
        ],
    };

    [Fact]
    public void The_VPC_is_split_into_a_public_and_a_private_subnet_per_zone_without_overlap()
    {
        var zones = ClusterPlan.SplitVpc("10.0.0.0/16", ["us-east-1a", "us-east-1b", "us-east-1c"]);

        zones.Select(z => z.PublicSubnetCidr).Should().Equal("10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19");
        zones.Select(z => z.PrivateSubnetCidr).Should().Equal("10.0.96.0/19", "10.0.128.0/19", "10.0.160.0/19");
    }

    [Fact]
    public void A_VPC_too_small_for_its_zones_is_refused_on_cloud_vpcCidr()
    {
        ClusterPlan.SplitVpc("10.0.0.0/24", ["a", "b", "c", "d"]).Should().HaveCount(4, "/24 in eight /27 blocks fits four zones");
        ClusterPlan.SplitVpc("10.0.0.0/24", ["a", "b", "c", "d", "e", "f", "g", "h"]).Should().HaveCount(8, "sixteen /28 blocks, the smallest EC2 allows");
        var tooSmall = () => ClusterPlan.SplitVpc("10.0.0.0/24", ["a", "b", "c", "d", "e", "f", "g", "h", "i"]);
        tooSmall.Should().Throw<ValidationFailedException>().Which.Errors.Single().Field.Should().Be("cloud.vpcCidr");
    }

    [Fact]
    public void Instances_spread_round_robin_over_their_pools_zones_with_distinct_client_tokens()
    {
        var plan = ClusterPlan.Build(ClusterOf(Spec(["us-east-1a", "us-east-1b"], workers: 3)));

        plan.Instances.Where(i => i.Pool == "cp").Select(i => i.AvailabilityZone).Should().Equal("us-east-1a", "us-east-1b", "us-east-1a");
        plan.Instances.Select(i => i.ClientToken).Should().OnlyHaveUniqueItems().And.OnlyContain(t => t.Length <= 64);
        plan.Instances.Single(i => i.IsFirstControlPlane).Name.Should().Be("demo-cluster-cp-0");
        plan.LoadBalancerName.Length.Should().BeLessThanOrEqualTo(32);
        plan.TargetGroupName.Length.Should().BeLessThanOrEqualTo(32);
    }

    [Fact]
    public void The_plan_summary_prices_what_costs_money_and_counts_every_resource()
    {
        var cluster = ClusterOf(Spec(["us-east-1a", "us-east-1b"]));
        var summary = PlanSummary.Of(cluster, ClusterPlan.Build(cluster));

        summary.Resources.Single(r => r.Kind == ResourceKinds.NatGateway).Count.Should().Be(2);
        summary.Resources.Single(r => r.Kind == ResourceKinds.NatGateway).HourlyCostUsd.Should().Be(2 * Prices.NatGatewayHour);
        summary.Resources.Where(r => r.Kind == ResourceKinds.Subnet).Should().HaveCount(4);
        // Spot with a max price under on-demand is priced at the max price.
        summary.Resources.Single(r => r.Kind == ResourceKinds.Instance && r.Name.EndsWith("workers")).HourlyCostUsd.Should().Be(2 * 0.03m);
        summary.EstimatedHourlyCostUsd.Should().BeGreaterThan(0).And.Be(Math.Round(summary.Resources.Sum(r => r.HourlyCostUsd ?? 0), 4));
    }

    [Fact]
    public void User_data_joins_with_the_pools_taints_and_labels_and_merges_pack_values()
    {
        var cluster = ClusterOf(Spec(["us-east-1a"], taints: [new TaintSpec { Key = "dedicated", Value = "batch", Effect = "NoExecute" }], labels: new() { ["tier"] = "batch" }));
        var plan = ClusterPlan.Build(cluster);
        var secrets = ClusterSecrets.Generate(cluster.Name, DateTimeOffset.UtcNow);

        var worker = UserData.Build(cluster, Profile, plan.Instances.First(i => i.Pool == "workers"), "api.example", secrets.CaCertHash);
        var first = UserData.Build(cluster, Profile, plan.Instances.First(i => i.IsFirstControlPlane), "api.example", secrets.CaCertHash);
        var secondControlPlane = UserData.Build(cluster, Profile, plan.Instances.First(i => i.Pool == "cp" && i.Index == 1), "api.example", secrets.CaCertHash);

        worker.Should().StartWith("#cloud-config").And.Contain("kubeadm join").And.Contain("apiServerEndpoint: api.example:6443")
            .And.Contain("key: dedicated").And.Contain("effect: NoExecute").And.Contain("tier=batch").And.Contain(secrets.CaCertHash)
            .And.NotContain("PRIVATE KEY");
        first.Should().Contain("kubeadm init").And.Contain("kubernetesVersion: v1.30.4").And.Contain("podSubnet: 192.168.0.0/16");
        secondControlPlane.Should().Contain("kubeadm join").And.Contain("certificateKey: '@CERTIFICATE_KEY@'");
        // No secret travels in user data: each node fetches them from its cluster's path at boot.
        foreach (var userData in new[] { worker, first, secondControlPlane })
        {
            userData.Should().NotContain(secrets.BootstrapToken).And.NotContain(secrets.CertificateKey).And.NotContain("-----BEGIN PRIVATE KEY-----")
                .And.Contain("aws ssm get-parameter").And.Contain($"PALETTE_SECRETS_PATH='/palette-serverless/{cluster.Scope.Tenant}/{cluster.Uid}'");
        }
        first.Should().Contain("get ca > /etc/palette/ca.pem").And.Contain(UserData.RefreshTimerName)
            .And.Contain("kind: ClusterRoleBinding").And.Contain("name: palette:cluster-admins").And.Contain("apply -f " + UserData.RbacManifestPath);
        worker.Should().NotContain("ClusterRoleBinding").And.NotContain(UserData.PacksScriptPath).And.NotContain("/etc/palette/packs/",
            "only the node that installs the packs carries their values");

        secondControlPlane.Should().Contain(UserData.RefreshTimerName).And.NotContain("get ca >");
        worker.Should().NotContain(UserData.RefreshTimerName).And.NotContain("get certificate-key");
        var calico = UserData.MergedPackValues(cluster, Profile)["calico"];
        calico.Should().Contain("mtu: 1400").And.Contain("a: 1").And.Contain("b: 2");
    }

    [Fact]
    public void Every_resource_is_tagged_with_the_users_tags_and_ownership_that_users_cannot_override()
    {
        var cluster = ClusterOf(Spec(["us-east-1a"]) with { Tags = new() { ["team"] = "platform", ["Name"] = "mine" } });

        var tags = ResourceTags.For(cluster, "demo-cluster-vpc", "common");

        tags.Should().Contain("team", "platform").And.Contain("Name", "demo-cluster-vpc")
            .And.Contain(OwnershipTags.ClusterUid, cluster.Uid).And.Contain("kubernetes.io/cluster/demo-cluster", "owned")
            .And.Contain("sigs.k8s.io/cluster-api-provider-aws/cluster/demo-cluster", "owned").And.Contain(ResourceTags.CapaRole, "common");
        tags.Count.Should().BeLessThanOrEqualTo(ResourceTags.ReservedTagCount + cluster.Spec.Tags!.Count);
    }

    [Fact]
    public void Leftovers_are_typed_as_the_product_doc_names_them_and_costed()
    {
        LeftoverReport.TypeOf(ResourceKinds.ElasticIp).Should().Be("Elastic IP");
        LeftoverReport.TypeOf(ResourceKinds.Volume).Should().Be("EBS volume");
        LeftoverReport.TypeOf(ResourceKinds.SecurityGroup).Should().Be("other");
        var report = LeftoverReport.Of("c",
        [
            new Leftover("NAT gateway", "nat-1", ResourceKinds.NatGateway, "1", "us-east-1", "r", LeftoverReport.HourlyCost(ResourceKinds.NatGateway)),
            new Leftover("Elastic IP", "eip-1", ResourceKinds.ElasticIp, "1", "us-east-1", "r", LeftoverReport.HourlyCost(ResourceKinds.ElasticIp)),
        ], DateTimeOffset.UnixEpoch);
        report.EstimatedHourlyCostUsd.Should().Be(Prices.NatGatewayHour + Prices.PublicIpv4Hour);
    }
}
