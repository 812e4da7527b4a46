using Amazon.EC2;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Tests.Core;

/// <summary>
/// A tiny loopback HTTP host in front of a <see cref="LocalAws"/>, so tests talk to it through
/// real AWS clients (SDK and CLI) exactly as the local stack's edge would. Serves
/// <c>GET /local/inventory</c> too. Shared by every test of this project.
/// </summary>
public sealed class LocalAwsHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalAwsHost(WebApplication app, LocalAws aws, FakeTimeProvider clock, string url)
    {
        _app = app;
        Aws = aws;
        Clock = clock;
        Url = url;
    }

    public LocalAws Aws { get; }

    /// <summary>The clock every life cycle follows; advance it to move time.</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary><c>http://127.0.0.1:port</c></summary>
    public string Url { get; }

    /// <summary>
    /// Options for fast tests: API calls answer at once, modelled durations stay real so tests
    /// read like AWS (a NAT gateway needs two minutes of the fake clock).
    /// </summary>
    public static LocalAwsOptions FastOptions(LocalAwsOptions? options = null) =>
        (options ?? new LocalAwsOptions()) with
        {
            LatencyOverrides = new Dictionary<string, TimeSpan>((options ?? new LocalAwsOptions()).LatencyOverrides)
            {
                [LatencyModel.MutatingCall] = TimeSpan.Zero,
            },
        };

    public static async Task<LocalAwsHost> StartAsync(LocalAwsOptions? options = null, FakeTimeProvider? clock = null)
    {
        clock ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var aws = new LocalAws(FastOptions(options), clock);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/local/inventory", () => Results.Bytes(aws.Inventory().ToJson(), "application/json"));
        // A catch-all route, so the more specific /local routes still win.
        app.Map("/{**path}", (HttpContext context) => ForwardAsync(aws, context));
        await app.StartAsync();
        var url = app.Urls.First().TrimEnd('/');
        return new LocalAwsHost(app, aws, clock, url);
    }

    public AmazonEC2Client Ec2(string accessKeyId = "test", string region = "us-east-1") =>
        new(new BasicAWSCredentials(accessKeyId, "test"), new AmazonEC2Config
        {
            ServiceURL = Url,
            AuthenticationRegion = region,
            MaxErrorRetry = 0,
        });

    public AmazonSecurityTokenServiceClient Sts(string accessKeyId = "test", string region = "us-east-1") =>
        new(new BasicAWSCredentials(accessKeyId, "test"), new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = Url,
            AuthenticationRegion = region,
            MaxErrorRetry = 0,
        });

    /// <summary>A plain HTTP client for the host (inventory, unsigned requests).</summary>
    public HttpClient Http() => new() { BaseAddress = new Uri(Url) };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Aws.Dispose();
    }

    private static async Task ForwardAsync(LocalAws aws, HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var request = LocalAwsRequest.Create(
            context.Request.Method,
            context.Request.Path.Value ?? "/",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString())),
            body.ToArray());
        var response = await aws.HandleAsync(request, context.RequestAborted);
        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = response.ContentType;
        foreach (var (name, value) in response.Headers)
            context.Response.Headers[name] = value;
        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
    }
}
