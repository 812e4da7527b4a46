namespace PaletteServerless.EndToEnd.Tests;

/// <summary>The host's --vcpu-quota is what Service Quotas reports, through the real AWS CLI.</summary>
public sealed class VcpuQuotaOptionTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("palette-quota-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task The_AWS_CLI_reads_the_quota_the_host_was_started_with()
    {
        await using var host = await HostProcess.StartAsync(_data, "--vcpu-quota", "12");

        var quota = await host.AwsAsync("service-quotas", "get-service-quota", "--service-code", "ec2", "--quota-code", "L-1216C47A");

        quota.GetProperty("Quota").GetProperty("Value").GetDouble().Should().Be(12);
        await host.SignalAsync("TERM");
        (await host.ExitsWithinAsync(TimeSpan.FromSeconds(15))).Should().BeTrue(host.Output);
    }
}
