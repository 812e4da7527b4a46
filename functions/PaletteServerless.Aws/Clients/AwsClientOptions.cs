using Amazon.Runtime;

namespace PaletteServerless.Aws.Clients;

/// <summary>
/// How one of our clients reaches its service. Only <see cref="Region"/> is required: credentials
/// default to the SDK's credential chain and the endpoint to <see cref="AwsEndpointResolver"/>.
/// Cross-account steps pass the assumed role's credentials here.
/// </summary>
public sealed record AwsClientOptions(string Region)
{
    /// <summary>Signing credentials; null means the SDK default chain (environment, profile, container, instance).</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>A fixed endpoint; null means resolve from the environment, then the regional endpoint.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Sends the signed request; tests put a recorder or a loopback listener behind it.</summary>
    public HttpMessageHandler? InnerHandler { get; init; }

    /// <summary>Attempts per call, the first included; throttling, 5xx and network failures are retried.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>First backoff delay; it doubles per attempt, with full jitter.</summary>
    public TimeSpan BaseRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the endpoint variables are read from; null means the process environment.</summary>
    public Func<string, string?>? Environment { get; init; }
}
