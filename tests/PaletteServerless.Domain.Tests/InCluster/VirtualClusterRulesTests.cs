using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.VirtualClusters;
using Fixture = PaletteServerless.Domain.Tests.Provisioning.UserDataFixture;

namespace PaletteServerless.Domain.Tests.InCluster;

/// <summary>The pure rules of virtual clusters: names, when one may be created, the setting going off, what a report moves, the list the agent reads.</summary>
public sealed class VirtualClusterRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    private static Cluster Host(bool enabled = true, string status = ClusterStatus.Running) => Fixture.Cluster with
    {
        Status = status,
        Spec = Fixture.Cluster.Spec with { Settings = new ClusterSettings { VirtualClusters = new VirtualClusterSettings { Enabled = enabled } } },
    };

    private static ClusterProfile ProfileOf(string kubernetes) => Fixture.Profile with
    {
        Packs = [.. Fixture.Profile.Packs!.Select(p => p.Layer == PackLayers.Kubernetes ? p with { Version = kubernetes } : p)],
    };

    private static VirtualCluster Record(string name, string status = VirtualClusterStatus.Pending) => new()
    {
        Name = name, Status = status, Namespace = "vcluster-" + name, ChartVersion = VirtualClusterChart.Pinned.Version,
        CreatedAt = Now, UpdatedAt = Now, CreatedBy = "alice",
    };

    [Theory]
    [InlineData("dev")]
    [InlineData("a")]
    [InlineData("team-a-1")]
    public void A_DNS_label_of_at_most_53_characters_is_a_name(string name) =>
        FluentActions.Invoking(() => VirtualClusterRules.ValidateName("name", name)).Should().NotThrow();

    [Theory]
    [InlineData("")]
    [InlineData("Dev")]
    [InlineData("dev-")]
    [InlineData("dev.one")]
    public void Anything_else_is_a_400_naming_the_field(string name) =>
        FluentActions.Invoking(() => VirtualClusterRules.ValidateName("name", name)).Should().Throw<ValidationFailedException>()
            .Which.Errors.Should().ContainSingle(e => e.Field == "name");

    [Fact]
    public void Fifty_four_characters_is_one_too_many_for_a_helm_release()
    {
        FluentActions.Invoking(() => VirtualClusterRules.ValidateName("name", new string('a', 53))).Should().NotThrow();
        FluentActions.Invoking(() => VirtualClusterRules.ValidateName("name", new string('a', 54))).Should().Throw<ValidationFailedException>();
    }

    [Fact]
    public void A_virtual_cluster_is_created_only_in_a_serving_cluster_with_the_setting_on_a_supported_host_release_and_room()
    {
        VirtualClusterRules.CannotCreate(Host(), ProfileOf("1.32.4"), 0).Should().BeNull();
        VirtualClusterRules.CannotCreate(Host(status: ClusterStatus.Updating), ProfileOf("1.31.0"), 0).Should().BeNull();
        VirtualClusterRules.CannotCreate(Host(enabled: false), ProfileOf("1.32.4"), 0).Should().Contain("settings.virtualClusters.enabled");
        VirtualClusterRules.CannotCreate(Host(status: ClusterStatus.Provisioning), ProfileOf("1.32.4"), 0).Should().Contain("Provisioning");
        VirtualClusterRules.CannotCreate(Host(), ProfileOf("1.30.4"), 0).Should().Contain("1.31 to 1.33");
        VirtualClusterRules.CannotCreate(Host(), ProfileOf("1.34.1"), 0).Should().Contain("1.31 to 1.33");
        VirtualClusterRules.CannotCreate(Host(), ProfileOf("1.32.4"), VirtualClusterRules.MaxPerCluster).Should().Contain("the most");
    }

    [Fact]
    public void Turning_the_setting_off_while_any_exists_is_a_409_naming_each_with_its_status()
    {
        var on = Host().Spec;
        var off = Host(enabled: false).Spec;
        FluentActions.Invoking(() => VirtualClusterRules.DemandNoneWhenOff(on, off, [Record("a"), Record("b", VirtualClusterStatus.Deleting)]))
            .Should().Throw<ConflictException>().WithMessage("*a (Pending), b (Deleting)*");
        FluentActions.Invoking(() => VirtualClusterRules.DemandNoneWhenOff(on, off, [])).Should().NotThrow();
        FluentActions.Invoking(() => VirtualClusterRules.DemandNoneWhenOff(on, on, [Record("a")])).Should().NotThrow();
    }

    [Fact]
    public void A_report_moves_Pending_to_Running_or_Failed_and_a_Deleting_one_reported_Deleted_or_without_a_report_is_gone()
    {
        VirtualClusterRules.Observe(Record("a"), new VirtualClusterReport { Status = "Running", Kubeconfig = "x" }, Now)!.Status.Should().Be("Running");
        var failed = VirtualClusterRules.Observe(Record("a"), new VirtualClusterReport { Status = "Failed", Message = "vcluster-0.26.0: boom" }, Now)!;
        (failed.Status, failed.StatusReason).Should().Be(("Failed", "vcluster-0.26.0: boom"));
        VirtualClusterRules.Observe(Record("a"), new VirtualClusterReport { Status = "Pending" }, Now).Should().Be(Record("a"));
        VirtualClusterRules.Observe(Record("a"), null, Now).Should().Be(Record("a"));
        VirtualClusterRules.Observe(Record("a", "Running"), new VirtualClusterReport { Status = "Running" }, Now).Should().Be(Record("a", "Running"));

        VirtualClusterRules.Observe(Record("a", "Deleting"), new VirtualClusterReport { Status = "Running" }, Now)!.Status.Should().Be("Deleting");
        VirtualClusterRules.Observe(Record("a", "Deleting"), new VirtualClusterReport { Status = "Deleted" }, Now).Should().BeNull();
        VirtualClusterRules.Observe(Record("a", "Deleting"), null, Now).Should().BeNull();
    }

    [Fact]
    public void The_list_names_the_pinned_chart_each_report_parameter_under_the_clusters_path_and_asks_Deleting_ones_absent()
    {
        var host = Host();
        var list = DesiredVirtualClusters.Of(host, [Record("b", "Deleting"), Record("a", "Running")]);
        list.Enabled.Should().BeTrue();
        list.Chart.Should().Be(new DesiredVirtualClusterChart("https://charts.loft.sh", "vcluster", "0.26.0"));
        list.Items.Select(i => (i.Name, i.State)).Should().Equal(("a", "present"), ("b", "absent"));
        list.Items[0].Should().Be(new DesiredVirtualCluster("a", "vcluster-a", "present", "vc-a", $"/palette-serverless/{host.Scope.Tenant}/{host.Uid}/virtual-cluster/a"));
        DesiredVirtualClusters.ParameterName(host).Should().Be($"/palette-serverless/{host.Scope.Tenant}/{host.Uid}/virtual-clusters");
        DesiredVirtualClusters.FromJson(list.ToJson()).Should().BeEquivalentTo(list);
        VirtualClusterReport.Parse(VirtualClusterReport.Initial)!.Status.Should().Be("Pending");
        VirtualClusterReport.Parse("not json").Should().BeNull();
    }

    [Fact]
    public void The_chart_names_its_source_and_supports_the_hosts_of_its_range_only()
    {
        var chart = VirtualClusterChart.Pinned;
        chart.Source.Should().StartWith("https://github.com/loft-sh/vcluster/releases/tag/v" + chart.Version);
        chart.SupportsHost("1.31.0").Should().BeTrue();
        chart.SupportsHost("v1.33.2").Should().BeTrue();
        chart.SupportsHost("1.30.4").Should().BeFalse();
        chart.SupportsHost("1.34.0").Should().BeFalse();
    }
}
