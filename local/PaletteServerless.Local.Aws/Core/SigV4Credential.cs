namespace PaletteServerless.Local.Aws.Core;

/// <summary>
/// The credential scope of a SigV4-signed request: <c>Credential=AKID/20261124/us-east-1/ec2/aws4_request</c>.
/// The local AWS accepts any key and any signature; it reads the scope to pick account and region.
/// </summary>
public sealed record SigV4Credential(string AccessKeyId, string Date, string Region, string Service)
{
    public const string DefaultAccount = "000000000000";

    /// <summary>The credential of the Authorization header, or of a presigned URL's X-Amz-Credential.</summary>
    public static SigV4Credential? From(LocalAwsRequest request)
    {
        if (request.Header("Authorization") is { } authorization
            && authorization.StartsWith("AWS4-HMAC-SHA256", StringComparison.Ordinal))
        {
            var start = authorization.IndexOf("Credential=", StringComparison.Ordinal);
            if (start < 0)
                return null;
            var scope = authorization[(start + "Credential=".Length)..];
            var end = scope.IndexOfAny([',', ' ']);
            return Parse(end < 0 ? scope : scope[..end]);
        }
        return QueryParameters.Parse(request.RawQueryString)["X-Amz-Credential"] is { } presigned ? Parse(presigned) : null;
    }

    private static SigV4Credential? Parse(string scope)
    {
        var parts = scope.Split('/');
        return parts.Length == 5 && parts[0].Length > 0 ? new SigV4Credential(parts[0], parts[1], parts[2], parts[3]) : null;
    }

    /// <summary>A 12-digit access key id names its account; any other key is the default account.</summary>
    public string AccountFromKey =>
        AccessKeyId.Length == 12 && AccessKeyId.All(char.IsAsciiDigit) ? AccessKeyId : DefaultAccount;
}
