using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Steps.Tests;

/// <summary>
/// What an in-memory fake of a port shares: every call journaled as "Operation id", and an operation told to fail
/// answering with the port's error (a service's answer, not transient), all under the fake's own lock.
/// </summary>
public sealed class FakeCalls(Lock gate)
{
    private readonly Dictionary<string, string> _failures = new(StringComparer.Ordinal);
    private readonly List<string> _calls = [];

    public IReadOnlyList<string> Journal { get { lock (gate) return [.. _calls]; } }

    public void Fail(string operation, string code) { lock (gate) _failures[operation] = code; }

    /// <summary>Journals the call, then fails it as told, or runs it (a <see cref="CloudServiceException"/> it throws is its answer).</summary>
    public Task<T> Run<T>(string operation, string id, Func<T> call)
    {
        lock (gate)
        {
            _calls.Add($"{operation} {id}");
            if (_failures.TryGetValue(operation, out var code))
                return Task.FromException<T>(new CloudServiceException(code, $"{code} (test)", false));
            try
            {
                return Task.FromResult(call());
            }
            catch (CloudServiceException ex)
            {
                return Task.FromException<T>(ex);
            }
        }
    }
}
