using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.EC2.Model;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.EventBridge;
using PaletteServerless.Local.Aws.Tests.Sts;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Local.Aws.Ec2;
using PaletteServerless.Manifest;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>The aws.ec2 events of the local EC2 on the default bus, in the envelope and detail the EC2 user guide documents.</summary>
public sealed class Ec2EventTests : Ec2TestBase
{
    private readonly ConcurrentQueue<string> _published = new();

    private EventBridgeService EventBridge => Host.Aws.Services.OfType<EventBridgeService>().Single();

    private void Listen() => EventBridge.Stream.Published += _published.Enqueue;

    private List<JsonElement> Ec2Events(string detailType) =>
        [.. _published.Select(e => JsonDocument.Parse(e).RootElement)
            .Where(e => e.GetProperty("source").GetString() == "aws.ec2" && e.GetProperty("detail-type").GetString() == detailType)];

    private List<string> StatesOf(string instanceId) =>
        [.. Ec2Events("EC2 Instance State-change Notification")
            .Where(e => e.GetProperty("detail").GetProperty("instance-id").GetString() == instanceId)
            .Select(e => e.GetProperty("detail").GetProperty("state").GetString()!)];

    [Fact]
    public async Task Every_state_an_instance_enters_is_announced_once_in_the_documented_envelope()
    {
        Listen();
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var launchedAt = Host.Clock.GetUtcNow();
        var instance = (await RunAsync(subnetId)).Single();
        StatesOf(instance.InstanceId).Should().Equal("pending");

        Advance(TimeSpan.FromSeconds(45));
        StatesOf(instance.InstanceId).Should().Equal("pending", "running");
        await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instance.InstanceId] });
        Advance(TimeSpan.FromMinutes(1));
        await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest());
        Advance(TimeSpan.FromMinutes(5));

        StatesOf(instance.InstanceId).Should().Equal("pending", "running", "shutting-down", "terminated");
        var running = Ec2Events("EC2 Instance State-change Notification")[1];
        running.GetProperty("version").GetString().Should().Be("0");
        Guid.TryParse(running.GetProperty("id").GetString(), out _).Should().BeTrue();
        running.GetProperty("account").GetString().Should().Be("000000000000");
        running.GetProperty("region").GetString().Should().Be("us-east-1");
        // The event's time is when the state was entered, not when it was noticed.
        running.GetProperty("time").GetString().Should().Be((launchedAt + TimeSpan.FromSeconds(45)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
        running.GetProperty("resources").EnumerateArray().Select(r => r.GetString()).Should()
            .Equal($"arn:aws:ec2:us-east-1:000000000000:instance/{instance.InstanceId}");
        running.GetProperty("detail").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("instance-id", "state");
    }

    [Fact]
    public async Task Terminating_a_pending_instance_still_announces_each_state_in_order()
    {
        Listen();
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instance = (await RunAsync(subnetId)).Single();
        await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instance.InstanceId] });
        Advance(TimeSpan.FromMinutes(2));

        // The scheduled "running" never happens: the termination replaced it.
        StatesOf(instance.InstanceId).Should().Equal("pending", "shutting-down", "terminated");
    }

    [Fact]
    public async Task A_rule_on_the_default_bus_matches_ec2_events_by_state()
    {
        using var events = Host.Events();
        await events.PutRuleAsync(new PutRuleRequest
        {
            Name = "instance-gone",
            EventPattern = """{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["shutting-down","terminated"]}}""",
        });
        await events.PutTargetsAsync("instance-gone", [new EventBridgeTarget("log", "arn:aws:logs:us-east-1:000000000000:log-group:/local/ec2")]);
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instance = (await RunAsync(subnetId)).Single();
        Advance(TimeSpan.FromMinutes(1));
        EventBridge.LogEntries.Should().BeEmpty("pending and running do not match");

        await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instance.InstanceId] });
        Advance(TimeSpan.FromMinutes(1));

        EventBridge.LogEntries.Select(e => JsonDocument.Parse(e).RootElement.GetProperty("detail").GetProperty("state").GetString())
            .Should().Equal("shutting-down", "terminated");
    }

    [Fact]
    public async Task The_product_rule_matches_the_events_the_local_EC2_sends_as_EC2_names_them()
    {
        // The emulator spells EC2's names from its own model of EC2, the product from its manifest: never one from the other.
        Ec2Service.EventSource.Should().Be(Ec2EventTypes.Source);
        Ec2Service.StateChangeDetailType.Should().Be(Ec2EventTypes.InstanceStateChange);
        Ec2Service.SpotInterruptionDetailType.Should().Be(Ec2EventTypes.SpotInterruptionWarning);

        using var events = Host.Events();
        await events.PutRuleAsync(new PutRuleRequest { Name = "product-rule", EventPattern = EventRuleCatalog.InstanceStateChanges.EventPattern });
        await events.PutTargetsAsync("product-rule", [new EventBridgeTarget("log", "arn:aws:logs:us-east-1:000000000000:log-group:/local/ec2")]);
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instance = (await RunAsync(subnetId)).Single();
        Advance(TimeSpan.FromMinutes(1));
        await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instance.InstanceId] });
        Advance(TimeSpan.FromMinutes(1));

        EventBridge.LogEntries.Select(e => JsonDocument.Parse(e).RootElement.GetProperty("detail").GetProperty("state").GetString())
            .Should().Equal("shutting-down", "terminated");
    }
}

/// <summary>Spot interruptions drawn from the fault profile: the warning, then termination two modelled minutes later.</summary>
public sealed class Ec2SpotInterruptionFaultTests : Ec2TestBase
{
    protected override LocalAwsOptions Options => new() { FaultProfile = new FaultProfile { Seed = 7, SpotInterruptionRate = 1 } };

    [Fact]
    public async Task A_running_spot_instance_is_warned_then_terminated_and_on_demand_ones_are_left()
    {
        var published = new ConcurrentQueue<string>();
        Host.Aws.Services.OfType<EventBridgeService>().Single().Stream.Published += published.Enqueue;
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var spot = (await RunAsync(subnetId, configure: r => r.InstanceMarketOptions = new InstanceMarketOptionsRequest { MarketType = "spot" })).Single();
        var onDemand = (await RunAsync(subnetId)).Single();
        Advance(TimeSpan.FromSeconds(45));

        Advance(TimeSpan.FromMinutes(1));
        var warning = published.Select(e => JsonDocument.Parse(e).RootElement)
            .Should().ContainSingle(e => e.GetProperty("detail-type").GetString() == "EC2 Spot Instance Interruption Warning").Subject;
        warning.GetProperty("source").GetString().Should().Be("aws.ec2");
        warning.GetProperty("resources")[0].GetString().Should().EndWith("instance/" + spot.InstanceId);
        warning.GetProperty("detail").GetProperty("instance-id").GetString().Should().Be(spot.InstanceId);
        warning.GetProperty("detail").GetProperty("instance-action").GetString().Should().Be("terminate");
        var warnedAt = DateTimeOffset.Parse(warning.GetProperty("time").GetString()!);
        (await DescribeInstanceAsync(spot.InstanceId)).State.Name.Value.Should().Be("running", "the notice lasts two minutes");

        Advance(TimeSpan.FromMinutes(2));
        var described = await DescribeInstanceAsync(spot.InstanceId);
        described.State.Name.Value.Should().Be("shutting-down");
        described.StateReason.Code.Should().Be("Server.SpotInstanceTermination");
        var shuttingDown = published.Select(e => JsonDocument.Parse(e).RootElement).Single(e =>
            e.GetProperty("detail").TryGetProperty("state", out var state) && state.GetString() == "shutting-down");
        (DateTimeOffset.Parse(shuttingDown.GetProperty("time").GetString()!) - warnedAt).Should().Be(TimeSpan.FromMinutes(2));
        Advance(TimeSpan.FromMinutes(1));
        (await DescribeInstanceAsync(spot.InstanceId)).State.Name.Value.Should().Be("terminated");
        (await DescribeInstanceAsync(onDemand.InstanceId)).State.Name.Value.Should().Be("running");
    }
}
