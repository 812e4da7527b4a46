using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.EC2.Model;
using PaletteServerless.Local.Aws.Ec2;
using PaletteServerless.Local.Aws.EventBridge;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>The control routes' logic (the host serves it under /local/ec2/instances): interrupt, stop, terminate, impair.</summary>
public sealed class Ec2ControlTests : Ec2TestBase
{
    private readonly ConcurrentQueue<string> _published = new();

    private LocalControlAnswer Post(string instanceId, string action, string body = "") =>
        Ec2Control.Handle(Host.Aws, "POST", $"/local/ec2/instances/{instanceId}/{action}", body);

    private List<string> StatesOf(string instanceId) =>
        [.. _published.Select(e => JsonDocument.Parse(e).RootElement)
            .Where(e => e.GetProperty("detail").TryGetProperty("state", out _) && e.GetProperty("detail").GetProperty("instance-id").GetString() == instanceId)
            .Select(e => e.GetProperty("detail").GetProperty("state").GetString()!)];

    private async Task<(string Spot, string OnDemand)> TwoRunningInstancesAsync()
    {
        Host.Aws.Services.OfType<EventBridgeService>().Single().Stream.Published += _published.Enqueue;
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var spot = (await RunAsync(subnetId, configure: r => r.InstanceMarketOptions = new InstanceMarketOptionsRequest { MarketType = "spot" })).Single();
        var onDemand = (await RunAsync(subnetId)).Single();
        Advance(TimeSpan.FromSeconds(45));
        return (spot.InstanceId, onDemand.InstanceId);
    }

    [Fact]
    public async Task Interrupting_a_spot_instance_warns_and_terminates_it_two_minutes_later()
    {
        var (spot, onDemand) = await TwoRunningInstancesAsync();

        var answer = Post(spot, "interrupt");

        answer.StatusCode.Should().Be(200, answer.Body.ToJsonString());
        answer.Body["state"]!.GetValue<string>().Should().Be("running");
        answer.Body["lifecycle"]!.GetValue<string>().Should().Be("spot");
        DateTimeOffset.Parse(answer.Body["terminatesAt"]!.GetValue<string>()).Should().Be(Host.Clock.GetUtcNow() + TimeSpan.FromMinutes(2));
        _published.Select(e => JsonDocument.Parse(e).RootElement.GetProperty("detail-type").GetString())
            .Should().Contain("EC2 Spot Instance Interruption Warning");
        Post(spot, "interrupt").StatusCode.Should().Be(409, "it is interrupted already");
        Post(onDemand, "interrupt").StatusCode.Should().Be(400, "on-demand instances are not interrupted");
        Advance(TimeSpan.FromMinutes(3));
        StatesOf(spot).Should().Equal("pending", "running", "shutting-down", "terminated");
        (await DescribeInstanceAsync(spot)).StateReason.Code.Should().Be("Server.SpotInstanceTermination");
    }

    [Fact]
    public async Task Stopping_and_terminating_go_through_the_states_and_their_events()
    {
        var (spot, onDemand) = await TwoRunningInstancesAsync();

        Post(onDemand, "stop").Body["state"]!.GetValue<string>().Should().Be("stopping");
        Post(onDemand, "stop").StatusCode.Should().Be(409);
        Advance(TimeSpan.FromMinutes(1));
        (await DescribeInstanceAsync(onDemand)).State.Name.Value.Should().Be("stopped");
        Post(onDemand, "terminate").Body["state"]!.GetValue<string>().Should().Be("shutting-down");
        Post(spot, "terminate").StatusCode.Should().Be(200);
        Advance(TimeSpan.FromMinutes(1));

        StatesOf(onDemand).Should().Equal("pending", "running", "stopping", "stopped", "shutting-down", "terminated");
        StatesOf(spot).Should().Equal("pending", "running", "shutting-down", "terminated");
        Post(onDemand, "terminate").StatusCode.Should().Be(409, "it is terminated");
    }

    [Fact]
    public async Task Status_checks_are_marked_impaired_and_back_to_ok()
    {
        var (_, onDemand) = await TwoRunningInstancesAsync();
        Advance(TimeSpan.FromMinutes(2));

        var impaired = Post(onDemand, "status", """{"status":"impaired","check":"instance"}""");
        impaired.StatusCode.Should().Be(200, impaired.Body.ToJsonString());
        impaired.Body["instanceStatus"]!.GetValue<string>().Should().Be("impaired");
        impaired.Body["systemStatus"]!.GetValue<string>().Should().Be("ok");
        var described = (await Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [onDemand] })).InstanceStatuses.Single();
        described.Status.Status.Value.Should().Be("impaired");
        described.Status.Details.Single().Status.Value.Should().Be("failed");

        Post(onDemand, "status", """{"status":"impaired"}""").Body["systemStatus"]!.GetValue<string>().Should().Be("impaired");
        var recovered = Post(onDemand, "status", """{"status":"ok"}""");
        recovered.Body["instanceStatus"]!.GetValue<string>().Should().Be("ok");
        recovered.Body["systemStatus"]!.GetValue<string>().Should().Be("ok");
        Post(onDemand, "status", """{"status":"broken"}""").StatusCode.Should().Be(400);
        Post(onDemand, "status", """{"status":"ok","check":"disk"}""").StatusCode.Should().Be(400);
        Post(onDemand, "status", "not json").StatusCode.Should().Be(400);
    }

    [Fact]
    public void Unknown_instances_and_routes_answer_404()
    {
        foreach (var action in new[] { "interrupt", "stop", "terminate", "status" })
            Post("i-0123456789abcdef0", action).StatusCode.Should().Be(404);
        Ec2Control.Handle(Host.Aws, "POST", "/local/ec2/instances/i-0123456789abcdef0/reboot", "").StatusCode.Should().Be(404);
        Ec2Control.Handle(Host.Aws, "GET", "/local/ec2/instances/i-0123456789abcdef0/stop", "").StatusCode.Should().Be(404);
    }
}

/// <summary>The impairment rate given as an option (the host's --impairment-rate) replaces the profile's and is drawn per modelled minute.</summary>
public sealed class Ec2ImpairmentFaultTests : Ec2TestBase
{
    protected override PaletteServerless.Local.Aws.Core.LocalAwsOptions Options => new() { FaultProfile = new PaletteServerless.Local.Aws.Core.FaultProfile { Seed = 3 }, InstanceImpairmentRate = 1 };

    [Fact]
    public async Task Running_instances_turn_impaired_within_a_modelled_minute()
    {
        Host.Aws.Faults.IsActive.Should().BeTrue();
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instance = (await RunAsync(subnetId)).Single();
        Advance(TimeSpan.FromSeconds(45));
        (await Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [instance.InstanceId] })).InstanceStatuses.Single()
            .SystemStatus.Status.Value.Should().NotBe("impaired");

        Advance(TimeSpan.FromMinutes(1));

        var status = (await Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [instance.InstanceId] })).InstanceStatuses.Single();
        status.SystemStatus.Status.Value.Should().Be("impaired");
        status.Status.Status.Value.Should().Be("initializing", "only the system check is impaired by the fault");
    }
}
