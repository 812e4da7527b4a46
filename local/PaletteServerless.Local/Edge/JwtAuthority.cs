using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PaletteServerless.Local.Edge;

/// <summary>
/// Stands in for the identity provider and for API Gateway's JWT authorizer: mints tokens with a
/// key generated at start, and validates issuer, audience, expiry and signature as the authorizer does.
/// </summary>
public sealed class JwtAuthority : IDisposable
{
    public const string Audience = "palette-serverless";
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(8);

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TimeProvider _clock;

    public JwtAuthority(string issuer, TimeProvider clock)
    {
        Issuer = issuer;
        _clock = clock;
        _key = new RsaSecurityKey(_rsa) { KeyId = Guid.NewGuid().ToString("N") };
    }

    public string Issuer { get; }

    /// <param name="nonce">The nonce of the authorization request this token answers, echoed as an OIDC provider
    /// does into the ID token (OIDC Core 3.1.2.1), so the console can tell it was issued for its own sign-in.</param>
    public string Mint(string subject, string tenant, IReadOnlyList<string> roles, TimeSpan? lifetime = null, string? nonce = null)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["tenant"] = tenant,
            ["roles"] = roles.ToArray(),
        };
        if (nonce is not null)
            claims["nonce"] = nonce;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TokenLifetime),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
            Claims = claims,
        });
    }

    /// <summary>The token's claims when it is valid; null when anything is wrong (API Gateway then answers 401).</summary>
    public async Task<IReadOnlyList<Claim>?> ValidateAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = _key,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = _clock.GetUtcNow().UtcDateTime;
                return expires is { } e && now < e.AddSeconds(30) && (notBefore is null || now >= notBefore.Value.AddSeconds(-30));
            },
        });
        return result.IsValid ? result.ClaimsIdentity.Claims.ToList() : null;
    }

    public void Dispose() => _rsa.Dispose();
}
