using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Tests.Provisioning;

/// <summary>node.env's quoting, the cluster DNS address, and the catalog's per-minor entries the user data reads.</summary>
public sealed class NodeEnvTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("", "''")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$(rm -rf /) `id` ${HOME} \\", "'$(rm -rf /) `id` ${HOME} \\'")]
    [InlineData("a\nb", "'a\nb'")]
    [InlineData("''", "''\\'''\\'''")]
    public void A_value_is_one_single_quoted_word_with_each_quote_escaped(string value, string quoted) =>
        NodeEnv.Quote(value).Should().Be(quoted);

    [Fact]
    public void The_file_is_one_assignment_per_key_in_order()
    {
        NodeEnv.Render([new("PALETTE_REGION", "us-east-1"), new("PALETTE_CLUSTER_NAME", "o'brien")]).Split('\n').Skip(1)
            .Should().Equal("PALETTE_REGION='us-east-1'", "PALETTE_CLUSTER_NAME='o'\\''brien'", "");
    }

    [Theory]
    [InlineData("10.96.0.0/12", "10.96.0.10")]
    [InlineData("172.20.0.0/16", "172.20.0.10")]
    [InlineData("10.100.0.0/24", "10.100.0.10")]
    [InlineData(" 10.96.0.0/12 ", "10.96.0.10")]
    [InlineData("fd00:10:96::/112", "fd00:10:96::a")]
    public void The_cluster_DNS_is_the_tenth_address_of_the_service_CIDR_as_kubeadm_makes_it(string cidr, string dns) =>
        NodeEnv.ClusterDnsOf(cidr).Should().Be(dns);

    [Theory]
    [InlineData("not-a-cidr")]
    [InlineData("10.96.0.0/30")]
    public void A_service_CIDR_that_is_not_one_or_too_small_is_a_format_error(string cidr) =>
        FluentActions.Invoking(() => NodeEnv.ClusterDnsOf(cidr)).Should().Throw<FormatException>();

    [Theory]
    [InlineData("v1.30.4", "1.30.10", "registry.k8s.io/pause:3.9")]
    [InlineData("1.31.2", "1.31.9", "registry.k8s.io/pause:3.10")]
    [InlineData("1.32.0", "1.32.8", "registry.k8s.io/pause:3.10")]
    [InlineData("1.33.1", "1.33.4", "registry.k8s.io/pause:3.10")]
    [InlineData("1.34.1", "1.34.3", "registry.k8s.io/pause:3.10.1")]
    public void Each_Kubernetes_minor_has_its_cloud_controller_manager_and_pause_image(string kubernetes, string controller, string pause)
    {
        var implied = PackCatalog.ImpliedBy(kubernetes).Should().ContainSingle().Subject;
        implied.Name.Should().Be(PackCatalog.CloudControllerManagerName);
        implied.Layer.Should().Be(PackLayers.Cloud);
        implied.Version.Should().Be(controller);
        var chart = implied.Install.Should().BeOfType<HelmChartInstall>().Subject;
        chart.Repository.Should().Be("https://kubernetes.github.io/cloud-provider-aws");
        chart.Chart.Should().Be("aws-cloud-controller-manager");
        implied.DefaultValues.Should().Contain($"tag: v{controller}");
        PackCatalog.PauseImageOf(kubernetes).Should().Be(pause);
    }

    [Fact]
    public void Every_catalog_minor_has_a_cloud_controller_manager_and_no_profile_may_name_one()
    {
        foreach (var minor in PackCatalog.Packs.Where(p => p.Layer == PackLayers.Kubernetes).Select(p => p.Version))
            PackCatalog.ImpliedBy(minor + ".0").Should().ContainSingle(minor);
        PackCatalog.ImpliedBy("1.29.0").Should().BeEmpty();
        PackCatalog.Names.Should().NotContain(PackCatalog.CloudControllerManagerName);

        var profile = new ClusterProfile
        {
            Name = "p", Version = "1.0.0",
            Packs =
            [
                new Pack { Layer = "os", Name = "ubuntu", Version = "22.04" },
                new Pack { Layer = "k8s", Name = "kubernetes", Version = "1.30.4" },
                new Pack { Layer = "cni", Name = "calico", Version = "3.27.0" },
                new Pack { Layer = "csi", Name = "aws-ebs-csi", Version = "1.30.0" },
                new Pack { Layer = "addon", Name = "aws-cloud-controller-manager", Version = "1.30.10" },
            ],
        };
        FluentActions.Invoking(() => ClusterProfileValidator.Validate(profile)).Should().Throw<Errors.ValidationFailedException>()
            .Which.Errors.Should().ContainSingle(e => e.Field == "packs[4].name" && e.Message.Contains("part of every cluster"));
    }
}
