using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.ServiceQuotas;
using static PaletteServerless.Local.Aws.Tests.Iam.AuthorizationCalls;

namespace PaletteServerless.Local.Aws.Tests.Iam;

/// <summary>Service Quotas' map: GetServiceQuota on the quota's ARN, with the service code as <c>servicequotas:service</c>.</summary>
public sealed class ServiceQuotasAuthorizationTests : IDisposable
{
    private readonly LocalAws _aws = new(clock: new FakeTimeProvider());

    public void Dispose() => _aws.Dispose();

    [Fact]
    public void Reading_a_quota_is_checked_on_the_quota()
    {
        Json(new ServiceQuotasService(), _aws, "GetServiceQuota", """{"ServiceCode":"ec2","QuotaCode":"L-1216C47A"}""")
            .Should().Equal("servicequotas:GetServiceQuota arn:aws:servicequotas:us-east-1:000000000000:ec2/L-1216C47A | servicequotas:service=ec2");
    }

    [Fact]
    public void A_request_naming_no_quota_is_checked_on_every_quota_and_another_operation_is_not_mapped()
    {
        Json(new ServiceQuotasService(), _aws, "GetServiceQuota", "{}").Should().Equal("servicequotas:GetServiceQuota *");
        Json(new ServiceQuotasService(), _aws, "ListServiceQuotas", "{}").Should().BeNull();
    }
}
