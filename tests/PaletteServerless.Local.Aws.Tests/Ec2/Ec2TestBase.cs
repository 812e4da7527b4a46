using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Tests.Core;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>A fresh local AWS per test class instance, reached through the real AmazonEC2Client.</summary>
public abstract class Ec2TestBase : IAsyncLifetime
{
    protected LocalAwsHost Host { get; private set; } = null!;
    protected AmazonEC2Client Ec2 { get; private set; } = null!;

    /// <summary>Options for this class's local AWS; <see cref="LocalAwsHost.FastOptions"/> is applied on top.</summary>
    protected virtual LocalAwsOptions Options => new();

    public async Task InitializeAsync()
    {
        Host = await LocalAwsHost.StartAsync(Options);
        Ec2 = Host.Ec2();
    }

    public async Task DisposeAsync()
    {
        Ec2.Dispose();
        await Host.DisposeAsync();
    }

    protected void Advance(TimeSpan time) => Host.Clock.Advance(time);

    /// <summary>Runs a call that must fail with <paramref name="code"/>, and returns the error for its message.</summary>
    protected static async Task<AmazonEC2Exception> FailsWith(string code, Func<Task> call)
    {
        var error = (await call.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        error.ErrorCode.Should().Be(code, error.Message);
        return error;
    }

    protected static List<TagSpecification> Tagged(ResourceType type, string name, params (string Key, string Value)[] more) =>
        [new TagSpecification { ResourceType = type, Tags = [new Tag("Name", name), .. more.Select(t => new Tag(t.Key, t.Value))] }];

    protected async Task<string> CreateVpcAsync(string cidr = "10.0.0.0/16") =>
        (await Ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = cidr })).Vpc.VpcId;

    protected async Task<string> CreateSubnetAsync(string vpcId, string cidr = "10.0.1.0/24", string zone = "us-east-1a") =>
        (await Ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpcId, CidrBlock = cidr, AvailabilityZone = zone })).Subnet.SubnetId;

    protected async Task<string> AttachNewGatewayAsync(string vpcId)
    {
        var gatewayId = (await Ec2.CreateInternetGatewayAsync(new CreateInternetGatewayRequest())).InternetGateway.InternetGatewayId;
        await Ec2.AttachInternetGatewayAsync(new AttachInternetGatewayRequest { InternetGatewayId = gatewayId, VpcId = vpcId });
        return gatewayId;
    }

    protected async Task<string> AllocateAsync() => (await Ec2.AllocateAddressAsync(new AllocateAddressRequest { Domain = DomainType.Vpc })).AllocationId;

    protected async Task<NatGateway> CreateNatAsync(string subnetId, string allocationId, string? clientToken = null) =>
        (await Ec2.CreateNatGatewayAsync(new CreateNatGatewayRequest { SubnetId = subnetId, AllocationId = allocationId, ClientToken = clientToken })).NatGateway;

    protected async Task<NatGateway> DescribeNatAsync(string natId) =>
        (await Ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest { NatGatewayIds = [natId] })).NatGateways.Single();

    protected async Task<List<Instance>> RunAsync(string subnetId, string type = "t3.medium", int count = 1, string? clientToken = null, Action<RunInstancesRequest>? configure = null)
    {
        var request = new RunInstancesRequest
        {
            ImageId = "ami-0c7217cdde317cfec",
            InstanceType = type,
            MinCount = count,
            MaxCount = count,
            SubnetId = subnetId,
            ClientToken = clientToken,
        };
        configure?.Invoke(request);
        return (await Ec2.RunInstancesAsync(request)).Reservation.Instances;
    }

    protected async Task<Instance> DescribeInstanceAsync(string instanceId) =>
        (await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] })).Reservations.Single().Instances.Single();

    protected async Task<List<NetworkInterface>> InterfacesInSubnetAsync(string subnetId) =>
        (await Ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { Filters = [new Filter("subnet-id", [subnetId])] })).NetworkInterfaces ?? [];
}
