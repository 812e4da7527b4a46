namespace PaletteServerless.Local.Aws.Core;

/// <summary>
/// An error the way AWS reports it: a code clients match on, AWS's message, and the HTTP status.
/// Thrown by service handlers; the facade writes it in the service's own error format.
/// </summary>
public sealed class AwsErrorException(string code, string message, int statusCode = 400) : Exception(message)
{
    public string Code { get; } = code;
    public int StatusCode { get; } = statusCode;

    /// <summary>Query-protocol errors say whether the caller (Sender) or AWS (Receiver) is at fault.</summary>
    public bool IsSenderFault => StatusCode < 500;

    /// <summary>Members some services add to the error (S3's BucketName, Key, Region), in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details { get; init; } = [];
}
