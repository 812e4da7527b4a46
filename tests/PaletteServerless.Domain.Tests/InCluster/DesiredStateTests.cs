using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using Fixture = PaletteServerless.Domain.Tests.Provisioning.UserDataFixture;

namespace PaletteServerless.Domain.Tests.InCluster;

/// <summary>The desired in-cluster state the product writes and the agent applies, and how the agent's reports are read.</summary>
public sealed class DesiredStateTests
{
    private static readonly Cluster Demo = Fixture.Cluster;
    private static readonly ClusterProfile Profile = Fixture.Profile;

    private static Cluster At(long generation, Func<ClusterSpec, ClusterSpec>? change = null) =>
        Demo with { Generation = generation, Spec = (change ?? (s => s))(Demo.Spec) };

    [Fact]
    public void It_holds_the_generation_and_every_in_cluster_pack_in_install_order_with_merged_values_and_no_node_pack()
    {
        var state = DesiredState.Of(At(4), Profile);

        state.Generation.Should().Be(4);
        state.Cluster.Should().Be("demo-cluster");
        state.Packs.Select(p => p.Name).Should().Equal("aws-cloud-controller-manager", "calico", "aws-ebs-csi");
        state.Packs.Should().NotContain(p => p.Name == "kubernetes" || p.Name == "ubuntu", "a node is launched with those");
        var calico = state.Packs.Single(p => p.Name == "calico");
        calico.Kind.Should().Be("manifest");
        calico.Values.Should().Contain("mtu: 1400", "the cluster's value over the profile's");
        calico.Calico.Should().Be(new CalicoEdits("Always", "Never", true), "the published manifest's pool");
        var csi = state.Packs.Single(p => p.Name == "aws-ebs-csi");
        (csi.Kind, csi.Chart, csi.Namespace).Should().Be(("helm", "aws-ebs-csi-driver", "kube-system"));
        state.Packs[0].Values.Should().Contain("--cluster-name=demo-cluster");
    }

    [Fact]
    public void Calico_values_become_the_pool_edits_and_typha_its_manifest()
    {
        var state = DesiredState.Of(At(2, s => s with { Profile = s.Profile! with { PackValues = new() { ["calico"] = "encapsulation: VXLAN\nbgp: Disabled\ntypha: true\n" } } }), Profile);

        var calico = state.Packs.Single(p => p.Name == "calico");
        calico.Calico.Should().Be(new CalicoEdits("Never", "Always", false));
        calico.Url.Should().EndWith("/calico-typha.yaml");
    }

    [Fact]
    public void The_rbac_manifest_and_the_settings_bindings_it_holds_are_named_for_pruning()
    {
        var state = DesiredState.Of(At(3), Profile);

        state.Rbac.Manifest.Should().Be(KubernetesGroups.RbacBindingsManifest(Demo.Spec.Settings!.Rbac));
        state.Rbac.Bindings.Should().Equal("ClusterRoleBinding/palette-settings-0", "RoleBinding/team-a/palette-settings-1");
        DesiredState.Of(At(4, s => s with { Settings = s.Settings! with { Rbac = [] } }), Profile).Rbac.Bindings.Should().BeEmpty();
    }

    [Fact]
    public void The_parameter_is_beside_the_secrets_compressed_and_reads_back_as_the_same_document()
    {
        var state = DesiredState.Of(At(5), Profile);

        DesiredState.ParameterName(Demo).Should().Be($"/palette-serverless/acme/{Demo.Uid}/desired-state");
        var value = state.ToParameterValue();
        value.Length.Should().BeLessThanOrEqualTo(DesiredState.MaxParameterChars);
        var back = DesiredState.FromParameterValue(value)!;
        back.ToJson().Should().Be(state.ToJson());
        back.Schema.Should().Be(DesiredState.CurrentSchema);
        DesiredState.FromParameterValue("not base64 gzip").Should().BeNull();
    }

    [Fact]
    public void Values_too_large_even_compressed_are_refused_naming_the_limit()
    {
        var noise = string.Concat(Enumerable.Range(0, 700).Select(i => $"k{i}: {Guid.NewGuid():N}\n"));
        var state = DesiredState.Of(At(2, s => s with { Profile = s.Profile! with { PackValues = new() { ["calico"] = noise } } }), Profile);

        var act = () => state.ToParameterValue();
        act.Should().Throw<InvalidOperationException>().WithMessage("*8192*");
    }

    [Fact]
    public void Only_control_planes_learn_the_parameter_and_the_agents_tag_keys_from_node_env()
    {
        var plan = ClusterPlan.Build(Demo);
        var controlPlane = NodeEnv.Of(Demo, Profile, plan.Instances.First(i => i.Role == "control-plane"), null).ToDictionary();
        var worker = NodeEnv.Of(Demo, Profile, plan.Instances.First(i => i.Role == "worker"), null).ToDictionary();

        controlPlane[NodeEnv.DesiredState].Should().Be(DesiredState.ParameterName(Demo));
        controlPlane[NodeEnv.AgentGenerationTag].Should().Be(NodePhases.AgentGenerationTagKey);
        worker.Should().NotContainKey(NodeEnv.DesiredState);
    }

    [Fact]
    public void The_agents_progress_is_applied_at_that_generation_or_newer_failed_with_the_pack_and_error_or_pending()
    {
        AgentProgress.Of(3, [new AgentReport("i-1", "3", "applied")]).Applied.Should().BeTrue();
        AgentProgress.Of(3, [new AgentReport("i-1", "4", "applied")]).Applied.Should().BeTrue();
        AgentProgress.Of(3, [new AgentReport("i-1", "2", "applied")]).Should().Be(AgentProgress.Pending);
        AgentProgress.Of(3, [new AgentReport("i-1", null, null), new AgentReport("i-2", "x", "applied")]).Should().Be(AgentProgress.Pending);
        var failed = AgentProgress.Of(3, [new AgentReport("i-1", "3", "failed: calico-3.27.0: error: unable to recognize")]);
        failed.Applied.Should().BeFalse();
        failed.Failure.Should().Be("calico-3.27.0: error: unable to recognize");
        AgentProgress.Of(3, [new AgentReport("i-1", "3", "failed: x"), new AgentReport("i-2", "3", "applied")]).Applied.Should().BeTrue();
    }
}
