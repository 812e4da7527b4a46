using PaletteServerless.Aws.Clients;

namespace PaletteServerless.Aws.Tests.Clients;

public class ServiceQuotasClientTests
{
    [Fact]
    public async Task GetServiceQuota_sends_json_1_1_signed_for_servicequotas_and_reads_the_value()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(200, """
            {"Quota":{"ServiceCode":"ec2","ServiceName":"Amazon Elastic Compute Cloud (Amazon EC2)","QuotaCode":"L-1216C47A",
             "QuotaName":"Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances","Value":32.0,"Unit":"None","Adjustable":true,"GlobalQuota":false}}
            """, "application/x-amz-json-1.1"));
        using var client = new ServiceQuotasClient(TestCredentials.For(server));

        var response = await client.GetServiceQuotaAsync("ec2", "L-1216C47A");

        response.Quota!.Value.Should().Be(32);
        response.Quota.QuotaCode.Should().Be("L-1216C47A");
        var request = server.Requests.Single();
        request.Header("X-Amz-Target").Should().Be("ServiceQuotasV20190624.GetServiceQuota");
        request.Header("Content-Type").Should().Be("application/x-amz-json-1.1");
        request.BodyText.Should().Be("""{"ServiceCode":"ec2","QuotaCode":"L-1216C47A"}""");
        SigV4Verifier.ParseAuthorization(request).Groups["service"].Value.Should().Be("servicequotas");
        SigV4Verifier.ParseAuthorization(request).Groups["signature"].Value.Should().Be(SigV4Verifier.ExpectedSignature(request, TestCredentials.SecretKey));
    }

    [Fact]
    public async Task An_unknown_quota_is_NoSuchResourceException()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(400, """{"__type":"NoSuchResourceException","Message":"The request failed because the specified quota does not exist."}""", "application/x-amz-json-1.1"));
        using var client = new ServiceQuotasClient(TestCredentials.For(server));

        var act = () => client.GetServiceQuotaAsync("ec2", "L-00000000");

        var error = (await act.Should().ThrowAsync<AwsServiceException>()).Which;
        error.ErrorCode.Should().Be("NoSuchResourceException");
        error.ErrorMessage.Should().Contain("does not exist");
    }
}
