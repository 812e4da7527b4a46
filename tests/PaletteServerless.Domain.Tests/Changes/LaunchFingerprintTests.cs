using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests.Changes;

public class LaunchFingerprintTests
{
    private static readonly ClusterSpec Spec = ClusterSpecValidator.Validate(WithWorker(w => w with
    {
        Labels = new() { ["tier"] = "web", ["zone"] = "x" },
        Taints = [new TaintSpec { Key = "a", Value = "1", Effect = "NoSchedule" }, new TaintSpec { Key = "b", Effect = "NoExecute" }],
    }) with { Profile = Valid().Profile! with { PackValues = new() { ["cni"] = "mtu: 9001", ["csi"] = "" } } });

    private static NodePoolSpec Workers => Spec.NodePools![1];

    private static string Of(Func<NodePoolSpec, NodePoolSpec> change) => LaunchFingerprint.Of(Spec, change(Workers));

    private static string Of(ClusterSpec spec) => LaunchFingerprint.Of(spec, spec.NodePools![1]);

    [Fact]
    public void The_fingerprint_is_stable_and_versioned()
    {
        var fingerprint = LaunchFingerprint.Of(Spec, Workers);

        fingerprint.Should().MatchRegex("^lf2-[0-9a-f]{32}$");
        LaunchFingerprint.Of(Spec with { }, Workers with { }).Should().Be(fingerprint);
    }

    public static TheoryData<string, Func<NodePoolSpec, NodePoolSpec>> LaunchChanges => new()
    {
        { "instanceType", p => p with { InstanceType = "m5.2xlarge" } },
        { "diskSizeGiB", p => p with { DiskSizeGiB = 66 } },
        { "capacityType", p => p with { CapacityType = CapacityTypes.Spot } },
        { "maxSpotPrice", p => p with { CapacityType = CapacityTypes.Spot, MaxSpotPrice = 0.05m } },
        { "availabilityZones", p => p with { AvailabilityZones = ["us-east-1a"] } },
        { "labels", p => p with { Labels = new() { ["tier"] = "api", ["zone"] = "x" } } },
        { "taints", p => p with { Taints = [p.Taints![0] with { Effect = "PreferNoSchedule" }, p.Taints[1]] } },
    };

    [Theory]
    [MemberData(nameof(LaunchChanges))]
    public void Every_launch_field_changes_the_fingerprint(string field, Func<NodePoolSpec, NodePoolSpec> change)
    {
        Of(change).Should().NotBe(LaunchFingerprint.Of(Spec, Workers), field);
    }

    [Fact]
    public void Values_of_the_packs_a_node_is_launched_with_change_every_pool_fingerprint()
    {
        Of(Spec with { Profile = Spec.Profile! with { PackValues = new() { ["kubernetes"] = "podCIDR: 10.244.0.0/16" } } }).Should().NotBe(Of(Spec));
        Of(Spec with { Profile = Spec.Profile! with { PackValues = new() { ["ubuntu"] = "a: 1" } } }).Should().NotBe(Of(Spec));
    }

    [Fact]
    public void Values_of_in_cluster_packs_and_the_profile_version_leave_the_fingerprint_the_agent_applies_them_in_place()
    {
        Of(Spec with { Profile = Spec.Profile! with { PackValues = new() { ["calico"] = "mtu: 1500", ["aws-ebs-csi"] = "", ["nginx"] = "a: 1" } } }).Should().Be(Of(Spec));
        Of(Spec with { Profile = Spec.Profile! with { Version = "1.0.1" } }).Should().Be(Of(Spec));
    }

    public static TheoryData<string, Func<NodePoolSpec, NodePoolSpec>> NonLaunchChanges => new()
    {
        { "count", p => p with { Count = 9 } },
        { "updateStrategy", p => p with { UpdateStrategy = new UpdateStrategySpec { MaxSurge = IntOrPercent.Of(0), MaxUnavailable = IntOrPercent.Of(1) } } },
        { "healthCheck", p => p with { HealthCheck = new HealthCheckSpec { Enabled = false } } },
        { "zone order", p => p with { AvailabilityZones = [.. p.AvailabilityZones!.AsEnumerable().Reverse()] } },
        { "label order", p => p with { Labels = new() { ["zone"] = "x", ["tier"] = "web" } } },
        { "taint order", p => p with { Taints = [p.Taints![1], p.Taints[0]] } },
        { "defaults left out", p => p with { DiskSizeGiB = null, CapacityType = null } },
        { "price scale", p => p with { CapacityType = CapacityTypes.Spot, MaxSpotPrice = 0.050m } },
    };

    [Theory]
    [MemberData(nameof(NonLaunchChanges))]
    public void What_does_not_reach_a_launch_leaves_the_fingerprint(string what, Func<NodePoolSpec, NodePoolSpec> change)
    {
        var reference = what == "price scale" ? Of(p => p with { CapacityType = CapacityTypes.Spot, MaxSpotPrice = 0.05m }) : LaunchFingerprint.Of(Spec, Workers);

        Of(change).Should().Be(reference, what);
    }

    [Fact]
    public void Tags_description_and_settings_leave_the_fingerprint()
    {
        var changed = Spec with { Tags = new() { ["team"] = "x" }, Description = "d", Settings = new ClusterSettings { PatchSchedule = "0 3 * * SUN" }, UpdateWorkerPoolsInParallel = true };

        Of(changed).Should().Be(Of(Spec));
    }
}
