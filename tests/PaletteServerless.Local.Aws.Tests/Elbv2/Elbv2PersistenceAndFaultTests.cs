using PaletteServerless.Aws.Clients;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.Elbv2;

public sealed class Elbv2PersistenceAndFaultTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("local-aws-elbv2-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task Load_balancers_target_groups_listeners_and_rules_survive_a_restart_and_keep_their_life_cycle()
    {
        var options = new LocalAwsOptions { DataDirectory = _dataDirectory };
        string loadBalancerArn;
        string targetGroupArn;
        Microsoft.Extensions.Time.Testing.FakeTimeProvider clock;
        await using (var first = await LocalAwsHost.StartAsync(options))
        {
            clock = first.Clock;
            using var elb = first.Elbv2();
            using var events = first.Events();
            var network = await Elbv2Network.CreateAsync(first.Ec2());
            loadBalancerArn = (await elb.CreateLoadBalancerAsync(new CreateLoadBalancerRequest
            {
                Name = "c1-apiserver", Type = "network", Subnets = [network.SubnetA], Tags = [new ResourceTag("Name", "c1")],
            })).LoadBalancerArn;
            targetGroupArn = (await elb.CreateTargetGroupAsync(new CreateTargetGroupRequest { Name = "c1-apiserver", VpcId = network.VpcId })).TargetGroupArn;
            await elb.CreateListenerAsync(loadBalancerArn, "TCP", 6443, targetGroupArn);
            await events.PutRuleAsync(new PutRuleRequest { Name = "r", EventPattern = """{"source":["x"]}""" });
            await events.PutTargetsAsync("r", [new EventBridgeTarget("log", "arn:aws:logs:us-east-1:000000000000:log-group:x")]);
        }

        await using var second = await LocalAwsHost.StartAsync(options, clock);
        using var resumedElb = second.Elbv2();
        using var resumedEvents = second.Events();
        second.Clock.Advance(TimeSpan.FromMinutes(3));

        var loadBalancer = (await resumedElb.DescribeLoadBalancersAsync([loadBalancerArn])).Items.Single();
        loadBalancer.State.Should().Be("active");
        (await resumedElb.DescribeTagsAsync([loadBalancerArn])).Single().Tags.Should().Equal(new ResourceTag("Name", "c1"));
        (await resumedElb.DescribeListenersAsync(loadBalancerArn)).Items.Single().DefaultActions.Single().TargetGroupArn.Should().Be(targetGroupArn);
        (await resumedEvents.ListTargetsByRuleAsync("r")).Targets.Should().ContainSingle().Which.Id.Should().Be("log");
    }

    [Fact]
    public async Task Within_the_eventual_consistency_window_a_new_load_balancer_is_not_yet_found()
    {
        var options = new LocalAwsOptions { FaultProfile = new FaultProfile { EventualConsistencySeconds = 5 } };
        await using var host = await LocalAwsHost.StartAsync(options);
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(host.Ec2(), () => host.Clock.Advance(TimeSpan.FromSeconds(5)));
        var arn = (await elb.CreateLoadBalancerAsync(new CreateLoadBalancerRequest { Name = "lb", Type = "network", Subnets = [network.SubnetA] })).LoadBalancerArn;

        var tooSoon = () => elb.DescribeLoadBalancersAsync([arn]);

        (await tooSoon.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("LoadBalancerNotFound");
        host.Clock.Advance(TimeSpan.FromSeconds(5));
        (await elb.DescribeLoadBalancersAsync([arn])).Items.Should().ContainSingle();
    }
}
