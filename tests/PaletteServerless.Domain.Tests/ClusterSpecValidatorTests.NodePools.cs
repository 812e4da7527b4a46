using PaletteServerless.Domain.Clusters;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests;

/// <summary>The cluster spec's rules for node pools, and the defaults the validator applies.</summary>
public partial class ClusterSpecValidatorTests
{
    // ---- node pools ----

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Control_plane_count_of_1_3_or_5_is_accepted(int count)
    {
        var spec = Valid() with { NodePools = [ControlPlane(count), Worker()] };
        ErrorsOf(spec).Should().BeEmpty();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(-1)]
    public void Other_control_plane_counts_are_refused(int count)
    {
        var spec = Valid() with { NodePools = [ControlPlane(count), Worker()] };
        ErrorsOf(spec).Fields().Should().Equal("nodePools[0].count");
    }

    [Fact]
    public void Worker_count_is_1_to_500()
    {
        ErrorsOf(WithWorker(w => w with { Count = 1 })).Should().BeEmpty();
        ErrorsOf(WithWorker(w => w with { Count = 500 })).Should().BeEmpty();
        ErrorsOf(WithWorker(w => w with { Count = 0 })).Fields().Should().Equal("nodePools[1].count");
        ErrorsOf(WithWorker(w => w with { Count = 501 })).Fields().Should().Equal("nodePools[1].count");
        ErrorsOf(WithWorker(w => w with { Count = null })).Fields().Should().Equal("nodePools[1].count");
    }

    [Fact]
    public void Exactly_one_control_plane_pool_is_required()
    {
        ErrorsOf(Valid() with { NodePools = [Worker()] }).Fields().Should().Equal("nodePools");
        ErrorsOf(Valid() with { NodePools = [ControlPlane(), ControlPlane() with { Name = "cp2" }, Worker()] })
            .Fields().Should().Equal("nodePools");
    }

    [Fact]
    public void At_least_one_worker_pool_is_required()
    {
        ErrorsOf(Valid() with { NodePools = [ControlPlane()] }).Fields().Should().Equal("nodePools");
        ErrorsOf(Valid() with { NodePools = [ControlPlane(), Worker("a"), Worker("b")] }).Should().BeEmpty();
    }

    [Fact]
    public void Node_pools_are_required()
    {
        ErrorsOf(Valid() with { NodePools = null }).Fields().Should().Equal("nodePools");
        ErrorsOf(Valid() with { NodePools = [] }).Fields().Should().Equal("nodePools");
    }

    [Fact]
    public void A_null_pool_is_named_by_its_index()
    {
        ErrorsOf(Valid() with { NodePools = [ControlPlane(), Worker(), null!] }).Fields().Should().Equal("nodePools[2]");
    }

    [Fact]
    public void Pool_names_must_be_unique()
    {
        var errors = ErrorsOf(Valid() with { NodePools = [ControlPlane(), Worker("pool"), Worker("pool")] });
        errors.Fields().Should().Equal("nodePools[2].name");
    }

    [Theory]
    [InlineData("Workers")]
    [InlineData("w_1")]
    [InlineData("")]
    public void Pool_names_must_be_dns_labels(string name)
    {
        ErrorsOf(WithWorker(w => w with { Name = name })).Fields().Should().Equal("nodePools[1].name");
    }

    [Fact]
    public void Pool_role_must_be_control_plane_or_worker()
    {
        ErrorsOf(WithWorker(w => w with { Role = "master" })).Fields().Should().Contain("nodePools[1].role");
        ErrorsOf(WithWorker(w => w with { Role = null })).Fields().Should().Contain("nodePools[1].role");
    }

    [Theory]
    [InlineData("m5.large", true)]
    [InlineData("c7gn.16xlarge", true)]
    [InlineData("u-6tb1.metal", true)]
    [InlineData("m5", false)]
    [InlineData("M5.large", false)]
    [InlineData("", false)]
    public void Instance_type_must_look_like_an_ec2_type(string type, bool valid)
    {
        var errors = ErrorsOf(WithWorker(w => w with { InstanceType = type }));
        if (valid)
            errors.Should().BeEmpty();
        else
            errors.Fields().Should().Equal("nodePools[1].instanceType");
    }

    [Fact]
    public void Availability_zones_must_belong_to_the_region()
    {
        ErrorsOf(WithWorker(w => w with { AvailabilityZones = ["us-west-2a"] })).Fields().Should().Equal("nodePools[1].availabilityZones[0]");
        ErrorsOf(WithWorker(w => w with { AvailabilityZones = ["us-east-1a", "us-east-12a"] })).Fields().Should().Equal("nodePools[1].availabilityZones[1]");
        ErrorsOf(WithWorker(w => w with { AvailabilityZones = ["us-east-1"] })).Fields().Should().Equal("nodePools[1].availabilityZones[0]");
        ErrorsOf(WithWorker(w => w with { AvailabilityZones = [null!] })).Fields().Should().Equal("nodePools[1].availabilityZones[0]");
    }

    [Fact]
    public void Availability_zones_must_not_repeat()
    {
        ErrorsOf(WithWorker(w => w with { AvailabilityZones = ["us-east-1a", "us-east-1a"] })).Fields().Should().Equal("nodePools[1].availabilityZones");
    }

    [Fact]
    public void Dynamic_placement_needs_availability_zones()
    {
        ErrorsOf(WithWorker(w => w with { AvailabilityZones = null })).Fields().Should().Equal("nodePools[1].availabilityZones");
        ErrorsOf(WithWorker(w => w with { AvailabilityZones = [] })).Fields().Should().Equal("nodePools[1].availabilityZones");
    }

    [Fact]
    public void Capacity_type_is_on_demand_or_spot()
    {
        ErrorsOf(WithWorker(w => w with { CapacityType = "on-demand" })).Should().BeEmpty();
        ErrorsOf(WithWorker(w => w with { CapacityType = "spot" })).Should().BeEmpty();
        ErrorsOf(WithWorker(w => w with { CapacityType = "reserved" })).Fields().Should().Equal("nodePools[1].capacityType");
    }

    [Fact]
    public void Max_spot_price_is_a_positive_price_for_spot_pools_only()
    {
        ErrorsOf(WithWorker(w => w with { CapacityType = "spot", MaxSpotPrice = 0.05m })).Should().BeEmpty();
        ErrorsOf(WithWorker(w => w with { CapacityType = "spot", MaxSpotPrice = 0.0001m })).Should().BeEmpty();
        ErrorsOf(WithWorker(w => w with { CapacityType = "spot" })).Should().BeEmpty("without a price the on-demand price is the cap");
        ErrorsOf(WithWorker(w => w with { CapacityType = "spot", MaxSpotPrice = 0m })).Fields().Should().Equal("nodePools[1].maxSpotPrice");
        ErrorsOf(WithWorker(w => w with { CapacityType = "spot", MaxSpotPrice = -1m })).Fields().Should().Equal("nodePools[1].maxSpotPrice");
        ErrorsOf(WithWorker(w => w with { CapacityType = "on-demand", MaxSpotPrice = 0.05m })).Fields().Should().Equal("nodePools[1].maxSpotPrice");
        ErrorsOf(WithWorker(w => w with { MaxSpotPrice = 0.05m })).Fields().Should().Equal("nodePools[1].maxSpotPrice");
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2000, true)]
    [InlineData(0, false)]
    [InlineData(2001, false)]
    [InlineData(-5, false)]
    public void Disk_size_is_1_to_2000_gib(int size, bool valid)
    {
        var errors = ErrorsOf(WithWorker(w => w with { DiskSizeGiB = size }));
        if (valid)
            errors.Should().BeEmpty();
        else
            errors.Fields().Should().Equal("nodePools[1].diskSizeGiB");
    }

    [Fact]
    public void Taint_errors_are_named_with_their_json_path()
    {
        var errors = ErrorsOf(WithWorker(w => w with { Taints = [new TaintSpec { Key = "gpu", Value = "true", Effect = "NoSchedule" }, new TaintSpec { Key = "x", Effect = "Never" }] }));
        errors.Fields().Should().Equal("nodePools[1].taints[1].effect");
    }

    [Fact]
    public void Label_errors_are_named_with_their_json_path()
    {
        ErrorsOf(WithWorker(w => w with { Labels = new() { ["bad key!"] = "v" } })).Fields().Should().Equal("nodePools[1].labels.bad key!");
    }

    [Fact]
    public void Every_broken_rule_is_reported_at_once()
    {
        var spec = Valid() with
        {
            Name = "X",
            CloudAccount = null,
            NodePools = [ControlPlane(2), Worker() with { DiskSizeGiB = 0 }],
        };
        ErrorsOf(spec).Fields().Should().BeEquivalentTo("name", "cloudAccount", "nodePools[0].count", "nodePools[1].diskSizeGiB");
    }

    // ---- defaults ----

    [Fact]
    public void Defaults_are_filled_in()
    {
        var valid = ClusterSpecValidator.Validate(Valid());

        valid.Tags.Should().BeEmpty();
        valid.UpdateWorkerPoolsInParallel.Should().BeFalse();
        valid.Cloud!.ApiLoadBalancer.Should().Be("internet-facing");
        valid.Cloud.VpcCidr.Should().Be("10.0.0.0/16");
        valid.Cloud.Placement!.Mode.Should().Be("dynamic");
        valid.Profile!.PackValues.Should().BeEmpty();
        valid.Settings.Should().NotBeNull();
        valid.NodePools.Should().AllSatisfy(p =>
        {
            p.CapacityType.Should().Be("on-demand");
            p.DiskSizeGiB.Should().Be(65);
            p.Labels.Should().BeEmpty();
            p.Taints.Should().BeEmpty();
        });
    }

    [Fact]
    public void Given_values_are_kept_over_defaults()
    {
        var spec = WithCloud(c => c with { VpcCidr = "192.168.0.0/20", ApiLoadBalancer = "internal" }) with { UpdateWorkerPoolsInParallel = true };
        spec = spec with { NodePools = [spec.NodePools![0], spec.NodePools[1] with { DiskSizeGiB = 100, CapacityType = "spot" }] };

        var valid = ClusterSpecValidator.Validate(spec);

        valid.Cloud!.VpcCidr.Should().Be("192.168.0.0/20");
        valid.Cloud.ApiLoadBalancer.Should().Be("internal");
        valid.UpdateWorkerPoolsInParallel.Should().BeTrue();
        valid.NodePools![1].DiskSizeGiB.Should().Be(100);
        valid.NodePools[1].CapacityType.Should().Be("spot");
    }

    [Fact]
    public void Static_placement_gets_no_default_vpc_cidr_and_empty_zone_lists()
    {
        var spec = WithCloud(c => c.Static()) with
        {
            NodePools = [ControlPlane() with { AvailabilityZones = null }, Worker() with { AvailabilityZones = null }],
        };
        var valid = ClusterSpecValidator.Validate(spec);
        valid.Cloud!.VpcCidr.Should().BeNull();
        valid.Cloud.Placement!.Mode.Should().Be("static");
        valid.NodePools.Should().AllSatisfy(p => p.AvailabilityZones.Should().BeEmpty());
    }
}
