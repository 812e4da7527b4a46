using System.Net;

namespace PaletteServerless.Aws.Clients;

/// <summary>
/// Any error an AWS service answered with, whatever its protocol. Step Functions matches the short
/// type name of a Lambda's exception, so callers either handle <see cref="ErrorCode"/> here or let it
/// surface as <c>AwsServiceException</c>.
/// </summary>
public sealed class AwsServiceException : Exception
{
    // Codes the AWS SDKs' standard retry mode treats as throttling.
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    };

    public AwsServiceException(string errorCode, string message, HttpStatusCode statusCode, string? requestId)
        : base($"{errorCode}: {message}")
    {
        ErrorCode = errorCode;
        ErrorMessage = message;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    /// <summary>The AWS error code without any namespace prefix, e.g. <c>LoadBalancerNotFound</c>.</summary>
    public string ErrorCode { get; }

    /// <summary>The service's own message, without the code.</summary>
    public string ErrorMessage { get; }

    public HttpStatusCode StatusCode { get; }

    public string? RequestId { get; }

    public bool IsThrottling => ThrottlingCodes.Contains(ErrorCode) || StatusCode == HttpStatusCode.TooManyRequests;

    /// <summary>Worth another attempt: throttled, or the service failed on its side.</summary>
    public bool IsRetryable => IsThrottling || (int)StatusCode >= 500;
}
