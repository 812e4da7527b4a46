using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Local.Aws.EventBridge;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// StopInstances, StartInstances and RebootInstances: EC2's state transitions (running, stopping,
/// stopped; stopped, pending, running; a reboot stays running), errors, and state-change events.
/// </summary>
public sealed class Ec2StopStartTests : Ec2TestBase
{
    private readonly ConcurrentQueue<string> _published = new();

    private List<string> StatesOf(string instanceId) =>
        [.. _published.Select(e => JsonDocument.Parse(e).RootElement)
            .Where(e => e.GetProperty("detail-type").GetString() == "EC2 Instance State-change Notification"
                && e.GetProperty("detail").GetProperty("instance-id").GetString() == instanceId)
            .Select(e => e.GetProperty("detail").GetProperty("state").GetString()!)];

    private async Task<string> SubnetAsync(bool publicAddresses = false)
    {
        Host.Aws.Services.OfType<EventBridgeService>().Single().Stream.Published += _published.Enqueue;
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        if (publicAddresses)
            await Ec2.ModifySubnetAttributeAsync(new ModifySubnetAttributeRequest { SubnetId = subnetId, MapPublicIpOnLaunch = true });
        return subnetId;
    }

    private async Task<string> RunningAsync(string subnetId, Action<RunInstancesRequest>? configure = null)
    {
        var id = (await RunAsync(subnetId, configure: configure)).Single().InstanceId;
        Advance(TimeSpan.FromSeconds(45));
        return id;
    }

    private Task<StopInstancesResponse> StopAsync(params string[] ids) => Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [.. ids] });

    private Task<StartInstancesResponse> StartAsync(params string[] ids) => Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [.. ids] });

    private Task<RebootInstancesResponse> RebootAsync(params string[] ids) => Ec2.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = [.. ids] });

    private static (string Previous, int? PreviousCode, string Current, int? CurrentCode) Change(InstanceStateChange change) =>
        (change.PreviousState.Name.Value, change.PreviousState.Code, change.CurrentState.Name.Value, change.CurrentState.Code);

    [Fact]
    public async Task Stopping_and_starting_go_through_ec2_states_with_a_state_change_event_for_each()
    {
        var subnetId = await SubnetAsync(publicAddresses: true);
        var id = await RunningAsync(subnetId);
        var launched = await DescribeInstanceAsync(id);
        launched.PublicIpAddress.Should().NotBeNull();

        var stopping = (await StopAsync(id)).StoppingInstances.Single();

        stopping.InstanceId.Should().Be(id);
        Change(stopping).Should().Be(("running", 16, "stopping", 64));
        var described = await DescribeInstanceAsync(id);
        described.State.Name.Value.Should().Be("stopping");
        described.StateReason.Code.Should().Be("Client.UserInitiatedShutdown");
        described.PublicIpAddress.Should().BeNull("EC2 releases an instance's own public address when it stops");
        Change((await StopAsync(id)).StoppingInstances.Single()).Should().Be(("stopping", 64, "stopping", 64), "stopping again changes nothing");
        await FailsWith("IncorrectInstanceState", () => StartAsync(id));

        Advance(TimeSpan.FromMinutes(1));
        var stopped = await DescribeInstanceAsync(id);
        stopped.State.Name.Value.Should().Be("stopped");
        stopped.State.Code.Should().Be(80);
        stopped.PrivateIpAddress.Should().Be(launched.PrivateIpAddress);
        stopped.BlockDeviceMappings.Should().ContainSingle("volumes stay attached to a stopped instance");
        Change((await StopAsync(id)).StoppingInstances.Single()).Should().Be(("stopped", 80, "stopped", 80));

        var starting = (await StartAsync(id)).StartingInstances.Single();

        Change(starting).Should().Be(("stopped", 80, "pending", 0));
        Advance(TimeSpan.FromSeconds(45));
        var restarted = await DescribeInstanceAsync(id);
        restarted.State.Name.Value.Should().Be("running");
        restarted.StateReason.Should().BeNull();
        restarted.PublicIpAddress.Should().NotBeNull("a started instance gets a new public address");
        Change((await StartAsync(id)).StartingInstances.Single()).Should().Be(("running", 16, "running", 16), "starting a running instance changes nothing");
        StatesOf(id).Should().Equal("pending", "running", "stopping", "stopped", "pending", "running");
    }

    [Fact]
    public async Task Rebooting_keeps_a_running_instance_running_without_a_state_change()
    {
        var subnetId = await SubnetAsync();
        var id = await RunningAsync(subnetId);
        var before = await DescribeInstanceAsync(id);

        await RebootAsync(id);
        Advance(TimeSpan.FromMinutes(2));

        var after = await DescribeInstanceAsync(id);
        after.State.Name.Value.Should().Be("running");
        after.PrivateIpAddress.Should().Be(before.PrivateIpAddress);
        after.LaunchTime.Should().Be(before.LaunchTime);
        StatesOf(id).Should().Equal("pending", "running");
        await StopAsync(id);
        await FailsWith("IncorrectInstanceState", () => RebootAsync(id));
        await FailsWith("InvalidInstanceID.NotFound", () => RebootAsync("i-0123456789abcdef0"));
    }

    [Fact]
    public async Task Instances_that_cannot_stop_or_start_get_ec2_errors_and_a_refused_call_changes_none()
    {
        var subnetId = await SubnetAsync();
        var running = await RunningAsync(subnetId);
        var terminated = await RunningAsync(subnetId);
        await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [terminated] });
        var protectedOne = await RunningAsync(subnetId, r => r.DisableApiStop = true);
        var spot = await RunningAsync(subnetId, r => r.InstanceMarketOptions = new InstanceMarketOptionsRequest { MarketType = MarketType.Spot });
        var pending = (await RunAsync(subnetId)).Single().InstanceId;

        (await FailsWith("IncorrectInstanceState", () => StopAsync(terminated))).Message.Should().Contain(terminated);
        await FailsWith("IncorrectInstanceState", () => StopAsync(running, terminated));
        (await DescribeInstanceAsync(running)).State.Name.Value.Should().Be("running", "EC2 refuses the whole call");
        (await FailsWith("IncorrectInstanceState", () => StopAsync(pending))).Message.Should().Contain("never reached the 'running' state");
        await FailsWith("InvalidInstanceID.NotFound", () => StopAsync("i-0123456789abcdef0"));
        (await FailsWith("UnsupportedOperation", () => StopAsync(spot))).Message.Should().Contain("one-time Spot Instance request");
        await FailsWith("OperationNotPermitted", () => StopAsync(protectedOne));
        (await Ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = protectedOne, Attribute = "disableApiStop" }))
            .InstanceAttribute.DisableApiStop.Should().BeTrue();
        await FailsWith("IncorrectInstanceState", () => StartAsync(terminated));
        await FailsWith("MissingParameter", () => StopAsync());
        StatesOf(running).Should().Equal("pending", "running");
        StatesOf(spot).Should().Equal("pending", "running");
    }

    [Fact]
    public async Task Persistent_spot_requests_whose_instances_could_stop_are_not_launched()
    {
        var subnetId = await SubnetAsync();

        await FailsWith("UnsupportedOperation", () => RunAsync(subnetId, configure: r => r.InstanceMarketOptions = new InstanceMarketOptionsRequest
        {
            MarketType = MarketType.Spot,
            SpotOptions = new SpotMarketOptions { SpotInstanceType = SpotInstanceType.Persistent, InstanceInterruptionBehavior = InstanceInterruptionBehavior.Stop },
        }));
        // A one-time request's instance cannot be stopped on interruption either.
        (await FailsWith("InvalidParameterCombination", () => RunAsync(subnetId, configure: r => r.InstanceMarketOptions = new InstanceMarketOptionsRequest
        {
            MarketType = MarketType.Spot,
            SpotOptions = new SpotMarketOptions { InstanceInterruptionBehavior = InstanceInterruptionBehavior.Stop },
        }))).Message.Should().Contain("'one-time'");
        (await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest())).Reservations.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task An_elastic_ip_stays_with_a_stopped_instance_and_comes_back_running()
    {
        var subnetId = await SubnetAsync();
        var vpcId = (await Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = [subnetId] })).Subnets.Single().VpcId;
        await AttachNewGatewayAsync(vpcId);
        var id = await RunningAsync(subnetId);
        var allocationId = await AllocateAsync();
        await Ec2.AssociateAddressAsync(new AssociateAddressRequest { AllocationId = allocationId, InstanceId = id });
        var address = (await Ec2.DescribeAddressesAsync(new DescribeAddressesRequest { AllocationIds = [allocationId] })).Addresses.Single().PublicIp;

        await StopAsync(id);
        Advance(TimeSpan.FromMinutes(1));
        (await DescribeInstanceAsync(id)).PublicIpAddress.Should().Be(address);
        await StartAsync(id);
        Advance(TimeSpan.FromSeconds(45));

        (await DescribeInstanceAsync(id)).PublicIpAddress.Should().Be(address);
        (await Ec2.DescribeAddressesAsync(new DescribeAddressesRequest { AllocationIds = [allocationId] })).Addresses.Single().InstanceId.Should().Be(id);
    }
}

/// <summary>The on-demand vCPU quota counts running instances: a stopped one frees its vCPUs, and a start needs them back.</summary>
public sealed class Ec2StopStartQuotaTests : Ec2TestBase
{
    // Two t3.medium (2 vCPUs each) fill the quota.
    protected override PaletteServerless.Local.Aws.Core.LocalAwsOptions Options => new() { OnDemandVcpuQuota = 4 };

    [Fact]
    public async Task A_stopped_instance_frees_its_vcpus_and_cannot_start_once_they_are_used()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instances = await RunAsync(subnetId, count: 2);
        Advance(TimeSpan.FromSeconds(45));
        await FailsWith("VcpuLimitExceeded", () => RunAsync(subnetId));
        var stopped = instances[0].InstanceId;
        await Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [stopped] });
        // Until it has stopped, a stopping instance still holds its vCPUs.
        await FailsWith("VcpuLimitExceeded", () => RunAsync(subnetId));
        Advance(TimeSpan.FromMinutes(1));

        var replacement = (await RunAsync(subnetId)).Single();

        await FailsWith("VcpuLimitExceeded", () => Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [stopped] }));
        (await DescribeInstanceAsync(stopped)).State.Name.Value.Should().Be("stopped");
        await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [replacement.InstanceId] });
        Advance(TimeSpan.FromMinutes(1));
        (await Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [stopped] })).StartingInstances.Single().CurrentState.Name.Value.Should().Be("pending");
    }
}
