namespace PaletteServerless.Aws.Clients;

/// <summary>
/// Resolves a service endpoint the way the AWS SDKs do: <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, then
/// <c>AWS_ENDPOINT_URL</c>, else the public regional endpoint. <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c>
/// switches the variables off, as it does for the SDKs and the AWS CLI.
/// </summary>
public static class AwsEndpointResolver
{
    public static Uri Resolve(AwsService service, string region, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        environment ??= Environment.GetEnvironmentVariable;

        var ignoreConfigured = string.Equals(environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase);
        if (!ignoreConfigured)
        {
            var configured = NonEmpty(environment(service.EndpointEnvironmentVariable)) ?? NonEmpty(environment("AWS_ENDPOINT_URL"));
            if (configured is not null)
            {
                return new Uri(configured, UriKind.Absolute);
            }
        }

        if (service.GlobalEndpoint is { } global)
            return new Uri(global);
        // China regions live under their own DNS suffix; every other commercial region under amazonaws.com.
        var dnsSuffix = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new Uri($"https://{service.EndpointPrefix}.{region}.{dnsSuffix}/");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
