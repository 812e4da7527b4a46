using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PaletteServerless.Manifest;

namespace PaletteServerless.Local.Edge;

/// <summary>
/// The web console (console/ of the repository: plain ES modules, no build step) at /, as CloudFront
/// serves it in AWS, with a config.json made here: the API is this same origin and sign-in goes
/// through /local/token. The API stays under /v1 and the local routes under /local. Every answer carries
/// the console's security headers as CloudFront sends them (<see cref="ConsoleSecurityHeaders"/>), so the
/// browser tests run under the same Content-Security-Policy; the API and sign-in are this origin, so it
/// connects to 'self' only.
/// </summary>
public sealed class ConsoleSite(string directory, double pollMilliseconds)
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".json"] = "application/json",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    };

    private readonly string _root = Path.GetFullPath(directory);

    /// <summary>What the console's config.json holds locally.</summary>
    public JsonObject Config() => new()
    {
        ["apiUrl"] = "",
        ["auth"] = new JsonObject { ["mode"] = "local" },
        ["pollMilliseconds"] = pollMilliseconds,
    };

    /// <summary>True when the request names a console file (or config.json); those are answered here.</summary>
    public bool Serves(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && (request.Path == "/config.json" || FileOf(request.Path) is not null);

    public async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-cache";
        response.Headers.ContentSecurityPolicy = ConsoleSecurityHeaders.ContentSecurityPolicy();
        response.Headers.XContentTypeOptions = ConsoleSecurityHeaders.ContentTypeOptions;
        response.Headers.XFrameOptions = ConsoleSecurityHeaders.FrameOptions;
        response.Headers["Referrer-Policy"] = ConsoleSecurityHeaders.ReferrerPolicy;
        // No Strict-Transport-Security: this is plain HTTP on the loopback, where browsers ignore it, and
        // one that took would make every local port https-only in that browser for two years.
        if (context.Request.Path == "/config.json")
        {
            response.ContentType = "application/json";
            await response.WriteAsync(Config().ToJsonString(), context.RequestAborted);
            return;
        }
        var file = FileOf(context.Request.Path)!;
        response.ContentType = ContentTypes[Path.GetExtension(file)];
        response.ContentLength = new FileInfo(file).Length;
        if (HttpMethods.IsGet(context.Request.Method))
            await response.SendFileAsync(file, context.RequestAborted);
    }

    /// <summary>The file under the console folder that a path names (/ is index.html); null outside it or for other kinds of file.</summary>
    private string? FileOf(PathString path)
    {
        var relative = path.Value is null or "/" ? "index.html" : path.Value.TrimStart('/');
        var full = Path.GetFullPath(Path.Combine(_root, relative));
        return full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            && ContentTypes.ContainsKey(Path.GetExtension(full))
            && !full.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            && File.Exists(full)
            ? full
            : null;
    }
}
