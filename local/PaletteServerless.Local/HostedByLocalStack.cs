using Microsoft.Extensions.Hosting;

namespace PaletteServerless.Local;

/// <summary>
/// The lifetime of the local stack's web host: started and stopped by <see cref="LocalStack"/> only.
/// The default console lifetime also listens to SIGINT and SIGTERM: it marks them handled and only
/// raises ApplicationStopping, which nothing here observes, so a second Ctrl+C would not end a stack
/// stuck in its shutdown. <see cref="ShutdownSignals"/> alone decides what a signal does.
/// </summary>
internal sealed class HostedByLocalStack : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
