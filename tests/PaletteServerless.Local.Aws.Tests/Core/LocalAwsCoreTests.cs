using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Tests.Core;

public sealed class LocalAwsCoreTests
{
    [Fact]
    public async Task Unsigned_requests_are_refused_before_routing()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var http = host.Http();

        var response = await http.PostAsync("/", new StringContent("Action=DescribeVpcs&Version=2016-11-15", Encoding.UTF8, "application/x-www-form-urlencoded"));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var body = await response.Content.ReadAsStringAsync();
        body.Should().Contain("<Code>MissingAuthenticationToken</Code>").And.Contain("<Response><Errors>");
    }

    [Fact]
    public async Task Unknown_actions_and_targets_get_protocol_errors()
    {
        var aws = new LocalAws(LocalAwsHost.FastOptions());
        var signed = new Dictionary<string, string> { ["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20261124/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0" };

        var unknownAction = await aws.HandleAsync(LocalAwsRequest.Create("POST", "/", "", signed, Encoding.UTF8.GetBytes("Action=LaunchRockets&Version=2016-11-15")), default);
        var unknownTarget = await aws.HandleAsync(LocalAwsRequest.Create("POST", "/", "",
            new Dictionary<string, string>(signed) { ["X-Amz-Target"] = "NoSuchService.Do", ["Content-Type"] = "application/x-amz-json-1.1" }, "{}"u8.ToArray()), default);

        unknownAction.StatusCode.Should().Be(400);
        unknownAction.BodyText.Should().Contain("<Code>InvalidAction</Code>");
        unknownTarget.StatusCode.Should().Be(400);
        JsonDocument.Parse(unknownTarget.Body).RootElement.GetProperty("__type").GetString().Should().Be("UnknownOperationException");
    }

    /// <summary>A JSON service with a defect, to see how the facade reports it.</summary>
    private sealed class BrokenService : ILocalAwsService
    {
        public string ServiceName => "broken";
        public AwsProtocol Protocol => AwsProtocol.Json;
        public string RouteKey => "Broken_20261124";
        public AwsErrorStyle ErrorStyle => AwsErrorStyle.Json;
        public string? XmlNamespace => null;
        public string ThrottlingErrorCode => "ThrottlingException";

        public Task<LocalAwsResponse> HandleAsync(AwsCall call, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a defect");
    }

    [Fact]
    public async Task A_registered_service_is_routed_by_target_and_its_defects_answer_as_internal_errors()
    {
        var aws = new LocalAws(LocalAwsHost.FastOptions());
        aws.Register(new BrokenService());
        var request = LocalAwsRequest.Create("POST", "/", "", new Dictionary<string, string>
        {
            ["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20261124/us-east-1/broken/aws4_request, SignedHeaders=host, Signature=0",
            ["X-Amz-Target"] = "Broken_20261124.DoThing",
            ["Content-Type"] = "application/x-amz-json-1.0",
        }, "{}"u8.ToArray());

        var response = await aws.HandleAsync(request, default);

        response.StatusCode.Should().Be(500);
        response.ContentType.Should().Be("application/x-amz-json-1.0");
        var error = JsonDocument.Parse(response.Body).RootElement;
        error.GetProperty("__type").GetString().Should().Be("InternalError");
        error.GetProperty("message").GetString().Should().Contain("DoThing").And.Contain("a defect");
        FluentActions.Invoking(() => aws.Register(new BrokenService())).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task Each_account_and_region_has_its_own_world_and_the_inventory_shows_them_all()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var defaultAccount = host.Ec2();
        using var otherAccount = host.Ec2(accessKeyId: "111122223333");
        using var otherRegion = host.Ec2(region: "eu-west-1");

        var vpc = (await defaultAccount.CreateVpcAsync(new CreateVpcRequest
        {
            CidrBlock = "10.0.0.0/16",
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Vpc, Tags = [new Tag("Name", "c1-vpc")] }],
        })).Vpc;
        await otherAccount.AllocateAddressAsync(new AllocateAddressRequest());

        (await otherAccount.DescribeVpcsAsync(new DescribeVpcsRequest())).Vpcs.Should().BeNullOrEmpty();
        (await otherRegion.DescribeVpcsAsync(new DescribeVpcsRequest())).Vpcs.Should().BeNullOrEmpty();
        await FluentActions.Awaiting(() => otherAccount.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [vpc.VpcId] }))
            .Should().ThrowAsync<AmazonEC2Exception>().Where(e => e.ErrorCode == "InvalidVpcID.NotFound");
        using var http = host.Http();
        var inventory = JsonDocument.Parse(await http.GetStringAsync("/local/inventory")).RootElement.GetProperty("resources").EnumerateArray().ToList();
        inventory.Select(r => (r.GetProperty("account").GetString(), r.GetProperty("region").GetString(), r.GetProperty("type").GetString()))
            .Should().BeEquivalentTo(new (string?, string?, string?)[]
            {
                ("000000000000", "us-east-1", "ec2:vpc"),
                ("000000000000", "us-east-1", "ec2:route-table"),
                ("000000000000", "us-east-1", "ec2:security-group"),
                ("111122223333", "us-east-1", "ec2:elastic-ip"),
            });
        var vpcEntry = inventory.Single(r => r.GetProperty("type").GetString() == "ec2:vpc");
        vpcEntry.GetProperty("id").GetString().Should().Be(vpc.VpcId);
        vpcEntry.GetProperty("state").GetString().Should().Be("available");
        vpcEntry.GetProperty("tags").GetProperty("Name").GetString().Should().Be("c1-vpc");
    }

    [Fact]
    public async Task Inventory_drops_resources_once_they_are_gone()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var ec2 = host.Ec2();
        var vpcId = (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.0.0.0/16" })).Vpc.VpcId;
        var subnetId = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpcId, CidrBlock = "10.0.1.0/24" })).Subnet.SubnetId;
        var instanceId = (await ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = "ami-0c7217cdde317cfec", MinCount = 1, MaxCount = 1, SubnetId = subnetId }))
            .Reservation.Instances.Single().InstanceId;
        Types(host).Should().Contain(["ec2:instance", "ec2:network-interface", "ec2:volume"]);

        await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instanceId] });
        host.Clock.Advance(TimeSpan.FromMinutes(1));

        Types(host).Should().BeEquivalentTo(["ec2:vpc", "ec2:subnet", "ec2:route-table", "ec2:security-group"]);
    }

    private static List<string> Types(LocalAwsHost host) => [.. host.Aws.Inventory().Resources.Select(r => r.Type)];

    [Fact]
    public async Task With_a_data_directory_the_world_survives_a_restart_and_resumes_its_clock()
    {
        var directory = Directory.CreateTempSubdirectory("local-aws-").FullName;
        try
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
            var options = new LocalAwsOptions { DataDirectory = directory };
            string natId;
            await using (var first = await LocalAwsHost.StartAsync(options, clock))
            {
                using var ec2 = first.Ec2();
                var vpcId = (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.0.0.0/16" })).Vpc.VpcId;
                var subnetId = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpcId, CidrBlock = "10.0.1.0/24" })).Subnet.SubnetId;
                var gatewayId = (await ec2.CreateInternetGatewayAsync(new CreateInternetGatewayRequest())).InternetGateway.InternetGatewayId;
                await ec2.AttachInternetGatewayAsync(new AttachInternetGatewayRequest { InternetGatewayId = gatewayId, VpcId = vpcId });
                var allocationId = (await ec2.AllocateAddressAsync(new AllocateAddressRequest())).AllocationId;
                natId = (await ec2.CreateNatGatewayAsync(new CreateNatGatewayRequest { SubnetId = subnetId, AllocationId = allocationId, ClientToken = "t1" })).NatGateway.NatGatewayId;
            }
            File.Exists(Path.Combine(directory, LocalAwsOptions.SnapshotFileName)).Should().BeTrue();

            clock.Advance(TimeSpan.FromMinutes(2));
            await using var second = await LocalAwsHost.StartAsync(options, clock);
            using var resumed = second.Ec2();
            var nat = (await resumed.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest { NatGatewayIds = [natId] })).NatGateways.Single();
            nat.State.Should().Be(NatGatewayState.Available);
            // ClientTokens persist too: the retry after a restart returns the same gateway.
            var subnet = (await resumed.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets.Single().SubnetId;
            var allocation = (await resumed.DescribeAddressesAsync(new DescribeAddressesRequest())).Addresses.Single().AllocationId;
            (await resumed.CreateNatGatewayAsync(new CreateNatGatewayRequest { SubnetId = subnet, AllocationId = allocation, ClientToken = "t1" }))
                .NatGateway.NatGatewayId.Should().Be(natId);
            second.Aws.Inventory().Resources.Select(r => r.Type).Should().Contain(["ec2:natgateway", "ec2:network-interface", "ec2:elastic-ip"]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
