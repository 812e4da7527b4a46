namespace PaletteServerless.Aws.Clients;

/// <summary>Service Quotas over AWS JSON 1.1 (signing name <c>servicequotas</c>): reads applied quota values.</summary>
public sealed class ServiceQuotasClient : IServiceQuotasClient
{
    private const string TargetPrefix = "ServiceQuotasV20190624.";
    private readonly AwsJsonProtocolClient _json;

    public ServiceQuotasClient(AwsClientOptions options)
    {
        _json = new AwsJsonProtocolClient(AwsService.ServiceQuotas, "1.1", options);
    }

    public Uri Endpoint => _json.Endpoint;

    /// <summary>GetServiceQuota: the value applied to this account and region (NoSuchResourceException when unknown).</summary>
    public Task<GetServiceQuotaResponse> GetServiceQuotaAsync(string serviceCode, string quotaCode, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(TargetPrefix + "GetServiceQuota", new GetServiceQuotaRequest(serviceCode, quotaCode),
            ServiceQuotasJsonContext.Default.GetServiceQuotaRequest, ServiceQuotasJsonContext.Default.GetServiceQuotaResponse, cancellationToken);

    public void Dispose() => _json.Dispose();
}
