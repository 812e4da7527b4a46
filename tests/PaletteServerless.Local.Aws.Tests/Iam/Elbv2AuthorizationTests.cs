using PaletteServerless.Aws.Clients;
using PaletteServerless.Local.Aws.Elbv2;
using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Local.Aws.Tests.Elbv2;
using PaletteServerless.Local.Aws.Tests.Sts;
using static PaletteServerless.Local.Aws.Tests.Iam.AuthorizationCalls;

namespace PaletteServerless.Local.Aws.Tests.Iam;

/// <summary>
/// The local ELBv2's authorization map, against the Service Authorization Reference's "Elastic
/// Load Balancing V2" page. The world is built through our ELBv2 client and the EC2 SDK.
/// </summary>
public sealed class Elbv2AuthorizationTests : IAsyncLifetime
{
    // The cluster tag, in the global spelling and in ELB's own, which sort apart in a check's line.
    private const string OwnedAws = "aws:ResourceTag/kubernetes.io/cluster/c1=owned";
    private const string OwnedElb = "elasticloadbalancing:ResourceTag/kubernetes.io/cluster/c1=owned";
    private const string Owned = OwnedAws + "; " + OwnedElb;
    private const string Arns = "arn:aws:elasticloadbalancing:us-east-1:000000000000:";

    private static readonly string[] Operations =
    [
        "CreateLoadBalancer", "DescribeLoadBalancers", "DeleteLoadBalancer", "CreateTargetGroup", "DescribeTargetGroups", "DeleteTargetGroup",
        "CreateListener", "DescribeListeners", "DeleteListener", "RegisterTargets", "DeregisterTargets", "DescribeTargetHealth",
        "AddTags", "RemoveTags", "DescribeTags",
    ];

    private LocalAwsHost _host = null!;
    private Elbv2Client _elb = null!;
    private Elbv2Network _network = null!;

    public async Task InitializeAsync()
    {
        _host = await LocalAwsHost.StartAsync();
        _elb = _host.Elbv2();
        using var ec2 = _host.Ec2();
        _network = await Elbv2Network.CreateAsync(ec2);
    }

    public async Task DisposeAsync()
    {
        _elb.Dispose();
        await _host.DisposeAsync();
    }

    private IReadOnlyList<string>? Checks(string operation, params (string, string)[] parameters) =>
        Query(new Elbv2Service(), _host.Aws, operation, parameters);

    private Task<LoadBalancer> CreateLoadBalancerAsync() => _elb.CreateLoadBalancerAsync(new CreateLoadBalancerRequest
    {
        Name = "c1", Type = "network", Scheme = "internal", Subnets = [_network.SubnetA, _network.SubnetB],
        Tags = [new ResourceTag("kubernetes.io/cluster/c1", "owned")],
    });

    private Task<TargetGroup> CreateTargetGroupAsync(IReadOnlyList<ResourceTag>? tags = null) => _elb.CreateTargetGroupAsync(new CreateTargetGroupRequest
    {
        Name = "c1-apiserver", Protocol = "TCP", Port = 6443, VpcId = _network.VpcId, Tags = tags,
    });

    [Fact]
    public void Every_operation_the_local_ELBv2_answers_is_mapped_and_any_other_is_not()
    {
        Operations.Where(operation => Checks(operation) is null).Should().BeEmpty();
        Checks("SetSecurityGroups").Should().BeNull();
    }

    [Fact]
    public void A_describe_is_one_check_on_every_resource()
    {
        Checks("DescribeTargetHealth", ("TargetGroupArn", Arns + "targetgroup/x/0")).Should().Equal("elasticloadbalancing:DescribeTargetHealth *");
    }

    [Fact]
    public void A_tagged_load_balancer_is_checked_as_new_with_its_scheme_subnets_and_tags_and_on_tagging_it()
    {
        var checks = Checks("CreateLoadBalancer",
            ("Name", "c1"), ("Type", "network"), ("Scheme", "internal"), ("Subnets.member.1", _network.SubnetA), ("Subnets.member.2", _network.SubnetB),
            ("Tags.member.1.Key", "team"), ("Tags.member.1.Value", "a"));

        checks.Should().Equal(
            $"elasticloadbalancing:CreateLoadBalancer {Arns}loadbalancer/net/c1/* | aws:RequestTag/team=a; aws:TagKeys=team; "
                + $"elasticloadbalancing:Scheme=internal; elasticloadbalancing:Subnet={_network.SubnetA},{_network.SubnetB}",
            $"elasticloadbalancing:AddTags {Arns}loadbalancer/net/c1/* | aws:RequestTag/team=a; aws:TagKeys=team; elasticloadbalancing:CreateAction=CreateLoadBalancer");
    }

    [Fact]
    public void An_untagged_target_group_is_one_check_on_the_new_group()
    {
        Checks("CreateTargetGroup", ("Name", "c1-apiserver"), ("Protocol", "TCP"), ("Port", "6443"), ("VpcId", _network.VpcId))
            .Should().Equal($"elasticloadbalancing:CreateTargetGroup {Arns}targetgroup/c1-apiserver/*");
    }

    [Fact]
    public async Task A_listener_is_checked_on_its_load_balancer_and_on_tagging_the_new_listener()
    {
        var loadBalancer = await CreateLoadBalancerAsync();
        var group = await CreateTargetGroupAsync([new ResourceTag("tier", "api")]);
        var lbId = loadBalancer.LoadBalancerArn.Split('/')[^1];

        var checks = Checks("CreateListener",
            ("LoadBalancerArn", loadBalancer.LoadBalancerArn), ("Protocol", "TCP"), ("Port", "6443"),
            ("DefaultActions.member.1.Type", "forward"), ("DefaultActions.member.1.TargetGroupArn", group.TargetGroupArn),
            ("Tags.member.1.Key", "Name"), ("Tags.member.1.Value", "apiserver"));

        // The SAR lists only the load balancer for CreateListener: the target group it forwards to is not checked.
        checks.Should().Equal(
            $"elasticloadbalancing:CreateListener {loadBalancer.LoadBalancerArn} | aws:RequestTag/Name=apiserver; {OwnedAws}; aws:TagKeys=Name; "
                + $"elasticloadbalancing:ListenerProtocol=TCP; {OwnedElb}",
            $"elasticloadbalancing:AddTags {Arns}listener/net/c1/{lbId}/* | aws:RequestTag/Name=apiserver; aws:TagKeys=Name; elasticloadbalancing:CreateAction=CreateListener");
        Checks("CreateListener", ("LoadBalancerArn", Arns + "loadbalancer/net/gone/0123456789abcdef")).Should().BeEmpty();
    }

    [Fact]
    public async Task Registering_targets_is_checked_on_the_target_group_with_its_tags()
    {
        var group = await CreateTargetGroupAsync([new ResourceTag("kubernetes.io/cluster/c1", "owned")]);

        Checks("RegisterTargets", ("TargetGroupArn", group.TargetGroupArn), ("Targets.member.1.Id", "i-0123")).Should().Equal(
            $"elasticloadbalancing:RegisterTargets {group.TargetGroupArn} | {Owned}");
        Checks("DeregisterTargets", ("TargetGroupArn", Arns + "targetgroup/gone/0123456789abcdef")).Should().BeEmpty();
    }

    [Fact]
    public async Task Tagging_is_checked_on_each_resource_with_the_request_tags_or_keys_and_its_own()
    {
        var loadBalancer = await CreateLoadBalancerAsync();
        var group = await CreateTargetGroupAsync();

        Checks("AddTags", ("ResourceArns.member.1", loadBalancer.LoadBalancerArn), ("ResourceArns.member.2", group.TargetGroupArn),
            ("ResourceArns.member.3", Arns + "targetgroup/gone/0123456789abcdef"), ("Tags.member.1.Key", "team"), ("Tags.member.1.Value", "b"))
            .Should().Equal(
                $"elasticloadbalancing:AddTags {loadBalancer.LoadBalancerArn} | aws:RequestTag/team=b; {OwnedAws}; aws:TagKeys=team; {OwnedElb}",
                $"elasticloadbalancing:AddTags {group.TargetGroupArn} | aws:RequestTag/team=b; aws:TagKeys=team");
        Checks("RemoveTags", ("ResourceArns.member.1", loadBalancer.LoadBalancerArn), ("TagKeys.member.1", "kubernetes.io/cluster/c1"))
            .Should().Equal($"elasticloadbalancing:RemoveTags {loadBalancer.LoadBalancerArn} | {OwnedAws}; aws:TagKeys=kubernetes.io/cluster/c1; {OwnedElb}");
    }

    [Fact]
    public async Task Deleting_a_load_balancer_is_checked_on_it_with_its_tags()
    {
        var loadBalancer = await CreateLoadBalancerAsync();

        Checks("DeleteLoadBalancer", ("LoadBalancerArn", loadBalancer.LoadBalancerArn)).Should().Equal(
            $"elasticloadbalancing:DeleteLoadBalancer {loadBalancer.LoadBalancerArn} | {Owned}");
    }
}
