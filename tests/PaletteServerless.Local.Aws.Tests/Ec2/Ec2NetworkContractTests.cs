using System.Diagnostics;
using Amazon.EC2.Model;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>What EC2 offers the other local services (<see cref="IEc2Network"/>), as ELBv2 uses it for a load balancer's interfaces.</summary>
public sealed class Ec2NetworkContractTests : Ec2TestBase
{
    /// <summary>A resource of another service that owns interfaces, like a load balancer.</summary>
    private sealed class OwnerResource : AwsResource;

    [Fact]
    public async Task Interfaces_created_for_an_owner_block_the_subnet_and_vanish_with_their_owner()
    {
        var vpcId = await CreateVpcAsync();
        var subnetA = await CreateSubnetAsync(vpcId);
        var subnetB = await CreateSubnetAsync(vpcId, "10.0.2.0/24", "us-east-1b");
        var groupId = (await Ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "lb", Description = "lb", VpcId = vpcId })).GroupId;
        var world = Host.Aws.Store.World("000000000000", "us-east-1");
        var now = Host.Clock.GetUtcNow();
        var owner = new OwnerResource { Id = "net/c1-apiserver/50dc6c495c0c9188", Type = "elasticloadbalancing:loadbalancer" };
        owner.SetState("provisioning", now);
        IReadOnlyList<string> created;
        lock (world.Sync)
        {
            world.Add(owner, now);
            created = Host.Aws.Network.CreateNetworkInterfaces(world, owner.Id, "ELB net/c1-apiserver/50dc6c495c0c9188", "network_load_balancer", [subnetA, subnetB], [groupId], now);
        }

        created.Should().HaveCount(2);
        var interfaces = (await Ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { Filters = [new Filter("description", ["ELB net/*"])] })).NetworkInterfaces;
        interfaces.Select(n => n.SubnetId).Should().BeEquivalentTo([subnetA, subnetB]);
        interfaces.Should().OnlyContain(n => n.RequesterManaged == true && n.InterfaceType == "network_load_balancer" && n.Groups.Single().GroupId == groupId);
        Host.Aws.Network.FindSubnet(world, subnetB)!.AvailabilityZone.Should().Be("us-east-1b");
        Host.Aws.Network.SecurityGroupExists(world, groupId).Should().BeTrue();
        await FailsWith("DependencyViolation", () => Ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = subnetA }));
        await FailsWith("DependencyViolation", () => Ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = groupId }));
        await FailsWith("InvalidNetworkInterface.InUse", () => Ec2.DeleteNetworkInterfaceAsync(new DeleteNetworkInterfaceRequest { NetworkInterfaceId = created[0] }));
        FluentActions.Invoking(() => Host.Aws.Network.CreateNetworkInterfaces(world, owner.Id, "x", null, ["subnet-0123456789abcdef0"], [], now))
            .Should().Throw<AwsErrorException>().Which.Code.Should().Be("InvalidSubnetID.NotFound");

        lock (world.Sync)
            world.Remove(owner.Id);

        (await InterfacesInSubnetAsync(subnetA)).Should().BeEmpty();
        await Ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = subnetA });
    }

    [Fact]
    public async Task Instances_are_seen_by_other_services_with_the_time_they_started_running()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instanceId = (await RunAsync(subnetId)).Single().InstanceId;
        var world = Host.Aws.Store.World("000000000000", "us-east-1");

        Host.Aws.Network.FindInstance(world, instanceId, Host.Clock.GetUtcNow())!.State.Should().Be("pending");
        var launchedAt = Host.Clock.GetUtcNow();
        Advance(TimeSpan.FromMinutes(5));
        var running = Host.Aws.Network.FindInstance(world, instanceId, Host.Clock.GetUtcNow())!;

        running.State.Should().Be("running");
        running.RunningSince.Should().Be(launchedAt + TimeSpan.FromSeconds(45));
        running.SubnetId.Should().Be(subnetId);
        Host.Aws.Network.FindInstance(world, "i-0123456789abcdef0", Host.Clock.GetUtcNow()).Should().BeNull();
    }
}

public sealed class Ec2LatencyTests
{
    [Fact]
    public async Task Mutating_calls_take_the_modelled_api_latency_divided_by_the_time_scale()
    {
        // One second per mutating call divided by 20: a create takes at least 50 ms of real time.
        var aws = new LocalAws(new LocalAwsOptions { TimeScale = 20 });
        var request = LocalAwsRequest.Create("POST", "/", "",
            [new("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261124/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0")],
            "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16"u8.ToArray());

        var clock = Stopwatch.StartNew();
        var response = await aws.HandleAsync(request, default);

        response.StatusCode.Should().Be(200);
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(45));
        aws.Latency.Of(LatencyModel.MutatingCall).Should().Be(TimeSpan.FromMilliseconds(50));
    }
}
