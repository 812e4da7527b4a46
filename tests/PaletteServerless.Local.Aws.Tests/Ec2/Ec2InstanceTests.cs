using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

public sealed class Ec2InstanceTests : Ec2TestBase
{
    // A small quota makes the vCPU limit easy to reach: 16 vCPUs is four t3.xlarge.
    protected override LocalAwsOptions Options => new() { OnDemandVcpuQuota = 16 };

    [Fact]
    public async Task Instance_runs_after_the_modelled_delay_and_terminates_with_its_interface_and_volumes()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);
        var key = await Ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "c1-key" });

        var instance = (await RunAsync(subnetId, configure: r =>
        {
            r.KeyName = "c1-key";
            r.UserData = Convert.ToBase64String(Encoding.UTF8.GetBytes("#cloud-config\n"));
            r.BlockDeviceMappings =
            [
                new BlockDeviceMapping { DeviceName = "/dev/sda1", Ebs = new EbsBlockDevice { VolumeSize = 80, VolumeType = VolumeType.Gp3, DeleteOnTermination = true } },
                new BlockDeviceMapping { DeviceName = "/dev/sdb", Ebs = new EbsBlockDevice { VolumeSize = 20, DeleteOnTermination = false } },
            ];
            r.TagSpecifications =
            [
                new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag("Name", "c1-cp-0")] },
                new TagSpecification { ResourceType = ResourceType.Volume, Tags = [new Tag("Name", "c1-cp-0-disk")] },
            ];
        })).Single();

        instance.State.Name.Should().Be(InstanceStateName.Pending);
        instance.State.Code.Should().Be(0);
        instance.KeyName.Should().Be(key.KeyPair.KeyName);
        instance.Placement.AvailabilityZone.Should().Be("us-east-1a");
        instance.PrivateIpAddress.Should().StartWith("10.0.1.");
        instance.Tags.Should().ContainSingle(t => t.Value == "c1-cp-0");
        instance.BlockDeviceMappings.Should().HaveCount(2);
        (await InterfacesInSubnetAsync(subnetId)).Should().ContainSingle(n => n.Attachment.InstanceId == instance.InstanceId);
        var volumes = (await Ec2.DescribeVolumesAsync(new DescribeVolumesRequest { Filters = [new Filter("attachment.instance-id", [instance.InstanceId])] })).Volumes;
        volumes.Select(v => v.Size).Should().BeEquivalentTo([80, 20]);
        volumes.Should().OnlyContain(v => v.State == VolumeState.InUse && v.Tags.Single().Value == "c1-cp-0-disk");

        Advance(TimeSpan.FromSeconds(45));
        (await DescribeInstanceAsync(instance.InstanceId)).State.Name.Should().Be(InstanceStateName.Running);
        var status = (await Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [instance.InstanceId] })).InstanceStatuses.Single();
        status.Status.Status.Should().Be(SummaryStatus.Initializing, "status checks take a while after the instance starts running");
        Advance(TimeSpan.FromMinutes(2));
        (await Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [instance.InstanceId] })).InstanceStatuses.Single()
            .Status.Status.Should().Be(SummaryStatus.Ok);
        await FailsWith("DependencyViolation", () => Ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = subnetId }));
        var dataVolume = volumes.Single(v => v.Size == 20).VolumeId;
        await FailsWith("VolumeInUse", () => Ec2.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = dataVolume }));
        var eniId = (await InterfacesInSubnetAsync(subnetId)).Single().NetworkInterfaceId;
        await FailsWith("InvalidNetworkInterface.InUse", () => Ec2.DeleteNetworkInterfaceAsync(new DeleteNetworkInterfaceRequest { NetworkInterfaceId = eniId }));

        var terminating = await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instance.InstanceId] });
        terminating.TerminatingInstances.Single().CurrentState.Name.Should().Be(InstanceStateName.ShuttingDown);
        terminating.TerminatingInstances.Single().PreviousState.Name.Should().Be(InstanceStateName.Running);
        (await InterfacesInSubnetAsync(subnetId)).Should().ContainSingle();
        Advance(TimeSpan.FromMinutes(1));
        (await DescribeInstanceAsync(instance.InstanceId)).State.Name.Should().Be(InstanceStateName.Terminated);
        (await InterfacesInSubnetAsync(subnetId)).Should().BeEmpty();
        // The root volume went with the instance; the data volume stays, detached.
        var left = (await Ec2.DescribeVolumesAsync(new DescribeVolumesRequest())).Volumes.Should().ContainSingle().Subject;
        left.VolumeId.Should().Be(dataVolume);
        left.State.Should().Be(VolumeState.Available);
        await Ec2.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = dataVolume });
        await Ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = subnetId });
    }

    [Fact]
    public async Task Client_token_returns_the_same_instances_and_refuses_other_parameters()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());

        var first = await RunAsync(subnetId, count: 2, clientToken: "cp-token");
        var again = await RunAsync(subnetId, count: 2, clientToken: "cp-token");

        again.Select(i => i.InstanceId).Should().Equal(first.Select(i => i.InstanceId));
        again.Should().OnlyContain(i => i.ClientToken == "cp-token");
        await FailsWith("IdempotentParameterMismatch", () => RunAsync(subnetId, type: "t3.large", count: 2, clientToken: "cp-token"));
        (await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest())).Reservations.SelectMany(r => r.Instances).Should().HaveCount(2);
    }

    [Fact]
    public async Task On_demand_vcpus_stop_at_the_quota_while_spot_instances_do_not_count()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        await RunAsync(subnetId, type: "t3.xlarge", count: 3);

        var error = await FailsWith("VcpuLimitExceeded", () => RunAsync(subnetId, type: "m5.2xlarge"));
        error.Message.Should().Contain("vCPU limit of 16");
        var spot = (await RunAsync(subnetId, type: "m5.2xlarge", configure: r => r.InstanceMarketOptions = new InstanceMarketOptionsRequest
        {
            MarketType = MarketType.Spot,
            SpotOptions = new SpotMarketOptions { MaxPrice = "0.12" },
        })).Single();
        spot.InstanceLifecycle.Should().Be(InstanceLifecycleType.Spot);
        spot.SpotInstanceRequestId.Should().StartWith("sir-");
        await RunAsync(subnetId, type: "t3.xlarge");
    }

    [Fact]
    public async Task A_launch_gets_as_many_instances_as_the_quota_allows_when_that_meets_min_count()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());

        var launched = await RunAsync(subnetId, type: "t3.xlarge", configure: r => (r.MinCount, r.MaxCount) = (2, 10));

        launched.Should().HaveCount(4);
        launched.Select(i => i.AmiLaunchIndex).Should().Equal(0, 1, 2, 3);
        await FailsWith("VcpuLimitExceeded", () => RunAsync(subnetId, type: "t3.micro"));
    }

    [Fact]
    public async Task Private_addresses_of_terminated_instances_are_handed_out_again()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId, "10.0.1.0/28");
        // A /28 keeps 11 addresses for instances; t3.micro has 2 vCPUs, so 8 fit the quota of 16.
        var first = await RunAsync(subnetId, type: "t3.micro", count: 8);
        await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [.. first.Select(i => i.InstanceId)] });
        Advance(TimeSpan.FromMinutes(1));

        var second = await RunAsync(subnetId, type: "t3.micro", count: 8);

        second.Select(i => i.PrivateIpAddress).Should().OnlyHaveUniqueItems()
            .And.OnlyContain(ip => ip.StartsWith("10.0.1.") && int.Parse(ip.Split('.')[3]) >= 4 && int.Parse(ip.Split('.')[3]) <= 14);
    }

    [Fact]
    public async Task Instance_types_not_offered_in_the_zone_are_unsupported()
    {
        var vpcId = await CreateVpcAsync();
        var zoneF = await CreateSubnetAsync(vpcId, "10.0.1.0/24", "us-east-1f");
        var zoneA = await CreateSubnetAsync(vpcId, "10.0.2.0/24", "us-east-1a");

        var error = await FailsWith("Unsupported", () => RunAsync(zoneF, type: "g4dn.xlarge"));

        error.Message.Should().Contain("(g4dn.xlarge) is not supported in your requested Availability Zone (us-east-1f)");
        (await RunAsync(zoneA, type: "g4dn.xlarge")).Should().ContainSingle();
    }

    [Fact]
    public async Task Bad_launch_parameters_get_ec2_errors()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());

        await FailsWith("InvalidAMIID.NotFound", () => RunAsync(subnetId, configure: r => r.ImageId = "ami-00000000000000000"));
        await FailsWith("InvalidKeyPair.NotFound", () => RunAsync(subnetId, configure: r => r.KeyName = "missing"));
        await FailsWith("InvalidSubnetID.NotFound", () => RunAsync("subnet-0123456789abcdef0"));
        await FailsWith("InvalidGroup.NotFound", () => RunAsync(subnetId, configure: r => r.SecurityGroupIds = ["sg-0123456789abcdef0"]));
        await FailsWith("InvalidParameterValue", () => RunAsync(subnetId, type: "x9.huge"));
        await FailsWith("InvalidInstanceID.NotFound", () => Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = ["i-0123456789abcdef0"] }));
    }

    [Fact]
    public async Task Describe_filters_by_state_subnet_and_tag_and_pages()
    {
        var vpcId = await CreateVpcAsync();
        var subnetA = await CreateSubnetAsync(vpcId);
        var subnetB = await CreateSubnetAsync(vpcId, "10.0.2.0/24");
        var workers = await RunAsync(subnetA, type: "t3.micro", count: 6, configure: r => r.TagSpecifications = Tagged(ResourceType.Instance, "worker"));
        await RunAsync(subnetB, type: "t3.micro");
        Advance(TimeSpan.FromSeconds(45));
        await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [workers[0].InstanceId] });

        async Task<List<string>> Ids(params Filter[] filters) =>
            [.. ((await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [.. filters] })).Reservations ?? []).SelectMany(r => r.Instances).Select(i => i.InstanceId)];

        (await Ids(new Filter("instance-state-name", ["running"]))).Should().HaveCount(6);
        (await Ids(new Filter("instance-state-name", ["shutting-down"]))).Should().Equal(workers[0].InstanceId);
        (await Ids(new Filter("subnet-id", [subnetB]))).Should().ContainSingle();
        (await Ids(new Filter("tag:Name", ["worker"]), new Filter("instance-state-name", ["running", "pending"]))).Should().HaveCount(5);
        var firstPage = await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5 });
        firstPage.Reservations.SelectMany(r => r.Instances).Should().HaveCount(5);
        var secondPage = await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5, NextToken = firstPage.NextToken });
        secondPage.Reservations.SelectMany(r => r.Instances).Should().HaveCount(2);
        secondPage.NextToken.Should().BeNull();
        await FailsWith("InvalidParameterCombination", () => Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5, InstanceIds = [workers[1].InstanceId] }));
        (await Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest())).InstanceStatuses.Should().HaveCount(6);
        (await Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { IncludeAllInstances = true })).InstanceStatuses.Should().HaveCount(7);
    }
}
