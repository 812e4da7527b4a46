using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PaletteServerless.Local.Aws.Iam;

/// <summary>
/// Session tokens of the local STS. AWS's session token is an opaque, self-contained, encrypted
/// blob that describes its session; the local one is the session's description, authenticated
/// with an HMAC so a caller cannot forge another session. It lets a session outlive a restart
/// of the local stack (callers cache their credentials for the session's life).
/// </summary>
public static class SessionTokens
{
    private const string Prefix = "palette-local-sts.";

    // A fixed key: the local stack has no secret store, and its tokens only ever reach loopback callers.
    private static readonly byte[] Key = SHA256.HashData(Encoding.UTF8.GetBytes("palette-serverless local STS session tokens"));

    public sealed record Session(
        [property: JsonPropertyName("k")] string AccessKeyId,
        [property: JsonPropertyName("r")] string RoleArn,
        [property: JsonPropertyName("n")] string SessionName,
        [property: JsonPropertyName("e")] DateTimeOffset Expiration,
        [property: JsonPropertyName("p")] string? Policy,
        [property: JsonPropertyName("t")] IReadOnlyDictionary<string, string>? Tags,
        [property: JsonPropertyName("s")] string? SourceIdentity);

    public static string Write(Session session)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(session, SessionTokenJson.Default.Session);
        return Prefix + Convert.ToBase64String(body) + "." + Convert.ToBase64String(HMACSHA256.HashData(Key, body));
    }

    /// <summary>The session a token describes, or null for a token the local STS did not write.</summary>
    public static Session? Read(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token[Prefix.Length..].Split('.') is not [var body64, var mac64])
            return null;
        try
        {
            var body = Convert.FromBase64String(body64);
            return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Key, body), Convert.FromBase64String(mac64))
                ? JsonSerializer.Deserialize(body, SessionTokenJson.Default.Session)
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}

[JsonSerializable(typeof(SessionTokens.Session))]
internal sealed partial class SessionTokenJson : JsonSerializerContext;
