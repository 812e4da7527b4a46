using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PaletteServerless.Local.Node;

/// <summary>
/// dynalite (a DynamoDB-compatible server from npm) as a child process on a free loopback port:
/// in memory, or persisted in a folder when one is given.
/// </summary>
public static class DynaliteProcess
{
    public static Task<NodeChildProcess> StartAsync(string nodeDirectory, string? dataDirectory, TextWriter? progress, CancellationToken ct)
    {
        var arguments = "";
        if (dataDirectory is not null)
        {
            Directory.CreateDirectory(dataDirectory);
            arguments = $" --path \"{dataDirectory}\"";
        }
        return NodeChildProcess.StartAsync(nodeDirectory, "dynalite-child.js", "dynalite", arguments, progress, ct);
    }

    public static int FreeLoopbackPort() => NodeChildProcess.FreeLoopbackPort();
}

/// <summary>The IAM policy evaluator (local/node/iam-simulate-child.js: @cloud-copilot/iam-simulate) as a child process.</summary>
public static class IamEvaluatorProcess
{
    public static Task<NodeChildProcess> StartAsync(string nodeDirectory, TextWriter? progress, CancellationToken ct) =>
        NodeChildProcess.StartAsync(nodeDirectory, "iam-simulate-child.js", "the IAM policy evaluator", "", progress, ct);
}

/// <summary>
/// A node tool of local/node as a child process serving on a free loopback port. Stopped with its
/// owner, and never outlives it: each child script exits when the stdin pipe this process holds
/// closes, which the kernel does whenever this process ends, SIGKILL included. The children ignore
/// SIGINT, so that Ctrl+C in a terminal reaches the owner, which pauses its workflows before it
/// stops them.
/// </summary>
public sealed class NodeChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    private NodeChildProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    public static async Task<NodeChildProcess> StartAsync(
        string nodeDirectory, string script, string name, string extraArguments, TextWriter? progress, CancellationToken ct)
    {
        await NodeTools.EnsureInstalledAsync(nodeDirectory, progress, ct);
        // Port 0: the child takes a free port at its own bind and says which. A port probed free here and bound
        // there later could be taken in between by another process, which the child would fail on, or, worse,
        // which we would then mistake for the child.
        var arguments = $"{script} --port 0 --host 127.0.0.1{extraArguments}";
        var start = new ProcessStartInfo("node", arguments)
        {
            WorkingDirectory = nodeDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        // The pipes are drained throughout, so that a chatty child never blocks on a full buffer.
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text && text.StartsWith("listening ", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan("listening ".Length), System.Globalization.CultureInfo.InvariantCulture, out var bound))
                listening.TrySetResult(bound);
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { } text && errors.Count < 20)
                errors.Enqueue(text);
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException(
            $"{name} exited with code {process.ExitCode} before it listened: {string.Join(" / ", errors).Trim()}"));
        if (!process.Start())
            throw new InvalidOperationException("node did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            return new NodeChildProcess(process, port);
        }
        catch (Exception ex)
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.Dispose();
            if (ex is TimeoutException)
                throw new TimeoutException($"{name} did not listen on loopback within 30 s");
            throw;
        }
    }

    /// <summary>
    /// A loopback port free at the moment of asking. Another process can take it before the caller binds it,
    /// so a caller that can should keep a <see cref="LoopbackPortReservation"/> until just before its bind.
    /// </summary>
    public static int FreeLoopbackPort()
    {
        using var reservation = LoopbackPortReservation.Take();
        return reservation.Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>
/// A free loopback port held bound (and listening) until disposed: while it is held, neither another
/// process's bind nor the kernel's choice of a port for an outgoing connection can take it.
/// </summary>
public sealed class LoopbackPortReservation : IDisposable
{
    private readonly TcpListener _listener;

    private LoopbackPortReservation(TcpListener listener) => _listener = listener;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static LoopbackPortReservation Take()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new LoopbackPortReservation(listener);
    }

    /// <summary>Lets the port go, for the caller to bind it next.</summary>
    public void Dispose() => _listener.Stop();
}
