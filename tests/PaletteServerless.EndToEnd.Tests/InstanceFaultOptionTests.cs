namespace PaletteServerless.EndToEnd.Tests;

/// <summary>The host's --spot-interruption-rate reaches the local EC2: a running spot instance is interrupted and terminated unasked.</summary>
public sealed class InstanceFaultOptionTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("palette-spot-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task A_spot_instance_is_reclaimed_at_the_rate_the_host_was_started_with()
    {
        await using var host = await HostProcess.StartAsync(_data, "--time-scale", "600", "--spot-interruption-rate", "1", "--fault-seed", "5");
        host.Output.Should().Contain("faults on: seed 5");

        var vpcId = (await host.AwsAsync("ec2", "create-vpc", "--cidr-block", "10.50.0.0/16")).GetProperty("Vpc").GetProperty("VpcId").GetString()!;
        var subnetId = (await host.AwsAsync("ec2", "create-subnet", "--vpc-id", vpcId, "--cidr-block", "10.50.1.0/24", "--availability-zone", "us-east-1a"))
            .GetProperty("Subnet").GetProperty("SubnetId").GetString()!;
        var instanceId = (await host.AwsAsync("ec2", "run-instances", "--image-id", "ami-0c7217cdde317cfec", "--instance-type", "t3.small", "--count", "1",
            "--subnet-id", subnetId, "--instance-market-options", "MarketType=spot")).GetProperty("Instances")[0].GetProperty("InstanceId").GetString()!;

        // Running after 45 modelled seconds, interrupted within a modelled minute, gone three modelled minutes later.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        System.Text.Json.JsonElement instance;
        do
            instance = (await host.AwsAsync("ec2", "describe-instances", "--instance-ids", instanceId)).GetProperty("Reservations")[0].GetProperty("Instances")[0];
        while (instance.GetProperty("State").GetProperty("Name").GetString() != "terminated" && DateTime.UtcNow < deadline);
        instance.GetProperty("State").GetProperty("Name").GetString().Should().Be("terminated");
        instance.GetProperty("StateReason").GetProperty("Code").GetString().Should().Be("Server.SpotInstanceTermination");
        await host.SignalAsync("TERM");
        (await host.ExitsWithinAsync(TimeSpan.FromSeconds(15))).Should().BeTrue(host.Output);
    }
}
