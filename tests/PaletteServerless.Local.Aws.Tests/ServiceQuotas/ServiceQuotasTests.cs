using PaletteServerless.Aws.Clients;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.ServiceQuotas;

public class ServiceQuotasTests
{
    [Fact]
    public async Task The_AWS_CLI_reads_the_on_demand_vcpu_quota_that_RunInstances_enforces()
    {
        await using var host = await LocalAwsHost.StartAsync(new LocalAwsOptions { OnDemandVcpuQuota = 24 });

        var result = await AwsCli.RunAsync(host, "123456789012", "service-quotas", "get-service-quota", "--service-code", "ec2", "--quota-code", "L-1216C47A");

        result.ExitCode.Should().Be(0, result.StandardError);
        var quota = result.Json.GetProperty("Quota");
        quota.GetProperty("Value").GetDouble().Should().Be(24);
        quota.GetProperty("QuotaCode").GetString().Should().Be("L-1216C47A");
        quota.GetProperty("ServiceCode").GetString().Should().Be("ec2");
        quota.GetProperty("QuotaArn").GetString().Should().Be("arn:aws:servicequotas:us-east-1:123456789012:ec2/L-1216C47A");
    }

    [Theory]
    [InlineData("ec2", "L-34B43A08", "NoSuchResourceException")]
    [InlineData("lambda", "L-1216C47A", "NoSuchResourceException")]
    [InlineData("ec2", "L_1216C47A", "IllegalArgumentException")]
    public async Task The_AWS_CLI_sees_AWSs_errors_for_quotas_it_does_not_serve(string service, string quota, string error)
    {
        await using var host = await LocalAwsHost.StartAsync();

        var result = await AwsCli.RunAsync(host, "123456789012", "service-quotas", "get-service-quota", "--service-code", service, "--quota-code", quota);

        result.ExitCode.Should().NotBe(0);
        result.StandardError.Should().Contain($"({error})");
    }

    [Fact]
    public async Task Our_client_reads_the_quota_over_the_wire()
    {
        await using var host = await LocalAwsHost.StartAsync(new LocalAwsOptions { OnDemandVcpuQuota = 16 });
        using var client = new ServiceQuotasClient(new AwsClientOptions("eu-west-1")
        {
            Endpoint = new Uri(host.Url),
            Credentials = new Amazon.Runtime.BasicAWSCredentials("123456789012", "test"),
        });

        var response = await client.GetServiceQuotaAsync("ec2", "L-1216C47A");

        response.Quota!.Value.Should().Be(16);
        var error = await FluentActions.Awaiting(() => client.GetServiceQuotaAsync("ec2", "L-00000000")).Should().ThrowAsync<AwsServiceException>();
        error.Which.ErrorCode.Should().Be("NoSuchResourceException");
    }
}
