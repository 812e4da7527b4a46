using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Provisioning;
using Tag = Amazon.EC2.Model.Tag;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// The node list's one describe, over the real EC2 client and the local AWS: each recorded instance as EC2
/// has it; one EC2 has never known does not fail the call; a refused role is an error text, not an exception.
/// </summary>
public sealed class ClusterInstancesTests : Ec2TestBase
{
    private static readonly CloudAccount Account = new() { Name = "main" };

    [Fact]
    public async Task Each_instance_is_described_with_type_capacity_state_phase_launch_time_and_IP()
    {
        var subnet = await CreateSubnetAsync(await CreateVpcAsync(), zone: "us-east-1b");
        var spot = (await RunAsync(subnet, "m5.large", configure: r => r.InstanceMarketOptions = new InstanceMarketOptionsRequest { MarketType = MarketType.Spot })).Single();
        var onDemand = (await RunAsync(subnet, "t3.medium")).Single();
        await Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [spot.InstanceId], Tags = [new Tag(NodePhases.TagKey, NodePhases.Joined)] });

        var described = await new ClusterInstances(new CloudAccountReaderTests.LocalSessions(() => Host.Ec2()))
            .DescribeAsync(NodeAgentTests.Cluster, Account, [spot.InstanceId, onDemand.InstanceId, "i-0000000000000dead"], CancellationToken.None);

        described.Error.Should().BeNull();
        described.Instances.Should().HaveCount(2);
        var s = described.Instances!.Single(i => i.InstanceId == spot.InstanceId);
        s.AvailabilityZone.Should().Be("us-east-1b");
        s.InstanceType.Should().Be("m5.large");
        s.CapacityType.Should().Be("spot");
        s.State.Should().BeOneOf("pending", "running");
        s.Phase.Should().Be("Joined");
        s.LaunchTime.Should().NotBeNull();
        s.PrivateIp.Should().StartWith("10.0.1.");
        var o = described.Instances!.Single(i => i.InstanceId == onDemand.InstanceId);
        o.CapacityType.Should().Be("on-demand");
        o.InstanceType.Should().Be("t3.medium");
        o.Phase.Should().BeNull();
    }

    [Fact]
    public async Task A_role_that_cannot_be_assumed_answers_why_instead_of_throwing()
    {
        var account = new CloudAccount { Name = "other", RoleArn = "arn:aws:iam::111122223333:role/palette-serverless/PaletteServerlessClusterBuilder", ExternalId = "wrong" };
        var instances = new ClusterInstances(new CloudAccountReaderTests.LocalSessions(() => throw new Amazon.SecurityToken.AmazonSecurityTokenServiceException("not authorized to perform sts:AssumeRole")
        {
            ErrorCode = "AccessDenied",
        }));

        var described = await instances.DescribeAsync(NodeAgentTests.Cluster, account, ["i-0123456789abcdef0"], CancellationToken.None);

        described.Instances.Should().BeNull();
        described.Error.Should().Contain("cloud account 'other'").And.Contain("AccessDenied").And.Contain("us-east-1").And.Contain("as recorded");
    }
}
