using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.ServiceQuotas;

// How IAM authorizes Service Quotas: the Service Authorization Reference lists GetServiceQuota on
// the quota, arn:aws:servicequotas:region:account:ServiceCode/QuotaCode, with the
// servicequotas:service condition key (the service code).
public sealed partial class ServiceQuotasService : IAuthorizesRequests
{
    /// <summary>The checks IAM makes for one Service Quotas call; null for an operation this service does not answer.</summary>
    public IReadOnlyList<AuthorizationCheck>? Authorizations(AwsCall call)
    {
        if (call.Operation != "GetServiceQuota")
            return null;
        var request = JsonBody.Parse(call);
        var service = JsonBody.Text(request, "ServiceCode");
        var quota = JsonBody.Text(request, "QuotaCode");
        // Without both codes there is no quota to name; the quota is optional in the SAR, so "*" stands for it.
        if (string.IsNullOrEmpty(service) || string.IsNullOrEmpty(quota))
            return [AuthorizationCheck.Of("servicequotas:GetServiceQuota", "*")];
        return [AuthorizationCheck.Of("servicequotas:GetServiceQuota", $"arn:aws:servicequotas:{call.Region}:{call.Account}:{service}/{quota}",
            AuthorizationContext.Empty().With("servicequotas:service", service))];
    }
}
