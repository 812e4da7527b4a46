using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests.Changes;

public class ClusterUpdatesTests
{
    private static readonly ClusterSpec Spec = ClusterSpecValidator.Validate(Valid());

    private static Cluster Running(Dictionary<string, string>? applied = null) => new()
    {
        Scope = new ProjectScope("acme", "web"), Uid = "u1", Spec = Spec, Status = ClusterStatus.Running,
        Version = 4, Generation = 1, ObservedGeneration = 1, AppliedFingerprints = applied,
    };

    [Fact]
    public void Tag_changes_set_what_is_new_or_different_remove_what_is_gone_and_never_touch_the_products_own_tags()
    {
        var (set, remove) = ClusterUpdates.TagChanges(
            new Dictionary<string, string> { ["team"] = "a", ["old"] = "x", ["same"] = "1", ["palette.serverless/cluster-uid"] = "u1" },
            new Dictionary<string, string> { ["team"] = "b", ["same"] = "1", ["new"] = "", ["Name"] = "mine", ["kubernetes.io/cluster/demo"] = "shared" });

        set.Should().BeEquivalentTo(new Dictionary<string, string> { ["team"] = "b", ["new"] = "" });
        remove.Should().Equal("old");
        ClusterUpdates.TagChanges(null, null).Set.Should().BeEmpty();
    }

    [Fact]
    public void A_node_without_a_recorded_fingerprint_counts_as_launched_from_the_spec_last_applied()
    {
        var workers = Spec.NodePools!.First(p => p.Role == NodePoolRoles.Worker);
        var applied = ClusterUpdates.Fingerprints(Spec);
        var cluster = Running(applied);

        ClusterUpdates.NodeFingerprint(cluster, workers.Name!, null).Should().Be(LaunchFingerprint.Of(Spec, workers));
        ClusterUpdates.NodeFingerprint(cluster, workers.Name!, "lf1-recorded").Should().Be("lf1-recorded");
        ClusterUpdates.NodeFingerprint(Running(), workers.Name!, null).Should().Be("", "unknown: the node is rolled");
    }

    [Fact]
    public void Beginning_an_update_moves_to_Updating_under_a_new_run_and_keeps_what_the_cloud_last_reached()
    {
        var current = Running();
        var changed = ClusterChanges.Accept(current, Spec with { Tags = new() { ["team"] = "new" } });

        var updating = ClusterUpdates.Begin(current, changed, "requested");

        updating.Status.Should().Be(ClusterStatus.Updating);
        updating.PreviousStatus.Should().Be(ClusterStatus.Running);
        updating.UpdateRuns.Should().Be(1);
        updating.Generation.Should().Be(2);
        ClusterUpdates.IsPending(updating).Should().BeTrue();
        updating.AppliedFingerprints.Should().BeEquivalentTo(ClusterUpdates.Fingerprints(current.Spec));
        updating.AppliedTags.Should().BeEquivalentTo(current.Spec.Tags ?? []);
        ClusterUpdates.ExecutionName(updating).Should().Be("update-u1-1");
        ClusterUpdates.IsPending(current).Should().BeFalse();
    }
}
