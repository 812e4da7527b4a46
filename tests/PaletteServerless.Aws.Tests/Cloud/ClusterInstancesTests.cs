using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Adapters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Tests.Cloud;

/// <summary>The node list's row of an EC2 instance, as the node port's adapter reads it (<see cref="Ec2NodeFleet.Node"/>).</summary>
public class ClusterInstancesTests
{
    [Fact]
    public void A_spot_instance_maps_every_field_the_node_list_shows()
    {
        var launched = new DateTime(2026, 12, 1, 9, 30, 0, DateTimeKind.Utc);
        var node = ClusterInstances.Describe(Ec2NodeFleet.Node(new Instance
        {
            InstanceId = "i-0abc",
            Placement = new Placement { AvailabilityZone = "us-east-1b" },
            InstanceType = InstanceType.M5Large,
            InstanceLifecycle = InstanceLifecycleType.Spot,
            State = new InstanceState { Name = InstanceStateName.Running },
            Tags = [new Tag("Name", "c-workers-0"), new Tag(NodePhases.TagKey, NodePhases.Ready)],
            LaunchTime = launched,
            PrivateIpAddress = "10.0.1.7",
        }));

        node.Should().Be(new PaletteServerless.Domain.Clusters.DescribedInstance(
            "i-0abc", "us-east-1b", "m5.large", "spot", "running", "Ready", new DateTimeOffset(launched), "10.0.1.7"));
    }

    [Fact]
    public void An_instance_without_a_lifecycle_is_on_demand_and_a_node_that_never_reported_has_no_phase()
    {
        var node = ClusterInstances.Describe(Ec2NodeFleet.Node(new Instance
        {
            InstanceId = "i-0def",
            InstanceType = InstanceType.M5Xlarge,
            State = new InstanceState { Name = InstanceStateName.Pending },
        }));

        node.CapacityType.Should().Be("on-demand");
        node.State.Should().Be("pending");
        node.Phase.Should().BeNull();
        node.LaunchTime.Should().BeNull();
        node.PrivateIp.Should().BeNull();
    }
}
