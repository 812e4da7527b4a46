using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests.Changes;

public class ClusterChangesTests
{
    private static readonly ClusterSpec Current = ClusterSpecValidator.Validate(Valid() with
    {
        NodePools = [ControlPlane(3), Worker(), Worker("gpu") with { AvailabilityZones = ["us-east-1b"] }],
    });

    private static IReadOnlyList<Validation.ValidationError> ChangeErrors(ClusterSpec next) => ErrorsOf(() => ClusterChanges.Validate(Current, next));

    private static ClusterSpec Pool(int index, Func<NodePoolSpec, NodePoolSpec> change)
    {
        var pools = Current.NodePools!.ToList();
        pools[index] = change(pools[index]);
        return Current with { NodePools = pools };
    }

    // ---- what may change ----

    [Fact]
    public void Every_mutable_field_may_change()
    {
        var next = Current with
        {
            Description = "now with more nodes",
            Tags = new() { ["team"] = "platform" },
            UpdateWorkerPoolsInParallel = true,
            Profile = Current.Profile! with { Version = "1.1.0", PackValues = new() { ["cni"] = "mtu: 9001" } },
            Settings = new ClusterSettings { PatchSchedule = "0 3 * * SUN" },
            NodePools =
            [
                Current.NodePools![0] with { Count = 5, InstanceType = "m5.xlarge", DiskSizeGiB = 100 },
                Current.NodePools[1] with
                {
                    Count = 7, InstanceType = "c5.large", CapacityType = CapacityTypes.Spot, MaxSpotPrice = 0.05m,
                    AvailabilityZones = ["us-east-1b"], Labels = new() { ["tier"] = "web" },
                    Taints = [new TaintSpec { Key = "dedicated", Value = "web", Effect = "NoSchedule" }],
                    UpdateStrategy = new UpdateStrategySpec { MaxSurge = IntOrPercent.Of(0), MaxUnavailable = IntOrPercent.Of(1) },
                    HealthCheck = new HealthCheckSpec { MaxUnhealthy = IntOrPercent.Percent(40) },
                },
                Current.NodePools[2],
            ],
        };

        ChangeErrors(next).Should().BeEmpty();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void The_control_plane_count_stays_odd(int count)
    {
        var errors = ChangeErrors(Pool(0, p => p with { Count = count }));

        errors.Fields().Should().Equal("nodePools[0].count");
    }

    // ---- what may not ----

    public static TheoryData<string, Func<ClusterSpec, ClusterSpec>> ImmutableChanges => new()
    {
        { "name", s => s with { Name = "renamed" } },
        { "cloudAccount", s => s with { CloudAccount = "other-account" } },
        { "profile.name", s => s with { Profile = s.Profile! with { Name = "other-profile" } } },
        { "cloud.region", s => s with { Cloud = s.Cloud! with { Region = "us-east-2" } } },
        { "cloud.sshKeyName", s => s with { Cloud = s.Cloud! with { SshKeyName = "other-key" } } },
        { "cloud.vpcCidr", s => s with { Cloud = s.Cloud! with { VpcCidr = "10.1.0.0/16" } } },
        { "cloud.apiLoadBalancer", s => s with { Cloud = s.Cloud! with { ApiLoadBalancer = LoadBalancerSchemes.Internal } } },
        { "cloud.placement.mode", s => s with { Cloud = s.Cloud!.Static() with { VpcCidr = null } } },
        { "nodePools[1].role", s => s with { NodePools = [s.NodePools![0], s.NodePools[1] with { Role = NodePoolRoles.ControlPlane, Count = 1 }, s.NodePools[2]] } },
        { "nodePools[0].name", s => s with { NodePools = [s.NodePools![0] with { Name = "masters" }, s.NodePools[1], s.NodePools[2]] } },
    };

    [Theory]
    [MemberData(nameof(ImmutableChanges))]
    public void Immutable_fields_are_refused_naming_the_field_and_immutable(string field, Func<ClusterSpec, ClusterSpec> change)
    {
        var errors = ChangeErrors(change(Current));

        errors.Should().Contain(e => e.Field == field && e.Message.Contains("immutable"));
    }

    [Fact]
    public void Static_placement_keeps_its_vpc_and_subnets()
    {
        var current = ClusterSpecValidator.Validate(WithCloud(c => c.Static()) with
        {
            NodePools = [ControlPlane() with { AvailabilityZones = null }, Worker() with { AvailabilityZones = null }],
        });
        var placement = current.Cloud!.Placement!;
        var next = current with
        {
            Cloud = current.Cloud with
            {
                Placement = placement with { VpcId = "vpc-1a1b2c3d", ControlPlaneSubnetIds = ["subnet-9a1b2c3d"], WorkerSubnetIds = ["subnet-2a1b2c3d"] },
            },
        };

        var errors = ErrorsOf(() => ClusterChanges.Validate(current, next));

        errors.Fields().Should().BeEquivalentTo("cloud.placement.vpcId", "cloud.placement.controlPlaneSubnetIds", "cloud.placement.workerSubnetIds");
        errors.Should().OnlyContain(e => e.Message.Contains("immutable"));
    }

    [Fact]
    public void A_pool_may_move_among_the_zones_the_vpc_has_but_not_to_a_new_one()
    {
        ChangeErrors(Pool(2, p => p with { AvailabilityZones = ["us-east-1a"] })).Should().BeEmpty();

        var errors = ChangeErrors(Pool(2, p => p with { AvailabilityZones = ["us-east-1b", "us-east-1c"] }));

        errors.Fields().Should().Equal("nodePools[2].availabilityZones[1]");
        errors[0].Message.Should().Contain("us-east-1a, us-east-1b");
    }

    [Fact]
    public void A_change_that_breaks_other_rules_also_names_the_immutable_fields()
    {
        var errors = ChangeErrors(Current with { Name = "x", CloudAccount = "other", NodePools = null });

        errors.Fields().Should().BeEquivalentTo("name", "name", "nodePools", "cloudAccount");
    }

    [Fact]
    public void Defaults_left_out_of_a_change_are_no_change()
    {
        var next = Current with { Cloud = Current.Cloud! with { ApiLoadBalancer = null, VpcCidr = null, Placement = null } };

        ClusterChanges.Validate(Current, next).Should().BeEquivalentTo(Current);
    }

    // ---- node pool routes ----

    [Fact]
    public void Adding_a_worker_pool_appends_it_with_defaults()
    {
        var next = ClusterChanges.AddPool(Current, new NodePoolSpec { Name = "batch", Count = 2, InstanceType = "c5.large", AvailabilityZones = ["us-east-1a"] });

        next.NodePools!.Select(p => p.Name).Should().Equal("control-plane", "workers", "gpu", "batch");
        next.NodePools![3].Role.Should().Be(NodePoolRoles.Worker);
        next.NodePools[3].DiskSizeGiB.Should().Be(ClusterSpecValidator.DefaultDiskSizeGiB);
    }

    [Fact]
    public void An_added_pool_is_validated_with_fields_relative_to_the_pool()
    {
        var act = () => ClusterChanges.AddPool(Current, new NodePoolSpec { Name = "batch", Count = 0, InstanceType = "c5", AvailabilityZones = ["us-east-1d"] });

        act.Should().Throw<ValidationFailedException>().Which.Errors.Fields()
            .Should().BeEquivalentTo("count", "instanceType", "availabilityZones[0]");
    }

    [Fact]
    public void Only_worker_pools_can_be_added_and_names_stay_unique()
    {
        var controlPlane = () => ClusterChanges.AddPool(Current, ControlPlane() with { Name = "cp2" });
        controlPlane.Should().Throw<ValidationFailedException>().Which.Errors.Fields().Should().Equal("role");

        var duplicate = () => ClusterChanges.AddPool(Current, Worker("gpu"));
        duplicate.Should().Throw<ConflictException>().WithMessage("*'gpu' already exists*");
    }

    [Fact]
    public void Replacing_a_pool_keeps_its_name_and_role()
    {
        var next = ClusterChanges.ReplacePool(Current, "gpu", new NodePoolSpec { Count = 4, InstanceType = "g4dn.xlarge", AvailabilityZones = ["us-east-1b"] });

        next.NodePools![2].Should().Match<NodePoolSpec>(p => p.Name == "gpu" && p.Role == NodePoolRoles.Worker && p.Count == 4 && p.InstanceType == "g4dn.xlarge");
        next.NodePools!.Take(2).Should().BeEquivalentTo(Current.NodePools!.Take(2));
    }

    [Fact]
    public void Replacing_a_pool_refuses_a_new_name_or_role_and_names_bad_fields_relative_to_the_pool()
    {
        var renamed = () => ClusterChanges.ReplacePool(Current, "gpu", Worker("gpu2"));
        renamed.Should().Throw<ValidationFailedException>().Which.Errors.Should().ContainSingle(e => e.Field == "name" && e.Message.Contains("immutable"));

        var promoted = () => ClusterChanges.ReplacePool(Current, "gpu", Worker("gpu") with { Role = NodePoolRoles.ControlPlane });
        promoted.Should().Throw<ValidationFailedException>().Which.Errors.Should().ContainSingle(e => e.Field == "role" && e.Message.Contains("immutable"));

        var invalid = () => ClusterChanges.ReplacePool(Current, "control-plane", ControlPlane(2));
        invalid.Should().Throw<ValidationFailedException>().Which.Errors.Fields().Should().Equal("count");

        var missing = () => ClusterChanges.ReplacePool(Current, "nope", Worker("nope"));
        missing.Should().Throw<NotFoundException>();
    }

    [Fact]
    public void Removing_a_worker_pool_leaves_the_rest()
    {
        ClusterChanges.RemovePool(Current, "workers").NodePools!.Select(p => p.Name).Should().Equal("control-plane", "gpu");
    }

    [Fact]
    public void The_control_plane_pool_and_the_last_worker_pool_cannot_be_removed()
    {
        var controlPlane = () => ClusterChanges.RemovePool(Current, "control-plane");
        controlPlane.Should().Throw<ConflictException>().WithMessage("*control-plane pool*");

        var lastWorker = () => ClusterChanges.RemovePool(ClusterChanges.RemovePool(Current, "gpu"), "workers");
        lastWorker.Should().Throw<ConflictException>().WithMessage("*last worker pool*");

        var missing = () => ClusterChanges.RemovePool(Current, "nope");
        missing.Should().Throw<NotFoundException>();
    }

    // ---- generation ----

    [Fact]
    public void An_accepted_change_increments_the_generation_and_a_no_op_does_not()
    {
        var cluster = new Cluster { Scope = new ProjectScope("t", "p"), Uid = "u", Spec = Current, Status = ClusterStatus.Running, Generation = 1, ObservedGeneration = 1 };

        var changed = ClusterChanges.Accept(cluster, ClusterChanges.Validate(Current, Current with { Description = "x" }));
        var again = ClusterChanges.Accept(changed, ClusterChanges.Validate(changed.Spec, changed.Spec with { Description = "x" }));

        changed.Generation.Should().Be(2);
        changed.ObservedGeneration.Should().Be(1, "the workflow, not the change, moves the observed generation");
        changed.Spec.Description.Should().Be("x");
        again.Should().BeSameAs(changed);
    }

    [Fact]
    public void A_spec_stored_before_pool_policies_existed_is_unchanged_by_their_defaults()
    {
        var stored = Current with { NodePools = [.. Current.NodePools!.Select(p => p with { UpdateStrategy = null, HealthCheck = null })] };
        var cluster = new Cluster { Scope = new ProjectScope("t", "p"), Uid = "u", Spec = stored, Status = ClusterStatus.Running, Generation = 3 };

        var accepted = ClusterChanges.Accept(cluster, ClusterChanges.Validate(stored, stored));

        accepted.Generation.Should().Be(3, "filling in defaults is not a change");
        ClusterDiff.Of(stored, Current).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void A_cluster_stored_before_generations_counts_as_generation_1()
    {
        var cluster = new Cluster { Scope = new ProjectScope("t", "p"), Uid = "u", Spec = Current, Status = ClusterStatus.Running };

        ClusterChanges.Accept(cluster, Current with { Description = "x" }).Generation.Should().Be(2);
    }
}
