using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;
using Fixture = PaletteServerless.Domain.Tests.Provisioning.UserDataFixture;

namespace PaletteServerless.Domain.Tests.InCluster;

/// <summary>
/// Which changes the in-cluster agent applies in place and which repave: a profile version (or the cluster's
/// pack values) that changes only network, storage or addon packs is in the cluster; one that changes the OS
/// or Kubernetes pack (version or values) is the nodes'; settings.rbac is in the cluster.
/// </summary>
public sealed class ChangeScopeTests
{
    private static readonly Cluster Demo = Fixture.Cluster;
    private static readonly ClusterProfile Profile = Fixture.Profile;

    private static readonly Dictionary<string, string> NoValues = [];

    private static ClusterProfile With(Func<Pack, Pack> change) =>
        Profile with { Version = "1.1.0", Packs = [.. Profile.Packs!.Select(change)] };

    private static string Scope(ClusterProfile next, IReadOnlyDictionary<string, string>? nextValues = null) =>
        ChangeScope.OfProfiles(Profile, NoValues, next, nextValues ?? NoValues);

    [Fact]
    public void A_new_profile_version_with_the_same_packs_changes_nothing()
    {
        Scope(Profile with { Version = "1.0.1" }).Should().Be(ChangeScope.None);
    }

    [Fact]
    public void A_profile_version_that_only_changes_calicos_values_is_applied_in_the_cluster()
    {
        Scope(With(p => p.Name == "calico" ? p with { Values = "mtu: 1400" } : p)).Should().Be(ChangeScope.InCluster);
    }

    [Fact]
    public void A_new_version_of_the_network_or_storage_pack_or_an_added_or_removed_addon_is_applied_in_the_cluster()
    {
        Scope(With(p => p.Name == "calico" ? p with { Version = "3.27.3" } : p)).Should().Be(ChangeScope.InCluster);
        Scope(Profile with { Packs = [.. Profile.Packs!, new Pack { Layer = "addon", Name = "nginx", Version = "4.10.0", Values = "" }] }).Should().Be(ChangeScope.InCluster);
        Scope(Profile with { Packs = [.. Profile.Packs!.Where(p => p.Layer != "csi")] }).Should().Be(ChangeScope.InCluster);
    }

    [Fact]
    public void A_different_kubernetes_or_os_pack_version_repaves_the_nodes_whatever_else_changes()
    {
        Scope(With(p => p.Name == "kubernetes" ? p with { Version = "1.31.2" } : p)).Should().Be(ChangeScope.Nodes);
        Scope(With(p => p.Name == "ubuntu" ? p with { Version = "24.04" } : p.Name == "calico" ? p with { Values = "mtu: 1400" } : p)).Should().Be(ChangeScope.Nodes);
        Scope(With(p => p.Name == "kubernetes" ? p with { Version = "v1.30.4" } : p)).Should().Be(ChangeScope.None, "v1.30.4 is 1.30.4");
    }

    [Fact]
    public void The_clusters_own_values_count_merged_kubernetes_values_are_the_nodes_the_others_the_clusters()
    {
        Scope(Profile, new Dictionary<string, string> { ["calico"] = "mtu: 1400" }).Should().Be(ChangeScope.InCluster);
        Scope(Profile, new Dictionary<string, string> { ["kubernetes"] = "podCIDR: 10.244.0.0/16" }).Should().Be(ChangeScope.Nodes);
        Scope(Profile, new Dictionary<string, string> { ["calico"] = "mtu: 1440" }).Should().Be(ChangeScope.None, "the same merged values");
    }

    [Fact]
    public void Rbac_settings_are_applied_in_the_cluster()
    {
        var rbac = Demo.Spec.Settings!.Rbac!;
        ChangeScope.OfRbac(rbac, rbac.Take(1).ToList()).Should().Be(ChangeScope.InCluster);
        ChangeScope.OfRbac(rbac, [.. rbac]).Should().Be(ChangeScope.None);
        ChangeScope.OfRbac(null, []).Should().Be(ChangeScope.None);
    }

    [Fact]
    public void The_widest_scope_wins_and_node_packs_are_the_catalogs_os_and_kubernetes_packs()
    {
        ChangeScope.Widest(ChangeScope.InCluster, ChangeScope.Nodes).Should().Be(ChangeScope.Nodes);
        ChangeScope.Widest(ChangeScope.None, ChangeScope.InCluster).Should().Be(ChangeScope.InCluster);
        ChangeScope.IsNodePack("kubernetes").Should().BeTrue();
        ChangeScope.IsNodePack("ubuntu").Should().BeTrue();
        ChangeScope.IsNodePack("calico").Should().BeFalse();
        ChangeScope.IsNodePack(PackCatalog.CloudControllerManagerName).Should().BeFalse();
    }

    [Fact]
    public void A_pack_values_change_replaces_no_pool_while_a_kubernetes_values_change_replaces_every_pool()
    {
        var calico = Demo.Spec with { Profile = Demo.Spec.Profile! with { PackValues = new() { ["calico"] = "mtu: 1300" } } };
        ClusterDiff.Of(Demo.Spec, calico).Pools.Should().OnlyContain(p => p.Kind != PoolChangeKinds.Replace);
        var kubernetes = Demo.Spec with { Profile = Demo.Spec.Profile! with { PackValues = new() { ["calico"] = "mtu: 1400", ["kubernetes"] = "podCIDR: 10.244.0.0/16" } } };
        ClusterDiff.Of(Demo.Spec, kubernetes).Pools.Should().OnlyContain(p => p.Kind == PoolChangeKinds.Replace);
    }
}
