namespace PaletteServerless.Aws.Clients;

/// <summary>The Service Quotas call the product makes: the seam that lets unit tests stand in for <see cref="ServiceQuotasClient"/>.</summary>
public interface IServiceQuotasClient : IDisposable
{
    Task<GetServiceQuotaResponse> GetServiceQuotaAsync(string serviceCode, string quotaCode, CancellationToken cancellationToken = default);
}
