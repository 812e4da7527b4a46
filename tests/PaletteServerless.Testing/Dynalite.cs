using Xunit;
using PaletteServerless.Local.Node;
using PaletteServerless.Manifest;

namespace PaletteServerless.Testing;

/// <summary>Starts a real, in-memory dynalite for a test class (xunit class fixture).</summary>
public sealed class DynaliteFixture : IAsyncLifetime
{
    private NodeChildProcess? _process;

    public Uri Endpoint => (_process ?? throw new InvalidOperationException("not started")).Endpoint;

    public async Task InitializeAsync() =>
        _process = await DynaliteProcess.StartAsync(
            RepositoryLayout.NodeToolsDirectory(RepositoryLayout.FindRootOfBinaries()), dataDirectory: null, progress: null, CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_process is not null)
            await _process.DisposeAsync();
    }
}
