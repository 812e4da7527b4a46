using PaletteServerless.Local.Aws.Tests.Sts;
using PaletteServerless.Testing;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// The walk a new user takes with the AWS CLI (<c>aws ec2 ... --endpoint-url</c>), as the issue's
/// "done when" describes it. Every CLI start costs a second or more, so setup the CLI need not
/// prove goes through the SDK, and independent commands run side by side.
/// </summary>
public sealed class Ec2CliTests : Ec2TestBase
{
    private Task<AwsCliResult> Ec2Cli(params string[] arguments) => AwsCli.RunAsync(Host, "test", ["ec2", .. arguments]);

    private static string Value(AwsCliResult result, string path)
    {
        result.ExitCode.Should().Be(0, result.StandardError);
        var element = result.Json;
        foreach (var name in path.Split('.'))
            element = int.TryParse(name, out var index) ? element[index] : element.GetProperty(name);
        return element.ToString();
    }

    [Fact]
    public async Task Cli_builds_a_network_runs_an_instance_and_meets_dependency_and_quota_errors()
    {
        var vpcId = Value(await Ec2Cli("create-vpc", "--cidr-block", "10.0.0.0/16", "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=cli-vpc}]"), "Vpc.VpcId");
        var subnetId = Value(await Ec2Cli("create-subnet", "--vpc-id", vpcId, "--cidr-block", "10.0.1.0/24", "--availability-zone", "us-east-1a"), "Subnet.SubnetId");
        await AttachNewGatewayAsync(vpcId);
        for (var i = 0; i < 4; i++)
            await AllocateAsync();
        var allocationId = Value(await Ec2Cli("allocate-address", "--domain", "vpc"), "AllocationId");

        var natCreate = Ec2Cli("create-nat-gateway", "--subnet-id", subnetId, "--allocation-id", allocationId);
        var run = Ec2Cli("run-instances", "--image-id", "ami-0c7217cdde317cfec", "--instance-type", "t3.small", "--count", "1", "--subnet-id", subnetId, "--client-token", "cli-token");
        var sixthAddress = Ec2Cli("allocate-address", "--domain", "vpc");
        var natId = Value(await natCreate, "NatGateway.NatGatewayId");
        var instanceId = Value(await run, "Instances.0.InstanceId");
        (await sixthAddress).StandardError.Should().Contain("(AddressLimitExceeded)").And.Contain("The maximum number of addresses has been reached.");
        Advance(TimeSpan.FromMinutes(2));

        var nat = Ec2Cli("describe-nat-gateways", "--nat-gateway-ids", natId);
        var running = Ec2Cli("describe-instances", "--filters", "Name=instance-state-name,Values=running", "Name=vpc-id,Values=" + vpcId);
        var deleteVpc = Ec2Cli("delete-vpc", "--vpc-id", vpcId);
        Value(await nat, "NatGateways.0.State").Should().Be("available");
        Value(await running, "Reservations.0.Instances.0.InstanceId").Should().Be(instanceId);
        var delete = await deleteVpc;
        delete.ExitCode.Should().NotBe(0);
        delete.StandardError.Should().Contain("(DependencyViolation)").And.Contain($"The vpc '{vpcId}' has dependencies and cannot be deleted.");
    }
}
