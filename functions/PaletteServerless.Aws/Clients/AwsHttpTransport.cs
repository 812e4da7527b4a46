using System.Net;
using Amazon;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;

namespace PaletteServerless.Aws.Clients;

/// <summary>The bytes and metadata of one HTTP answer from an AWS service.</summary>
public sealed record AwsRawResponse(HttpStatusCode StatusCode, string? RequestId, string? ErrorTypeHeader, byte[] Body);

/// <summary>
/// The one seam every call of our clients goes through: an <see cref="HttpClient"/> over the SDK's
/// <see cref="SigV4SigningHandler"/>, with retries outside the signer so each attempt is signed afresh.
/// </summary>
public sealed class AwsHttpTransport : IDisposable
{
    private readonly HttpClient _http;
    private readonly AwsClientOptions _options;

    public AwsHttpTransport(AwsService service, AwsClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        Service = service;
        _options = options;
        Endpoint = options.Endpoint ?? AwsEndpointResolver.Resolve(service, options.Region, options.Environment);

        var credentials = options.Credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials();
        // A redirect would be followed with the original signature on another host; AWS never redirects these APIs.
        var inner = options.InnerHandler ?? new SocketsHttpHandler { AllowAutoRedirect = false };
        var signer = new SigV4SigningHandler(credentials, RegionEndpoint.GetBySystemName(options.Region), service.SigningName, inner);
        _http = new HttpClient(signer, disposeHandler: true);
    }

    public AwsService Service { get; }

    public Uri Endpoint { get; }

    /// <summary>
    /// Sends a request built by <paramref name="createRequest"/> (called once per attempt: a request
    /// message cannot be sent twice) and returns the successful answer; an error answer becomes the
    /// exception <paramref name="toError"/> makes of it, after retries when that error is retryable.
    /// </summary>
    public async Task<AwsRawResponse> SendAsync(
        Func<Uri, HttpRequestMessage> createRequest,
        Func<AwsRawResponse, AwsServiceException> toError,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            AwsRawResponse response;
            try
            {
                using var request = createRequest(Endpoint);
                using var message = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                response = new AwsRawResponse(
                    message.StatusCode,
                    FirstHeader(message, "x-amzn-RequestId") ?? FirstHeader(message, "x-amz-request-id"),
                    FirstHeader(message, "x-amzn-ErrorType"),
                    await message.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (HttpRequestException) when (attempt < _options.MaxAttempts)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if ((int)response.StatusCode is >= 200 and < 300)
            {
                return response;
            }

            var error = toError(response);
            if (!error.IsRetryable || attempt >= _options.MaxAttempts)
            {
                throw error;
            }

            await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _http.Dispose();

    private Task BackOffAsync(int attempt, CancellationToken cancellationToken)
    {
        // Full jitter keeps many throttled callers from retrying in lock step.
        var ceiling = _options.BaseRetryDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
        return Task.Delay(delay, _options.TimeProvider, cancellationToken);
    }

    private static string? FirstHeader(HttpResponseMessage message, string name) =>
        message.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
