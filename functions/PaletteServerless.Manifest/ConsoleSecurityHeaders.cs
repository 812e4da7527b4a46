namespace PaletteServerless.Manifest;

/// <summary>
/// The response headers the web console is served with, defined once: CloudFront's response headers policy
/// (the CDK app) and the local stack's console site send these, so the browser tests run under the policy AWS serves.
/// </summary>
public static class ConsoleSecurityHeaders
{
    /// <summary>
    /// The console's Content-Security-Policy. Everything comes from its own origin: no inline script or style
    /// (the console has none: handlers are attached with addEventListener), no eval, no plugins, no other
    /// site may frame it, no base or form target elsewhere. It may call its own origin and
    /// <paramref name="connectSources"/>: in AWS the API and the OIDC identity provider, which are other origins.
    /// </summary>
    public static string ContentSecurityPolicy(params IEnumerable<string> connectSources) => string.Join("; ",
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src " + string.Join(' ', ["'self'", .. connectSources.Where(s => s.Length > 0)]),
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]);

    /// <summary>Two years, as HSTS preload lists ask; only over HTTPS (CloudFront), browsers ignore it over HTTP.</summary>
    public static readonly TimeSpan StrictTransportSecurityMaxAge = TimeSpan.FromDays(730);

    /// <summary>The sign-in's answer comes back in the address (?code=): it is never sent on as a Referer.</summary>
    public const string ReferrerPolicy = "no-referrer";

    /// <summary>For browsers that predate CSP's frame-ancestors.</summary>
    public const string FrameOptions = "DENY";

    public const string ContentTypeOptions = "nosniff";
}
