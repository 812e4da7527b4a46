using System.Net;
using PaletteServerless.Aws.Clients;

namespace PaletteServerless.Aws.Tests.Clients;

public class Elbv2ClientTests
{
    private const string Namespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
    private const string LoadBalancerArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/c1-apiserver/50dc6c495c0c9188";

    private static CannedResponse Xml(string action, string result) => new(
        200,
        $"""<{action}Response xmlns="{Namespace}"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></{action}Response>""",
        "text/xml");

    [Fact]
    public async Task CreateLoadBalancer_sends_a_query_form_and_reads_the_load_balancer()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(Xml("CreateLoadBalancer", $"""
            <LoadBalancers><member>
              <LoadBalancerArn>{LoadBalancerArn}</LoadBalancerArn>
              <Scheme>internet-facing</Scheme><LoadBalancerName>c1-apiserver</LoadBalancerName><VpcId>vpc-1</VpcId>
              <CanonicalHostedZoneId>Z26RNL4JYFTOTI</CanonicalHostedZoneId><CreatedTime>2026-11-24T01:00:00.000Z</CreatedTime>
              <AvailabilityZones>
                <member><ZoneName>us-east-1a</ZoneName><SubnetId>subnet-a</SubnetId></member>
                <member><ZoneName>us-east-1b</ZoneName><SubnetId>subnet-b</SubnetId></member>
              </AvailabilityZones>
              <DNSName>c1-apiserver-50dc6c495c0c9188.elb.us-east-1.amazonaws.com</DNSName>
              <Type>network</Type><State><Code>provisioning</Code></State>
            </member></LoadBalancers>
            """));
        using var client = new Elbv2Client(TestCredentials.For(server, "us-east-1"));

        var loadBalancer = await client.CreateLoadBalancerAsync(new CreateLoadBalancerRequest
        {
            Name = "c1-apiserver",
            Subnets = ["subnet-a", "subnet-b"],
            Tags = [new ResourceTag("kubernetes.io/cluster/c1", "owned")],
        });

        loadBalancer.LoadBalancerArn.Should().Be(LoadBalancerArn);
        loadBalancer.State.Should().Be("provisioning");
        loadBalancer.DnsName.Should().Be("c1-apiserver-50dc6c495c0c9188.elb.us-east-1.amazonaws.com");
        loadBalancer.CreatedTime.Should().Be(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
        loadBalancer.AvailabilityZones.Should().Equal(
            new LoadBalancerAvailabilityZone("us-east-1a", "subnet-a"), new LoadBalancerAvailabilityZone("us-east-1b", "subnet-b"));

        var request = server.Requests.Single();
        request.Header("Content-Type").Should().Be("application/x-www-form-urlencoded; charset=utf-8");
        request.BodyText.Should().Be(
            "Action=CreateLoadBalancer&Version=2015-12-01&Name=c1-apiserver&Subnets.member.1=subnet-a&Subnets.member.2=subnet-b" +
            "&Scheme=internet-facing&Tags.member.1.Key=kubernetes.io%2Fcluster%2Fc1&Tags.member.1.Value=owned&Type=network");
        SigV4Verifier.ParseAuthorization(request).Groups["service"].Value.Should().Be("elasticloadbalancing");
        SigV4Verifier.ParseAuthorization(request).Groups["signature"].Value.Should().Be(SigV4Verifier.ExpectedSignature(request, TestCredentials.SecretKey));
    }

    [Fact]
    public async Task Query_error_becomes_AwsServiceException()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(
            400,
            $"""<ErrorResponse xmlns="{Namespace}"><Error><Type>Sender</Type><Code>LoadBalancerNotFound</Code><Message>One or more load balancers not found</Message></Error><RequestId>r-404</RequestId></ErrorResponse>""",
            "text/xml"));
        using var client = new Elbv2Client(TestCredentials.For(server));

        var act = () => client.DescribeLoadBalancersAsync(names: ["missing"]);

        var error = (await act.Should().ThrowAsync<AwsServiceException>()).Which;
        error.ErrorCode.Should().Be("LoadBalancerNotFound");
        error.ErrorMessage.Should().Be("One or more load balancers not found");
        error.RequestId.Should().Be("r-404");
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        server.Requests.Single().BodyText.Should().Be("Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=missing");
    }

    [Fact]
    public async Task Ec2_style_throttling_error_is_recognised_and_retried()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(
            503,
            "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r-9</RequestID></Response>",
            "text/xml"));
        server.Enqueue(Xml("DeleteLoadBalancer", string.Empty));
        using var client = new Elbv2Client(TestCredentials.For(server));

        await client.DeleteLoadBalancerAsync(LoadBalancerArn);

        server.Requests.Should().HaveCount(2);
        var parsed = AwsQueryProtocolClient.ParseError(new AwsRawResponse(
            HttpStatusCode.ServiceUnavailable, null, null,
            System.Text.Encoding.UTF8.GetBytes("<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>m</Message></Error></Errors><RequestID>r-9</RequestID></Response>")));
        parsed.ErrorCode.Should().Be("RequestLimitExceeded");
        parsed.RequestId.Should().Be("r-9");
        parsed.IsThrottling.Should().BeTrue();
    }

    [Fact]
    public async Task CreateTargetGroup_sends_health_check_settings()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(Xml("CreateTargetGroup", """
            <TargetGroups><member>
              <TargetGroupArn>arn:tg</TargetGroupArn><TargetGroupName>c1-apiserver</TargetGroupName><Protocol>TCP</Protocol><Port>6443</Port>
              <VpcId>vpc-1</VpcId><HealthCheckProtocol>TCP</HealthCheckProtocol><HealthCheckPort>traffic-port</HealthCheckPort>
              <HealthCheckEnabled>true</HealthCheckEnabled><HealthCheckIntervalSeconds>5</HealthCheckIntervalSeconds>
              <HealthCheckTimeoutSeconds>4</HealthCheckTimeoutSeconds><HealthyThresholdCount>2</HealthyThresholdCount>
              <UnhealthyThresholdCount>6</UnhealthyThresholdCount><TargetType>instance</TargetType><LoadBalancerArns/>
            </member></TargetGroups>
            """));
        using var client = new Elbv2Client(TestCredentials.For(server));

        var group = await client.CreateTargetGroupAsync(new CreateTargetGroupRequest
        {
            Name = "c1-apiserver",
            VpcId = "vpc-1",
            HealthCheckProtocol = "TCP",
            HealthCheckIntervalSeconds = 5,
            HealthCheckTimeoutSeconds = 4,
            HealthyThresholdCount = 2,
            UnhealthyThresholdCount = 6,
        });

        group.Should().BeEquivalentTo(new
        {
            TargetGroupArn = "arn:tg", Port = 6443, HealthCheckEnabled = true, HealthCheckIntervalSeconds = 5,
            HealthyThresholdCount = 2, UnhealthyThresholdCount = 6, LoadBalancerArns = Array.Empty<string>(),
        });
        server.Requests.Single().BodyText.Should().Be(
            "Action=CreateTargetGroup&Version=2015-12-01&Name=c1-apiserver&Protocol=TCP&Port=6443&VpcId=vpc-1&HealthCheckProtocol=TCP" +
            "&HealthCheckIntervalSeconds=5&HealthCheckTimeoutSeconds=4&HealthyThresholdCount=2&UnhealthyThresholdCount=6&TargetType=instance");
    }

    [Fact]
    public async Task Listener_targets_and_health_round_trip()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(Xml("CreateListener", $"""
            <Listeners><member><ListenerArn>arn:listener</ListenerArn><LoadBalancerArn>{LoadBalancerArn}</LoadBalancerArn><Port>6443</Port>
            <Protocol>TCP</Protocol><DefaultActions><member><Type>forward</Type><TargetGroupArn>arn:tg</TargetGroupArn></member></DefaultActions>
            </member></Listeners>
            """));
        server.Enqueue(Xml("RegisterTargets", string.Empty));
        server.Enqueue(Xml("DescribeTargetHealth", """
            <TargetHealthDescriptions>
              <member><Target><Id>i-1</Id><Port>6443</Port></Target><HealthCheckPort>6443</HealthCheckPort>
                <TargetHealth><State>initial</State><Reason>Elb.InitialHealthChecking</Reason><Description>Initial health checks in progress</Description></TargetHealth></member>
              <member><Target><Id>i-2</Id><Port>6443</Port></Target><HealthCheckPort>6443</HealthCheckPort><TargetHealth><State>healthy</State></TargetHealth></member>
            </TargetHealthDescriptions>
            """));
        using var client = new Elbv2Client(TestCredentials.For(server));

        var listener = await client.CreateListenerAsync(LoadBalancerArn, "TCP", 6443, "arn:tg");
        await client.RegisterTargetsAsync("arn:tg", [new TargetDescription("i-1"), new TargetDescription("i-2", 6443)]);
        var health = await client.DescribeTargetHealthAsync("arn:tg");

        listener.DefaultActions.Should().Equal(new ListenerAction("forward", "arn:tg"));
        health.Should().Equal(
            new TargetHealthDescription(new TargetDescription("i-1", 6443), "6443", "initial", "Elb.InitialHealthChecking", "Initial health checks in progress"),
            new TargetHealthDescription(new TargetDescription("i-2", 6443), "6443", "healthy", null, null));
        var bodies = server.Requests.Select(r => r.BodyText).ToList();
        bodies[0].Should().Be(
            $"Action=CreateListener&Version=2015-12-01&LoadBalancerArn={Uri.EscapeDataString(LoadBalancerArn)}&Protocol=TCP&Port=6443" +
            "&DefaultActions.member.1.Type=forward&DefaultActions.member.1.TargetGroupArn=arn%3Atg");
        bodies[1].Should().Be("Action=RegisterTargets&Version=2015-12-01&TargetGroupArn=arn%3Atg&Targets.member.1.Id=i-1&Targets.member.2.Id=i-2&Targets.member.2.Port=6443");
        bodies[2].Should().Be("Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn=arn%3Atg");
    }

    [Fact]
    public async Task DescribeTags_reads_tags_per_resource_and_pages_carry_the_marker()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(Xml("DescribeTags", """
            <TagDescriptions><member><ResourceArn>arn:tg</ResourceArn><Tags><member><Key>Name</Key><Value>c1</Value></member></Tags></member></TagDescriptions>
            """));
        server.Enqueue(Xml("DescribeTargetGroups", "<TargetGroups/><NextMarker>m-2</NextMarker>"));
        using var client = new Elbv2Client(TestCredentials.For(server));

        var tags = await client.DescribeTagsAsync(["arn:tg"]);
        var page = await client.DescribeTargetGroupsAsync(loadBalancerArn: LoadBalancerArn);

        tags.Should().ContainSingle().Which.Tags.Should().Equal(new ResourceTag("Name", "c1"));
        page.Items.Should().BeEmpty();
        page.NextMarker.Should().Be("m-2");
    }
}
