using Microsoft.Extensions.Hosting;

namespace PaletteServerless.Local;

/// <summary>
/// The lifetime of the local stack's web host: started and stopped by <see cref="LocalStack"/> only.
/// The default console lifetime would claim SIGINT and SIGTERM for itself (marking them handled
/// while nothing stops the stack), so a Ctrl+C would neither stop the stack nor end the process.
/// </summary>
internal sealed class HostedByLocalStack : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
