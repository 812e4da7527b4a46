using Amazon.Runtime;
using Amazon.S3;
using PaletteServerless.Local.Aws.Tests.Core;

namespace PaletteServerless.Local.Aws.Tests.S3;

/// <summary>A local AWS host per test class and real AmazonS3Clients for it, path-style as SDKs reach a custom endpoint.</summary>
public abstract class S3TestBase : IAsyncLifetime
{
    protected LocalAwsHost Host { get; private set; } = null!;

    /// <summary>The default account's client in us-east-1.</summary>
    protected AmazonS3Client S3 { get; private set; } = null!;

    private readonly List<IDisposable> _clients = [];

    public async Task InitializeAsync()
    {
        Host = await LocalAwsHost.StartAsync();
        S3 = Client();
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
            client.Dispose();
        await Host.DisposeAsync();
    }

    protected AmazonS3Client Client(string accessKeyId = "test", string region = "us-east-1", bool pathStyle = true, string? serviceUrl = null, string? sessionToken = null, HttpClientFactory? httpClientFactory = null)
    {
        AWSCredentials credentials = sessionToken is null ? new BasicAWSCredentials(accessKeyId, "test") : new SessionAWSCredentials(accessKeyId, "test", sessionToken);
        var client = new AmazonS3Client(credentials, new AmazonS3Config
        {
            ServiceURL = serviceUrl ?? Host.Url,
            AuthenticationRegion = region,
            ForcePathStyle = pathStyle,
            MaxErrorRetry = 0,
            HttpClientFactory = httpClientFactory,
        });
        _clients.Add(client);
        return client;
    }

    /// <summary>The S3 error a call fails with.</summary>
    protected static async Task<AmazonS3Exception> FailsAsync(Func<Task> call)
    {
        var failure = await call.Should().ThrowAsync<AmazonS3Exception>();
        return failure.Which;
    }

    /// <summary>Moves the clock, and with it the local AWS's ticks (one per tick period passed: keep it short).</summary>
    protected void Advance(TimeSpan by) => Host.Clock.Advance(by);

    /// <summary>Sets the clock to a later time at once, then lets one tick period pass, so days go by without a tick for every 200 ms of them.</summary>
    protected void JumpTo(DateTimeOffset at)
    {
        Host.Clock.AdjustTime(at - PaletteServerless.Local.Aws.Core.LocalAws.TickPeriod);
        Host.Clock.Advance(PaletteServerless.Local.Aws.Core.LocalAws.TickPeriod);
    }
}
