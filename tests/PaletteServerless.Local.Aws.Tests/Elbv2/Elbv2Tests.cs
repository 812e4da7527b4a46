using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using TagDescription = PaletteServerless.Aws.Clients.TagDescription;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Local.Aws.Elbv2;
using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.Elbv2;

public class Elbv2Tests
{
    private static CreateLoadBalancerRequest ApiServer(Elbv2Network network, string name = "c1-apiserver") => new()
    {
        Name = name,
        Type = "network",
        Scheme = "internet-facing",
        Subnets = [network.SubnetA, network.SubnetB],
        Tags = [new ResourceTag("kubernetes.io/cluster/c1", "owned")],
    };

    private static CreateTargetGroupRequest ApiServerTargets(Elbv2Network network, string name = "c1-apiserver") => new()
    {
        Name = name,
        Protocol = "TCP",
        Port = 6443,
        VpcId = network.VpcId,
        HealthCheckProtocol = "TCP",
        HealthCheckIntervalSeconds = 5,
        HealthCheckTimeoutSeconds = 4,
        HealthyThresholdCount = 2,
        UnhealthyThresholdCount = 6,
    };

    private static async Task<List<NetworkInterface>> InterfacesOf(AmazonEC2Client ec2, Elbv2Network network) =>
        (await ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest
        {
            Filters = [new Filter("vpc-id", [network.VpcId])],
        })).NetworkInterfaces ?? [];

    [Fact]
    public async Task A_network_load_balancer_provisions_then_turns_active_with_an_interface_per_subnet()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var ec2 = host.Ec2();
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(ec2);

        var created = await elb.CreateLoadBalancerAsync(ApiServer(network));

        created.State.Should().Be("provisioning");
        created.LoadBalancerArn.Should().MatchRegex(@"^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/c1-apiserver/[0-9a-f]{16}$");
        created.DnsName.Should().MatchRegex(@"^c1-apiserver-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$");
        created.VpcId.Should().Be(network.VpcId);
        created.AvailabilityZones.Should().BeEquivalentTo(
            [new LoadBalancerAvailabilityZone("us-east-1a", network.SubnetA), new LoadBalancerAvailabilityZone("us-east-1b", network.SubnetB)]);
        var interfaces = await InterfacesOf(ec2, network);
        interfaces.Select(n => n.SubnetId).Should().BeEquivalentTo([network.SubnetA, network.SubnetB]);
        interfaces.Should().AllSatisfy(n =>
        {
            n.Description.Should().Be("ELB net/c1-apiserver/" + created.LoadBalancerArn.Split('/')[^1]);
            n.InterfaceType.Value.Should().Be("network_load_balancer");
        });

        host.Clock.Advance(TimeSpan.FromMinutes(3) - TimeSpan.FromSeconds(1));
        (await elb.DescribeLoadBalancersAsync([created.LoadBalancerArn])).Items.Single().State.Should().Be("provisioning");
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        (await elb.DescribeLoadBalancersAsync(names: ["c1-apiserver"])).Items.Single().State.Should().Be("active");
    }

    [Fact]
    public async Task Deleting_a_load_balancer_removes_its_interfaces_and_listeners_and_is_idempotent()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var ec2 = host.Ec2();
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(ec2);
        var lb = await elb.CreateLoadBalancerAsync(ApiServer(network));
        var group = await elb.CreateTargetGroupAsync(ApiServerTargets(network));
        await elb.CreateListenerAsync(lb.LoadBalancerArn, "TCP", 6443, group.TargetGroupArn);
        var deleteSubnet = () => ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = network.SubnetA });
        (await deleteSubnet.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("DependencyViolation");

        await elb.DeleteLoadBalancerAsync(lb.LoadBalancerArn);
        await elb.DeleteLoadBalancerAsync(lb.LoadBalancerArn);

        (await InterfacesOf(ec2, network)).Should().BeEmpty();
        var describe = () => elb.DescribeLoadBalancersAsync([lb.LoadBalancerArn]);
        (await describe.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("LoadBalancerNotFound");
        var listeners = () => elb.DescribeListenersAsync(lb.LoadBalancerArn);
        (await listeners.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("LoadBalancerNotFound");
        (await elb.DescribeTargetGroupsAsync(targetGroupArns: [group.TargetGroupArn])).Items.Single().LoadBalancerArns.Should().BeEmpty();
        await elb.DeleteTargetGroupAsync(group.TargetGroupArn);
        await ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = network.SubnetA });
    }

    [Fact]
    public async Task Creating_again_with_the_same_settings_returns_the_same_load_balancer_and_other_settings_are_refused()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(host.Ec2());

        var first = await elb.CreateLoadBalancerAsync(ApiServer(network));
        var second = await elb.CreateLoadBalancerAsync(ApiServer(network));
        var changed = () => elb.CreateLoadBalancerAsync(ApiServer(network) with { Scheme = "internal" });

        second.LoadBalancerArn.Should().Be(first.LoadBalancerArn);
        (await changed.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("DuplicateLoadBalancerName");
        (await elb.DescribeLoadBalancersAsync()).Items.Should().ContainSingle();
    }

    [Fact]
    public async Task The_fifty_first_network_load_balancer_is_TooManyLoadBalancers()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(host.Ec2());
        for (var i = 0; i < Elbv2Service.LoadBalancerQuota; i++)
            await elb.CreateLoadBalancerAsync(ApiServer(network, $"lb-{i}") with { Subnets = [network.SubnetA] });

        var oneMore = () => elb.CreateLoadBalancerAsync(ApiServer(network, "lb-50") with { Subnets = [network.SubnetA] });

        var error = (await oneMore.Should().ThrowAsync<AwsServiceException>()).Which;
        error.ErrorCode.Should().Be("TooManyLoadBalancers");
        error.ErrorMessage.Should().Be("The maximum number of load balancers has been reached");
    }

    [Fact]
    public async Task An_application_load_balancer_spans_two_zones_with_its_security_groups()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var ec2 = host.Ec2();
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(ec2);

        var alb = await elb.CreateLoadBalancerAsync(ApiServer(network, "c1-ingress") with
        {
            Type = "application", Scheme = "internal", SecurityGroups = [network.SecurityGroupId],
        });
        var badGroup = () => elb.CreateLoadBalancerAsync(ApiServer(network, "c1-other") with
        {
            Type = "application", SecurityGroups = ["sg-00000000000000000"],
        });

        alb.LoadBalancerArn.Should().Contain(":loadbalancer/app/c1-ingress/");
        alb.DnsName.Should().MatchRegex(@"^internal-c1-ingress-\d{9}\.us-east-1\.elb\.amazonaws\.com$");
        alb.Scheme.Should().Be("internal");
        alb.SecurityGroups.Should().Equal(network.SecurityGroupId);
        (await InterfacesOf(ec2, network)).Should().HaveCount(2).And.OnlyContain(n => n.Groups.Single().GroupId == network.SecurityGroupId);
        (await badGroup.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("InvalidSecurityGroup");
    }

    [Fact]
    public async Task A_subnet_without_free_addresses_fails_the_create_and_leaves_nothing_behind()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var ec2 = host.Ec2();
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(ec2);
        var tiny = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = network.VpcId, CidrBlock = "10.0.9.0/28", AvailabilityZone = "us-east-1c" })).Subnet.SubnetId;

        AwsServiceException? failure = null;
        for (var i = 0; i < 20 && failure is null; i++)
        {
            try
            {
                await elb.CreateLoadBalancerAsync(ApiServer(network, $"lb-{i}") with { Subnets = [tiny] });
            }
            catch (AwsServiceException error)
            {
                failure = error;
            }
        }

        failure.Should().NotBeNull("a /28 subnet has room for a handful of interfaces only");
        failure!.ErrorCode.Should().Be("InsufficientFreeAddressesInSubnet");
        var interfaces = (await InterfacesOf(ec2, network)).Where(n => n.SubnetId == tiny).ToList();
        (await elb.DescribeLoadBalancersAsync()).Items.Should().HaveCount(interfaces.Count);
    }

    [Theory]
    [InlineData("SubnetNotFound", "network", "subnet-00000000000000000", null)]
    [InlineData("InvalidConfigurationRequest", "application", null, null)]
    [InlineData("ValidationError", "network", null, "-bad-name")]
    public async Task Invalid_load_balancers_are_refused_with_AWS_codes(string code, string type, string? subnet, string? name)
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(host.Ec2());

        var act = () => elb.CreateLoadBalancerAsync(ApiServer(network, name ?? "lb") with { Type = type, Subnets = [subnet ?? network.SubnetA] });

        (await act.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be(code);
    }

    [Fact]
    public async Task A_target_group_used_by_a_listener_cannot_be_deleted()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(host.Ec2());
        var lb = await elb.CreateLoadBalancerAsync(ApiServer(network));
        var group = await elb.CreateTargetGroupAsync(ApiServerTargets(network));
        var listener = await elb.CreateListenerAsync(lb.LoadBalancerArn, "TCP", 6443, group.TargetGroupArn);

        var deleteGroup = () => elb.DeleteTargetGroupAsync(group.TargetGroupArn);
        var otherPortSameGroupOtherProtocol = () => elb.CreateListenerAsync(lb.LoadBalancerArn, "HTTP", 80, group.TargetGroupArn);
        var samePortOtherGroup = async () =>
        {
            var other = await elb.CreateTargetGroupAsync(ApiServerTargets(network, "other"));
            await elb.CreateListenerAsync(lb.LoadBalancerArn, "TCP", 6443, other.TargetGroupArn);
        };

        (await deleteGroup.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("ResourceInUse");
        (await otherPortSameGroupOtherProtocol.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("InvalidConfigurationRequest");
        (await samePortOtherGroup.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("DuplicateListener");
        (await elb.CreateListenerAsync(lb.LoadBalancerArn, "TCP", 6443, group.TargetGroupArn)).ListenerArn.Should().Be(listener.ListenerArn);
        (await elb.DescribeListenersAsync(lb.LoadBalancerArn)).Items.Should().ContainSingle().Which.DefaultActions
            .Should().Equal(new ListenerAction("forward", group.TargetGroupArn));
        (await elb.DescribeTargetGroupsAsync(loadBalancerArn: lb.LoadBalancerArn)).Items.Single().LoadBalancerArns.Should().Equal(lb.LoadBalancerArn);

        await elb.DeleteListenerAsync(listener.ListenerArn);
        await elb.DeleteTargetGroupAsync(group.TargetGroupArn);

        var describe = () => elb.DescribeTargetGroupsAsync(targetGroupArns: [group.TargetGroupArn]);
        (await describe.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("TargetGroupNotFound");
        var deleteListener = () => elb.DeleteListenerAsync(listener.ListenerArn);
        (await deleteListener.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("ListenerNotFound");
    }

    [Fact]
    public async Task Target_group_defaults_follow_the_protocol_and_bad_health_checks_are_refused()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(host.Ec2());

        var tcp = await elb.CreateTargetGroupAsync(new CreateTargetGroupRequest { Name = "tcp", VpcId = network.VpcId });
        var http = await elb.CreateTargetGroupAsync(new CreateTargetGroupRequest { Name = "http", VpcId = network.VpcId, Protocol = "HTTP", Port = 80 });
        var timeoutTooLong = () => elb.CreateTargetGroupAsync(ApiServerTargets(network, "bad") with { HealthCheckTimeoutSeconds = 6 });
        var unknownVpc = () => elb.CreateTargetGroupAsync(ApiServerTargets(network, "novpc") with { VpcId = "vpc-00000000000000000" });

        tcp.Should().BeEquivalentTo(new
        {
            Protocol = "TCP", Port = 6443, HealthCheckProtocol = "TCP", HealthCheckPort = "traffic-port", HealthCheckEnabled = true,
            HealthCheckIntervalSeconds = 30, HealthCheckTimeoutSeconds = 10, HealthyThresholdCount = 5, UnhealthyThresholdCount = 2, TargetType = "instance",
        });
        http.HealthCheckPath.Should().Be("/");
        (await timeoutTooLong.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("ValidationError");
        (await unknownVpc.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("ValidationError");
    }

    [Fact]
    public async Task Target_health_goes_from_unused_through_initial_to_healthy_then_drains()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var ec2 = host.Ec2();
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(ec2);
        var instanceId = await network.RunInstanceAsync(ec2);
        var lb = await elb.CreateLoadBalancerAsync(ApiServer(network));
        var group = await elb.CreateTargetGroupAsync(ApiServerTargets(network));
        async Task<TargetHealthDescription> Health() => (await elb.DescribeTargetHealthAsync(group.TargetGroupArn)).Single();

        await elb.RegisterTargetsAsync(group.TargetGroupArn, [new TargetDescription(instanceId)]);
        (await Health()).Should().BeEquivalentTo(new { State = "unused", Reason = "Target.NotInUse", HealthCheckPort = "6443", Target = new TargetDescription(instanceId, 6443) });

        await elb.CreateListenerAsync(lb.LoadBalancerArn, "TCP", 6443, group.TargetGroupArn);
        (await Health()).Should().BeEquivalentTo(new { State = "initial", Reason = "Elb.RegistrationInProgress" });

        // The instance runs after 45 s, the load balancer is active after 3 min: checks start then.
        host.Clock.Advance(TimeSpan.FromMinutes(3));
        (await Health()).Should().BeEquivalentTo(new { State = "initial", Reason = "Elb.InitialHealthChecking" });

        // Two passing checks, 5 s apart.
        host.Clock.Advance(TimeSpan.FromSeconds(10));
        (await Health()).Should().BeEquivalentTo(new { State = "healthy", Reason = (string?)null });

        await elb.DeregisterTargetsAsync(group.TargetGroupArn, [new TargetDescription(instanceId)]);
        (await Health()).Should().BeEquivalentTo(new { State = "draining", Reason = "Target.DeregistrationInProgress" });
        host.Clock.Advance(TimeSpan.FromSeconds(300));
        (await elb.DescribeTargetHealthAsync(group.TargetGroupArn)).Should().BeEmpty();
        (await elb.DescribeTargetHealthAsync(group.TargetGroupArn, [new TargetDescription(instanceId)])).Single()
            .Should().BeEquivalentTo(new { State = "unused", Reason = "Target.NotRegistered" });
    }

    [Fact]
    public async Task A_terminated_target_is_unused_and_unknown_targets_are_refused()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var ec2 = host.Ec2();
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(ec2);
        var instanceId = await network.RunInstanceAsync(ec2);
        var lb = await elb.CreateLoadBalancerAsync(ApiServer(network));
        var group = await elb.CreateTargetGroupAsync(ApiServerTargets(network));
        await elb.CreateListenerAsync(lb.LoadBalancerArn, "TCP", 6443, group.TargetGroupArn);
        await elb.RegisterTargetsAsync(group.TargetGroupArn, [new TargetDescription(instanceId)]);
        host.Clock.Advance(TimeSpan.FromMinutes(4));

        await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instanceId] });

        (await elb.DescribeTargetHealthAsync(group.TargetGroupArn)).Single().Should().BeEquivalentTo(new { State = "unused", Reason = "Target.InvalidState" });
        var unknownInstance = () => elb.RegisterTargetsAsync(group.TargetGroupArn, [new TargetDescription("i-00000000000000000")]);
        (await unknownInstance.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("InvalidTarget");
        var unknownGroup = () => elb.RegisterTargetsAsync(group.TargetGroupArn.Replace("c1-apiserver", "nope", StringComparison.Ordinal), [new TargetDescription(instanceId)]);
        (await unknownGroup.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("TargetGroupNotFound");
    }

    [Fact]
    public async Task Tags_are_added_described_and_removed_and_missing_resources_are_NotFound()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var elb = host.Elbv2();
        var network = await Elbv2Network.CreateAsync(host.Ec2());
        var lb = await elb.CreateLoadBalancerAsync(ApiServer(network));
        var group = await elb.CreateTargetGroupAsync(ApiServerTargets(network));

        await elb.AddTagsAsync([lb.LoadBalancerArn, group.TargetGroupArn], [new ResourceTag("Name", "c1-apiserver")]);
        await elb.RemoveTagsAsync([lb.LoadBalancerArn], ["kubernetes.io/cluster/c1"]);
        var tags = await elb.DescribeTagsAsync([lb.LoadBalancerArn, group.TargetGroupArn]);

        tags.Should().BeEquivalentTo(
        [
            new TagDescription(lb.LoadBalancerArn, [new ResourceTag("Name", "c1-apiserver")]),
            new TagDescription(group.TargetGroupArn, [new ResourceTag("Name", "c1-apiserver")]),
        ]);
        var missing = () => elb.DescribeTagsAsync([lb.LoadBalancerArn.Replace("c1-apiserver", "gone", StringComparison.Ordinal)]);
        (await missing.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("LoadBalancerNotFound");
    }

    [Fact]
    public async Task The_inventory_lists_load_balancers_target_groups_and_listeners()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var elb = host.Elbv2("123456789012");
        var network = await Elbv2Network.CreateAsync(host.Ec2("123456789012"));
        var lb = await elb.CreateLoadBalancerAsync(ApiServer(network));
        var group = await elb.CreateTargetGroupAsync(ApiServerTargets(network));
        var listener = await elb.CreateListenerAsync(lb.LoadBalancerArn, "TCP", 6443, group.TargetGroupArn);

        // The same JSON the local stack serves on GET /local/inventory.
        var inventory = JsonDocument.Parse(host.Aws.Inventory().ToJson()).RootElement;

        var elbResources = inventory.GetProperty("resources").EnumerateArray()
            .Where(r => r.GetProperty("type").GetString()!.StartsWith("elasticloadbalancing:", StringComparison.Ordinal))
            .Select(r => (Type: r.GetProperty("type").GetString(), Id: r.GetProperty("id").GetString(), State: r.GetProperty("state").GetString(), Account: r.GetProperty("account").GetString()))
            .ToList();
        elbResources.Should().BeEquivalentTo(
        [
            ("elasticloadbalancing:listener", listener.ListenerArn, "active", "123456789012"),
            ("elasticloadbalancing:loadbalancer", lb.LoadBalancerArn, "provisioning", "123456789012"),
            ("elasticloadbalancing:targetgroup", group.TargetGroupArn, "active", "123456789012"),
        ]);
    }

    [Fact]
    public async Task The_AWS_CLI_creates_and_describes_load_balancers_and_target_health()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var ec2 = host.Ec2();
        var network = await Elbv2Network.CreateAsync(ec2);
        var instanceId = await network.RunInstanceAsync(ec2);

        // Independent commands run side by side: each CLI start costs about a second.
        var lbRun = AwsCli.RunAsync(host, "test", "elbv2", "create-load-balancer", "--name", "cli-lb", "--type", "network",
            "--subnets", network.SubnetA, network.SubnetB, "--tags", "Key=Name,Value=cli-lb");
        var groupRun = AwsCli.RunAsync(host, "test", "elbv2", "create-target-group", "--name", "cli-tg", "--protocol", "TCP",
            "--port", "6443", "--vpc-id", network.VpcId, "--health-check-interval-seconds", "10", "--healthy-threshold-count", "2");
        var (lb, group) = (await lbRun, await groupRun);
        lb.ExitCode.Should().Be(0, lb.StandardError);
        group.ExitCode.Should().Be(0, group.StandardError);
        var lbArn = lb.Json.GetProperty("LoadBalancers")[0].GetProperty("LoadBalancerArn").GetString()!;
        var groupArn = group.Json.GetProperty("TargetGroups")[0].GetProperty("TargetGroupArn").GetString()!;
        var listener = await AwsCli.RunAsync(host, "test", "elbv2", "create-listener", "--load-balancer-arn", lbArn, "--protocol", "TCP",
            "--port", "6443", "--default-actions", $"Type=forward,TargetGroupArn={groupArn}");
        var register = await AwsCli.RunAsync(host, "test", "elbv2", "register-targets", "--target-group-arn", groupArn, "--targets", $"Id={instanceId}");
        host.Clock.Advance(TimeSpan.FromMinutes(4));
        var healthRun = AwsCli.RunAsync(host, "test", "elbv2", "describe-target-health", "--target-group-arn", groupArn);
        var describedRun = AwsCli.RunAsync(host, "test", "elbv2", "describe-load-balancers", "--names", "cli-lb");
        var missingRun = AwsCli.RunAsync(host, "test", "elbv2", "describe-load-balancers", "--names", "nope");
        var (health, described, missing) = (await healthRun, await describedRun, await missingRun);

        listener.ExitCode.Should().Be(0, listener.StandardError);
        register.ExitCode.Should().Be(0, register.StandardError);
        health.Json.GetProperty("TargetHealthDescriptions")[0].GetProperty("TargetHealth").GetProperty("State").GetString().Should().Be("healthy");
        var described0 = described.Json.GetProperty("LoadBalancers")[0];
        described0.GetProperty("State").GetProperty("Code").GetString().Should().Be("active");
        described0.GetProperty("AvailabilityZones").GetArrayLength().Should().Be(2);
        missing.ExitCode.Should().NotBe(0);
        missing.StandardError.Should().Contain("LoadBalancerNotFound");
    }
}
