using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace PaletteServerless.Aws.Tests.Clients;

/// <summary>
/// Recomputes a SigV4 signature from a recorded request, independently of the SDK's signer, so a
/// test proves the request would be accepted by a service that knows the secret key.
/// </summary>
public static partial class SigV4Verifier
{
    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request, SignedHeaders=(?<headers>[a-z0-9;-]+), Signature=(?<signature>[0-9a-f]{64})$")]
    public static partial Regex AuthorizationPattern();

    public static Match ParseAuthorization(RecordedRequest request)
    {
        var match = AuthorizationPattern().Match(request.Header("Authorization"));
        match.Success.Should().BeTrue($"Authorization '{request.Header("Authorization")}' is a SigV4 header");
        return match;
    }

    public static string ExpectedSignature(RecordedRequest request, string secretKey)
    {
        var authorization = ParseAuthorization(request);
        var signedHeaders = authorization.Groups["headers"].Value;
        var amzDate = request.Header("X-Amz-Date");
        var scope = $"{authorization.Groups["date"].Value}/{authorization.Groups["region"].Value}/{authorization.Groups["service"].Value}/aws4_request";

        var canonicalHeaders = string.Concat(signedHeaders.Split(';').Select(name => $"{name}:{request.Header(name).Trim()}\n"));
        var path = request.RawUrl.Split('?')[0];
        var canonicalRequest = string.Join('\n', request.Method, path, string.Empty, canonicalHeaders, signedHeaders, Hex(SHA256.HashData(request.Body)));
        var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256", amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var key = Encoding.UTF8.GetBytes("AWS4" + secretKey);
        foreach (var part in scope.Split('/'))
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
