using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud.Adapters;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.Elbv2;

/// <summary>The product's load balancer adapter (<see cref="Elbv2LoadBalancers"/>) through our ELBv2 client on the local AWS.</summary>
public sealed class Elbv2LoadBalancersTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly Dictionary<string, string> Tags = new() { ["kubernetes.io/cluster/c1"] = "owned", ["Name"] = "c1-apiserver" };

    [Fact]
    public async Task A_load_balancer_its_target_group_and_listener_are_made_found_joined_by_an_instance_and_deleted()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var ec2 = host.Ec2();
        using var client = host.Elbv2();
        var elb = new Elbv2LoadBalancers(client);
        var network = await Elbv2Network.CreateAsync(ec2);
        var instanceId = await network.RunInstanceAsync(ec2);
        var before = await elb.CountAsync(Ct);

        var lb = await elb.CreateNetworkLoadBalancerAsync(new NetworkLoadBalancerRequest("c1-api", "internet-facing", [network.SubnetA, network.SubnetB], [network.SecurityGroupId], Tags), Ct);
        var group = await elb.CreateTargetGroupAsync(new TargetGroupRequest("c1-tg", "TCP", 6443, network.VpcId, LoadBalancerKind.ApiServerHealthCheck, Tags), Ct);
        var listener = await elb.CreateListenerAsync(lb.Arn, "TCP", 6443, group, Tags, Ct);

        lb.Should().BeEquivalentTo(new { Name = "c1-api", VpcId = network.VpcId, Phase = LoadBalancerPhase.Provisioning });
        lb.DnsName.Should().StartWith("c1-api-");
        (await elb.CountAsync(Ct)).Should().Be(before + 1);
        (await elb.FindLoadBalancerAsync("c1-api", Ct)).Should().Be(lb);
        (await elb.FindLoadBalancerAsync("c2-api", Ct)).Should().BeNull();
        (await elb.FindTargetGroupAsync("c1-tg", Ct)).Should().Be(group);
        (await elb.FindTargetGroupAsync("c2-tg", Ct)).Should().BeNull();
        (await elb.ListenersAsync(lb.Arn, Ct)).Should().Equal(new ListenerInfo(listener, "TCP", 6443, group));

        await elb.RegisterAsync(group, [instanceId], Ct);
        (await elb.TargetHealthAsync(group, Ct)).Should().Equal(new TargetHealth(instanceId, "initial", "Elb.RegistrationInProgress"));
        host.Clock.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(10));
        (await elb.LoadBalancerAsync(lb.Arn, Ct))!.Phase.Should().Be(LoadBalancerPhase.Active);
        (await elb.TargetHealthAsync(group, Ct)).Should().Equal(new TargetHealth(instanceId, TargetHealth.Healthy, null));
        await elb.DeregisterAsync(group, [instanceId], Ct);
        (await elb.TargetHealthAsync(group, Ct)).Single().State.Should().Be(TargetHealth.Draining);
        var unknown = await FluentActions.Awaiting(() => elb.RegisterAsync(group, ["i-00000000000000000"], Ct)).Should().ThrowAsync<CloudServiceException>();
        unknown.Which.Code.Should().Be("InvalidTarget");

        var inUse = await FluentActions.Awaiting(() => elb.DeleteTargetGroupAsync(group, Ct)).Should().ThrowAsync<CloudServiceException>();
        inUse.Which.Code.Should().Be("ResourceInUse");
        await elb.DeleteLoadBalancerAsync(lb.Arn, Ct);
        await elb.DeleteLoadBalancerAsync(lb.Arn, Ct);
        (await elb.LoadBalancerAsync(lb.Arn, Ct)).Should().BeNull();
        await elb.DeleteTargetGroupAsync(group, Ct);
        (await elb.FindTargetGroupAsync("c1-tg", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task Tags_of_a_load_balancer_and_its_listener_are_added_and_removed_and_a_second_create_of_other_settings_is_refused()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var client = host.Elbv2();
        var elb = new Elbv2LoadBalancers(client);
        var network = await Elbv2Network.CreateAsync(host.Ec2());
        var lb = await elb.CreateNetworkLoadBalancerAsync(new NetworkLoadBalancerRequest("c1-api", "internet-facing", [network.SubnetA], [], Tags), Ct);
        var group = await elb.CreateTargetGroupAsync(new TargetGroupRequest("c1-tg", "TCP", 6443, network.VpcId, LoadBalancerKind.ApiServerHealthCheck, Tags), Ct);
        var listener = await elb.CreateListenerAsync(lb.Arn, "TCP", 6443, group, Tags, Ct);

        await elb.TagAsync([lb.Arn, listener], new Dictionary<string, string> { ["team"] = "platform" }, Ct);
        await elb.UntagAsync([lb.Arn, listener], ["Name"], Ct);

        var described = await client.DescribeTagsAsync([lb.Arn, listener]);
        described.Should().HaveCount(2).And.OnlyContain(d => d.Tags.Any(t => t.Key == "team" && t.Value == "platform") && d.Tags.All(t => t.Key != "Name"));
        var duplicate = await FluentActions.Awaiting(() => elb.CreateNetworkLoadBalancerAsync(new NetworkLoadBalancerRequest("c1-api", "internal", [network.SubnetA], [], Tags), Ct))
            .Should().ThrowAsync<CloudServiceException>();
        duplicate.Which.Code.Should().Be("DuplicateLoadBalancerName");
        duplicate.Which.Message.Should().NotStartWith("DuplicateLoadBalancerName", "the code is apart from the service's message");
    }
}
