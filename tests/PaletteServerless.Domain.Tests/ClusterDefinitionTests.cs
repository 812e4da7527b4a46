using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;

namespace PaletteServerless.Domain.Tests;

/// <summary>The domain model of a cluster: the validated spec with its defaults, made in one place.</summary>
public sealed class ClusterDefinitionTests
{
    [Fact]
    public void A_spec_that_leaves_everything_optional_out_gets_every_default()
    {
        var definition = ClusterDefinition.From(Specs.Valid());

        definition.Cloud.ApiLoadBalancer.Should().Be(LoadBalancerSchemes.InternetFacing);
        definition.Cloud.Placement.Mode.Should().Be(PlacementModes.Dynamic);
        definition.Cloud.Placement.IsDynamic.Should().BeTrue();
        definition.Cloud.Placement.VpcCidr.Should().Be(ClusterSpecValidator.DefaultVpcCidr);
        definition.Cloud.Placement.VpcId.Should().BeNull();
        definition.Tags.Should().BeEmpty();
        definition.Profile.PackValues.Should().BeEmpty();
        definition.UpdateWorkerPoolsInParallel.Should().BeFalse();
        var workers = definition.Pool("workers")!;
        workers.CapacityType.Should().Be(CapacityTypes.OnDemand);
        workers.DiskSizeGiB.Should().Be(ClusterSpecValidator.DefaultDiskSizeGiB);
        workers.UpdateStrategy.Should().Be(new RollingUpdate(ClusterSpecValidator.DefaultMaxSurge, ClusterSpecValidator.DefaultMaxUnavailable));
        workers.HealthCheck.Should().Be(new NodeHealthCheck(true, ClusterSpecValidator.DefaultMaxUnhealthy, ClusterSpecValidator.DefaultNodeStartupTimeoutMinutes));
        definition.Zones.Should().Equal("us-east-1a", "us-east-1b");
        definition.Pool("gone").Should().BeNull();
    }

    [Fact]
    public void What_the_spec_gives_wins_over_the_defaults()
    {
        var spec = Specs.Valid() with
        {
            Cloud = new CloudSpec
            {
                Region = "us-east-1", SshKeyName = "ops", ApiLoadBalancer = LoadBalancerSchemes.Internal,
                Placement = new PlacementSpec { Mode = PlacementModes.Static, VpcId = "vpc-0a1b2c3d", ControlPlaneSubnetIds = ["subnet-0a1b2c3d"], WorkerSubnetIds = ["subnet-1a1b2c3d"] },
            },
            NodePools = [Specs.ControlPlane(), Specs.Worker() with { CapacityType = CapacityTypes.Spot, MaxSpotPrice = 0.05m, DiskSizeGiB = 100, AvailabilityZones = null }],
        };

        var definition = ClusterDefinition.From(ClusterSpecValidator.Validate(spec));

        definition.Cloud.ApiLoadBalancer.Should().Be(LoadBalancerSchemes.Internal);
        definition.Cloud.Placement.IsDynamic.Should().BeFalse();
        definition.Cloud.Placement.VpcCidr.Should().BeNull();
        definition.Cloud.Placement.VpcId.Should().Be("vpc-0a1b2c3d");
        definition.Cloud.Placement.SubnetIdsFor(NodePoolRoles.Worker).Should().Equal("subnet-1a1b2c3d");
        definition.Cloud.Placement.SubnetIdsFor(NodePoolRoles.ControlPlane).Should().Equal("subnet-0a1b2c3d");
        var workers = definition.Pool("workers")!;
        (workers.CapacityType, workers.MaxSpotPrice, workers.DiskSizeGiB).Should().Be((CapacityTypes.Spot, 0.05m, 100));
        workers.AvailabilityZones.Should().BeEmpty();
    }

    [Fact]
    public void A_spec_stored_before_the_pool_policies_existed_reads_with_their_defaults()
    {
        var stored = ClusterSpecValidator.Validate(Specs.Valid());
        var legacy = stored with { NodePools = stored.NodePools!.Select(p => p with { UpdateStrategy = null, HealthCheck = null }).ToList() };

        ClusterDefinition.From(legacy).Should().BeEquivalentTo(ClusterDefinition.From(stored));
    }

    [Fact]
    public void A_spec_that_skipped_validation_is_refused_by_the_field_it_lacks()
    {
        var act = () => ClusterDefinition.From(Specs.Valid() with { NodePools = [Specs.ControlPlane() with { InstanceType = null }, Specs.Worker()] });

        act.Should().Throw<InvalidOperationException>().WithMessage("*nodePools[0].instanceType*");
    }

    [Fact]
    public void A_cluster_reads_its_definition_from_its_current_spec()
    {
        var cluster = new Cluster { Scope = new ProjectScope("acme", "demo"), Uid = "u-1", Spec = Specs.Valid(), Status = ClusterStatus.Running };

        var changed = cluster with { Spec = cluster.Spec with { Tags = new() { ["team"] = "platform" } } };

        cluster.Definition.Tags.Should().BeEmpty();
        changed.Definition.Tags.Should().Equal(new Dictionary<string, string> { ["team"] = "platform" });
    }
}
