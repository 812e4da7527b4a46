using System.Runtime.InteropServices;

namespace PaletteServerless.Local;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM ask the local stack to stop: the first one cancels <see cref="Token"/>
/// and the stack stops cleanly (workflows paused in the store, resumed on the next start with the
/// same --data); a second one is left to the runtime's default action, which ends the process at once.
/// </summary>
public sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    public CancellationToken Token => _requested.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (_requested.IsCancellationRequested)
            return;
        context.Cancel = true;
        _requested.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _requested.Dispose();
    }
}
