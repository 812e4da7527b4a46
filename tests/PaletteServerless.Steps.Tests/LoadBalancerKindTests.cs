using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>The API load balancer's decisions on the in-memory load balancers (<see cref="FakeLoadBalancers"/>): make or adopt, wait for active, join the control planes, delete in order.</summary>
public sealed class LoadBalancerKindTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private FakeLoadBalancers Elb => _cloud.LoadBalancers;

    private async Task<LoadBalancerKind> KindAsync() => new(await ResourcesAsync(_cloud, _inventory));

    private async Task<string> EnsureAsync()
    {
        _inventory.Add(ResourceKinds.Vpc, "vpc-1");
        _inventory.Add(ResourceKinds.SecurityGroup, "sg-lb", SecurityGroupRoles.LoadBalancer);
        return await (await KindAsync()).EnsureAsync(ClusterPlan.Build(Create()), ["subnet-a"], Ct);
    }

    [Fact]
    public async Task A_create_makes_the_load_balancer_its_target_group_and_one_listener_and_records_them()
    {
        var dnsName = await EnsureAsync();

        var lb = Elb.LoadBalancers.Should().ContainSingle().Which;
        dnsName.Should().Be(lb.DnsName);
        var group = Elb.TargetGroups.Should().ContainSingle().Which;
        group.Request.Should().BeEquivalentTo(new { Protocol = "TCP", Port = 6443, VpcId = "vpc-1", HealthCheck = LoadBalancerKind.ApiServerHealthCheck });
        Elb.Listeners.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Protocol = "TCP", Port = 6443, TargetGroupArn = group.Arn });
        _inventory.Items.Should().Contain(i => i.Kind == ResourceKinds.LoadBalancer && i.Id == lb.Arn && i.Attributes!["dnsName"] == lb.DnsName)
            .And.Contain(i => i.Kind == ResourceKinds.TargetGroup && i.Id == group.Arn);
        Elb.TagsOf(lb.Arn).Should().Contain("Name", "demo-apiserver");
    }

    [Fact]
    public async Task A_create_run_again_after_a_lost_record_adopts_what_exists_by_name()
    {
        await EnsureAsync();
        _inventory.Items.RemoveAll(i => i.Kind is ResourceKinds.LoadBalancer or ResourceKinds.TargetGroup);

        await (await KindAsync()).EnsureAsync(ClusterPlan.Build(Create()), ["subnet-a"], Ct);

        Elb.LoadBalancers.Should().ContainSingle();
        Elb.TargetGroups.Should().ContainSingle();
        Elb.Listeners.Should().ContainSingle();
        Elb.Calls.Count(c => c.StartsWith("CreateLoadBalancer", StringComparison.Ordinal)).Should().Be(1);
        _inventory.Items.Should().Contain(i => i.Kind == ResourceKinds.LoadBalancer).And.Contain(i => i.Kind == ResourceKinds.TargetGroup);
    }

    [Fact]
    public async Task The_check_waits_while_provisioning_passes_once_active_and_fails_the_create_when_failed()
    {
        await EnsureAsync();
        var arn = Elb.LoadBalancers.Single().Arn;

        (await (await KindAsync()).CheckAsync(Ct)).Should().BeFalse();
        Elb.Activate(arn);
        (await (await KindAsync()).CheckAsync(Ct)).Should().BeTrue();
        Elb.Activate(arn, failure: "capacity");
        await FluentActions.Awaiting(async () => await (await KindAsync()).CheckAsync(Ct)).Should().ThrowAsync<ProvisioningFailedException>().WithMessage("*capacity*");
    }

    [Fact]
    public async Task Control_planes_not_yet_targets_are_registered_and_the_targets_pass_only_once_all_are_healthy()
    {
        var group = Elb.SeedTargetGroup("demo-tg");
        _inventory.Add(ResourceKinds.TargetGroup, group);
        _inventory.Add(ResourceKinds.Instance, "i-cp", "demo-cp-0", "us-east-1a", new() { [NodeAttributes.Role] = NodePoolRoles.ControlPlane });
        _inventory.Add(ResourceKinds.Instance, "i-w", "demo-workers-0", "us-east-1a", new() { [NodeAttributes.Role] = NodePoolRoles.Worker });

        (await (await KindAsync()).RegisterControlPlaneAsync(Ct)).Should().BeFalse("a target registered now has not passed a check");
        Elb.TargetGroups.Single().Targets.Keys.Should().Equal("i-cp");
        (await (await KindAsync()).RegisterControlPlaneAsync(Ct)).Should().BeFalse("a target no listener forwards to is unused, not healthy");
        Elb.SetHealth(group, "i-cp", TargetHealth.Healthy);
        (await (await KindAsync()).RegisterControlPlaneAsync(Ct)).Should().BeTrue();
        Elb.Calls.Count(c => c.StartsWith("RegisterTargets", StringComparison.Ordinal)).Should().Be(1, "a register only for an instance that is not a target");
    }

    [Fact]
    public async Task An_early_register_an_instance_cannot_join_is_left_to_the_nodes_check()
    {
        _inventory.Add(ResourceKinds.TargetGroup, Elb.SeedTargetGroup("demo-tg"));
        _inventory.Add(ResourceKinds.Instance, "i-cp", "demo-cp-0", "us-east-1a", new() { [NodeAttributes.Role] = NodePoolRoles.ControlPlane });
        Elb.Fail("RegisterTargets", "InvalidTarget");

        await (await KindAsync()).RegisterLaunchedControlPlaneAsync(Ct);

        Elb.Fail("RegisterTargets", "Throttling");
        await FluentActions.Awaiting(async () => await (await KindAsync()).RegisterLaunchedControlPlaneAsync(Ct)).Should().ThrowAsync<CloudServiceException>();
    }

    [Fact]
    public async Task A_delete_removes_the_load_balancer_then_its_target_group_in_one_pass_and_forgets_both()
    {
        await EnsureAsync();
        var pass = new DeletePass();

        (await (await KindAsync()).DeleteAsync(pass, Ct)).Should().BeTrue();

        Elb.LoadBalancers.Should().BeEmpty();
        Elb.TargetGroups.Should().BeEmpty();
        _inventory.Items.Should().NotContain(i => i.Kind == ResourceKinds.LoadBalancer || i.Kind == ResourceKinds.TargetGroup);
        pass.Errors.Should().BeEmpty();
        (await (await KindAsync()).DeleteAsync(new DeletePass(), Ct)).Should().BeTrue("nothing left to delete");
    }

    [Fact]
    public async Task A_load_balancer_that_cannot_be_read_is_kept_and_its_target_group_waits()
    {
        await EnsureAsync();
        Elb.Fail("DescribeLoadBalancers", "Throttling");
        var pass = new DeletePass();

        (await (await KindAsync()).DeleteAsync(pass, Ct)).Should().BeFalse();

        Elb.LoadBalancers.Should().ContainSingle();
        Elb.TargetGroups.Should().ContainSingle();
        pass.Errors.Should().ContainSingle().Which.Should().Contain("Throttling");
        _inventory.Items.Should().Contain(i => i.Kind == ResourceKinds.LoadBalancer);
    }
}
