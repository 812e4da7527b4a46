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
