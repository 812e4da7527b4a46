using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Validation;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests.Changes;

/// <summary>The version skew rules of a Kubernetes upgrade, and the order it replaces nodes in.</summary>
public class KubernetesUpgradeTests
{
    private static readonly ClusterSpec Spec = ClusterSpecValidator.Validate(Valid() with
    {
        NodePools = [ControlPlane(3), Specs.Worker(), Specs.Worker("gpu") with { Count = 1 }],
    });

    private static ValidationError Refused(string from, string to)
    {
        var refused = FluentActions.Invoking(() => KubernetesUpgrade.Plan(Spec, "2.0.0", from, to)).Should().Throw<ValidationFailedException>().Which;
        return refused.Errors.Should().ContainSingle().Which;
    }

    [Theory]
    [InlineData("1.30.4", "1.31.2")]
    [InlineData("1.30.4", "1.30.9")]
    [InlineData("v1.33.0", "1.34.1")]
    public void The_next_minor_or_a_newer_patch_is_an_upgrade(string from, string to)
    {
        var plan = KubernetesUpgrade.Plan(Spec, "2.0.0", from, to)!;
        plan.From.Should().Be(from.TrimStart('v'));
        plan.To.Should().Be(to);
    }

    [Fact]
    public void The_same_Kubernetes_version_is_no_upgrade() =>
        KubernetesUpgrade.Plan(Spec, "2.0.0", "1.31.2", "v1.31.2").Should().BeNull();

    [Theory]
    [InlineData("1.31.2", "1.30.4")]
    [InlineData("1.31.2", "1.31.1")]
    public void A_downgrade_is_refused_naming_profile_version(string from, string to)
    {
        var error = Refused(from, to);
        error.Field.Should().Be("profile.version");
        error.Message.Should().Contain("never downgraded").And.Contain(from);
    }

    [Fact]
    public void A_skipped_minor_is_refused_naming_profile_version_and_the_next_allowed_minor()
    {
        var error = Refused("1.31.2", "1.33.1");
        error.Field.Should().Be("profile.version");
        error.Message.Should().Contain("one minor at a time").And.Contain("the next allowed minor is 1.32");
    }

    [Fact]
    public void Control_planes_go_first_then_the_workers_in_turn_or_in_parallel()
    {
        var plan = KubernetesUpgrade.Plan(Spec, "2.0.0", "1.30.4", "1.31.2")!;
        plan.ControlPlanePool.Should().Be("control-plane");
        plan.Stages.Should().BeEquivalentTo(new[] { new[] { "control-plane" }, ["workers"], ["gpu"] }, o => o.WithStrictOrdering());
        plan.Describe().Should().Be("Kubernetes 1.30.4 to 1.31.2: control-plane pool control-plane first, one node at a time " +
            "(each new node joined and healthy before an old one leaves); then worker pools one by one: workers, then gpu");

        var parallel = KubernetesUpgrade.Plan(Spec with { UpdateWorkerPoolsInParallel = true }, "2.0.0", "1.30.4", "1.31.2")!;
        parallel.Stages.Should().BeEquivalentTo(new[] { new[] { "control-plane" }, ["workers", "gpu"] }, o => o.WithStrictOrdering());
        parallel.Describe().Should().EndWith("then worker pools workers, gpu in parallel");
    }

    [Fact]
    public void The_control_plane_rolls_one_node_at_a_time_a_new_one_before_an_old_one_leaves()
    {
        var definition = ClusterDefinition.From(Spec);
        var target = RolloutTarget.Of(definition, definition.NodePools.Single(p => p.IsControlPlane));
        (target.OneAtATime, target.MaxSurge, target.MaxUnavailable).Should().Be((true, 1, 0));
    }

    [Theory]
    [InlineData("1.30", "1.31")]
    [InlineData("1.34", "1.35")]
    public void The_next_minor_follows_its_minor(string minor, string next) => KubernetesUpgrade.NextMinor(minor).Should().Be(next);
}

/// <summary>The catalog's Kubernetes releases and what each pins.</summary>
public class KubernetesCatalogTests
{
    [Fact]
    public void Minors_1_30_through_1_34_each_have_their_cloud_controller_manager_pause_image_and_a_network_pack()
    {
        PackCatalog.KubernetesMinors.Should().Equal("1.30", "1.31", "1.32", "1.33", "1.34");
        foreach (var minor in PackCatalog.KubernetesMinors)
        {
            var ccm = PackCatalog.ImpliedBy(minor + ".0").Should().ContainSingle().Which;
            PackCatalog.MinorOf(ccm.Version).Should().Be(minor, "cloud-provider-aws's minor matches Kubernetes'");
            PackCatalog.PauseImageOf(minor + ".0").Should().StartWith("registry.k8s.io/pause:");
            PackCatalog.Packs.Should().Contain(p => p.Name == "calico" && p.SupportedMinors != null && p.Supports(minor), minor);
        }
        PackCatalog.PauseImageOf("1.30.4").Should().Be("registry.k8s.io/pause:3.9");
        PackCatalog.PauseImageOf("1.31.2").Should().Be("registry.k8s.io/pause:3.10");
        PackCatalog.PauseImageOf("1.34.1").Should().Be("registry.k8s.io/pause:3.10.1");
        PackCatalog.Find("kubernetes", "1.29.10").Should().BeNull("1.29 is past upstream end of life");
    }

    [Fact]
    public void A_network_pack_that_does_not_support_the_profiles_minor_is_refused_naming_the_ones_that_do()
    {
        var profile = new ClusterProfile
        {
            Name = "p", Version = "1.0.0",
            Packs =
            [
                new Pack { Layer = "os", Name = "ubuntu", Version = "22.04" },
                new Pack { Layer = "k8s", Name = "kubernetes", Version = "1.34.1" },
                new Pack { Layer = "cni", Name = "calico", Version = "3.29.0" },
                new Pack { Layer = "csi", Name = "aws-ebs-csi", Version = "1.54.0" },
            ],
        };
        var error = FluentActions.Invoking(() => ClusterProfileValidator.Validate(profile)).Should().Throw<ValidationFailedException>()
            .Which.Errors.Should().ContainSingle().Which;
        error.Field.Should().Be("packs[2].version");
        error.Message.Should().Contain("supports Kubernetes 1.29 to 1.32, not 1.34").And.Contain("3.31.3");
        ClusterProfileValidator.Validate(profile with { Packs = [.. profile.Packs!.Select(p => p.Name == "calico" ? p with { Version = "3.31.3" } : p)] });
    }
}
