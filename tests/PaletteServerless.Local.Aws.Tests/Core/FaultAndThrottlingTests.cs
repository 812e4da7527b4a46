using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Tests.Core;

public sealed class FaultAndThrottlingTests
{
    [Fact]
    public async Task Fault_profile_file_injects_internal_errors_per_operation()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, """
                {
                  // DescribeVpcs always fails; everything else works.
                  "seed": 7,
                  "operations": { "DescribeVpcs": { "InternalError": 1.0 } }
                }
                """);
            await using var host = await LocalAwsHost.StartAsync(new LocalAwsOptions { FaultProfilePath = path });
            using var ec2 = host.Ec2();

            await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.0.0.0/16" });
            var error = await FluentActions.Awaiting(() => ec2.DescribeVpcsAsync(new DescribeVpcsRequest())).Should().ThrowAsync<AmazonEC2Exception>();

            error.Which.ErrorCode.Should().Be("InternalError");
            error.Which.StatusCode.Should().Be(System.Net.HttpStatusCode.InternalServerError);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Faults_with_the_same_seed_replay_the_same_run()
    {
        var profile = new FaultProfile { Seed = 42, Operations = new() { ["*"] = new() { [FaultInjector.ServiceUnavailable] = 0.5 } } };

        static List<bool> Run(FaultProfile profile, int? seed = null)
        {
            var faults = new FaultInjector(profile, seed);
            return [.. Enumerable.Range(0, 50).Select(_ => faults.Strikes("RunInstances", FaultInjector.ServiceUnavailable))];
        }

        Run(profile).Should().Equal(Run(profile));
        Run(profile).Should().Contain(true).And.Contain(false);
        Run(profile, seed: 43).Should().NotEqual(Run(profile));
    }

    [Fact]
    public async Task Capacity_faults_and_failing_nat_gateways_come_from_the_profile()
    {
        var profile = new FaultProfile
        {
            Operations = new() { ["RunInstances"] = new() { [FaultInjector.InsufficientInstanceCapacity] = 1.0 } },
            NatGatewayFailureRate = 1.0,
            NatGatewayFailureCode = "InternalError",
        };
        await using var host = await LocalAwsHost.StartAsync(new LocalAwsOptions { FaultProfile = profile });
        using var ec2 = host.Ec2();
        var vpcId = (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.0.0.0/16" })).Vpc.VpcId;
        var subnetId = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpcId, CidrBlock = "10.0.1.0/24" })).Subnet.SubnetId;
        var gatewayId = (await ec2.CreateInternetGatewayAsync(new CreateInternetGatewayRequest())).InternetGateway.InternetGatewayId;
        await ec2.AttachInternetGatewayAsync(new AttachInternetGatewayRequest { InternetGatewayId = gatewayId, VpcId = vpcId });
        var allocationId = (await ec2.AllocateAddressAsync(new AllocateAddressRequest())).AllocationId;

        var launch = await FluentActions.Awaiting(() => ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = "ami-0c7217cdde317cfec", MinCount = 1, MaxCount = 1, SubnetId = subnetId }))
            .Should().ThrowAsync<AmazonEC2Exception>();
        launch.Which.ErrorCode.Should().Be("InsufficientInstanceCapacity");
        var natId = (await ec2.CreateNatGatewayAsync(new CreateNatGatewayRequest { SubnetId = subnetId, AllocationId = allocationId })).NatGateway.NatGatewayId;
        host.Clock.Advance(TimeSpan.FromSeconds(30));
        var nat = (await ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest { NatGatewayIds = [natId] })).NatGateways.Single();
        nat.State.Should().Be(NatGatewayState.Failed);
        nat.FailureCode.Should().Be("InternalError");
    }

    [Fact]
    public async Task New_ids_stay_not_found_for_the_eventual_consistency_window()
    {
        await using var host = await LocalAwsHost.StartAsync(new LocalAwsOptions { FaultProfile = new FaultProfile { EventualConsistencySeconds = 5 } });
        using var ec2 = host.Ec2();

        var vpcId = (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.0.0.0/16" })).Vpc.VpcId;

        await FluentActions.Awaiting(() => ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [vpcId] }))
            .Should().ThrowAsync<AmazonEC2Exception>().Where(e => e.ErrorCode == "InvalidVpcID.NotFound");
        await FluentActions.Awaiting(() => ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpcId, CidrBlock = "10.0.1.0/24" }))
            .Should().ThrowAsync<AmazonEC2Exception>().Where(e => e.ErrorCode == "InvalidVpcID.NotFound");
        host.Clock.Advance(TimeSpan.FromSeconds(5));
        (await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [vpcId] })).Vpcs.Should().ContainSingle();
    }

    [Fact]
    public async Task Token_buckets_throttle_run_instances_and_refill_with_the_clock()
    {
        await using var host = await LocalAwsHost.StartAsync(new LocalAwsOptions { Throttling = true });
        using var ec2 = host.Ec2();
        var vpcId = (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.0.0.0/16" })).Vpc.VpcId;
        var subnetId = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpcId, CidrBlock = "10.0.1.0/24" })).Subnet.SubnetId;
        Task<RunInstancesResponse> Run() => ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = "ami-0c7217cdde317cfec", InstanceType = "t3.micro", MinCount = 1, MaxCount = 1, SubnetId = subnetId });

        for (var i = 0; i < 5; i++)
            await Run();
        var throttled = await FluentActions.Awaiting(Run).Should().ThrowAsync<AmazonEC2Exception>();
        throttled.Which.ErrorCode.Should().Be("RequestLimitExceeded");

        // RunInstances refills two tokens a second; other buckets are untouched.
        (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest())).Reservations.Should().HaveCount(5);
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        await Run();
        await Run();
        await FluentActions.Awaiting(Run).Should().ThrowAsync<AmazonEC2Exception>();
    }

    [Fact]
    public async Task A_launch_takes_one_resource_token_per_instance_and_is_refused_whole_when_the_bucket_holds_too_few()
    {
        await using var host = await LocalAwsHost.StartAsync(new LocalAwsOptions { Throttling = true, OnDemandVcpuQuota = 100_000 });
        using var ec2 = host.Ec2();
        var vpcId = (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.0.0.0/16" })).Vpc.VpcId;
        var subnetId = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpcId, CidrBlock = "10.0.0.0/20" })).Subnet.SubnetId;
        Task<RunInstancesResponse> Run(int count) => ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = "ami-0c7217cdde317cfec", InstanceType = "t3.micro", MinCount = count, MaxCount = count, SubnetId = subnetId,
        });

        // The resource bucket holds 1000 instances: 999 in one call leave one token, so a call for two is refused whole.
        (await Run(999)).Reservation.Instances.Should().HaveCount(999);
        var refused = await FluentActions.Awaiting(() => Run(2)).Should().ThrowAsync<AmazonEC2Exception>();
        refused.Which.ErrorCode.Should().Be("RequestLimitExceeded");
        refused.Which.StatusCode.Should().Be(System.Net.HttpStatusCode.ServiceUnavailable);
        (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 1000 })).Reservations.SelectMany(r => r.Instances).Should().HaveCount(999);

        // Two instances a second refill it.
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        (await Run(2)).Reservation.Instances.Should().HaveCount(2);
    }

    [Fact]
    public void Resource_buckets_count_instances_and_refill_per_modelled_second_when_asked()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var real = new TokenBuckets(clock);
        var modelled = new TokenBuckets(clock, refillScale: 10);

        real.TryTakeResources("1", "us-east-1", "ec2", "TerminateInstances", 1000).Should().BeTrue();
        modelled.TryTakeResources("1", "us-east-1", "ec2", "TerminateInstances", 1000).Should().BeTrue();
        clock.Advance(TimeSpan.FromSeconds(0.1));
        // TerminateInstances refills 20 instances a second: 2 in a tenth of a real second, 20 in a tenth at time scale 10.
        real.TryTakeResources("1", "us-east-1", "ec2", "TerminateInstances", 3).Should().BeFalse();
        real.TryTakeResources("1", "us-east-1", "ec2", "TerminateInstances", 2).Should().BeTrue();
        modelled.TryTakeResources("1", "us-east-1", "ec2", "TerminateInstances", 20).Should().BeTrue();
        modelled.TryTakeResources("1", "us-east-1", "ec2", "DescribeInstances", 5000).Should().BeTrue("a call without a resource bucket takes none");
    }

    [Fact]
    public void Latency_model_uses_aws_facts_defaults_overrides_and_the_time_scale()
    {
        var latency = new LatencyModel(new LocalAwsOptions
        {
            TimeScale = 60,
            LatencyOverrides = new Dictionary<string, TimeSpan> { [LatencyModel.InstanceRunning] = TimeSpan.FromSeconds(30) },
        });

        latency.Of(LatencyModel.NatGatewayAvailable).Should().Be(TimeSpan.FromSeconds(2));
        latency.Of(LatencyModel.InstanceRunning).Should().Be(TimeSpan.FromSeconds(0.5));
        latency.Of("Custom", TimeSpan.FromMinutes(1)).Should().Be(TimeSpan.FromSeconds(1));
        FluentActions.Invoking(() => latency.Of("Unknown")).Should().Throw<ArgumentException>();
    }
}
