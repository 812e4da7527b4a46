using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PaletteServerless.Local.Node;

/// <summary>
/// dynalite (a DynamoDB-compatible server from npm) as a child process on a free loopback port:
/// in memory, or persisted in a folder when one is given. Stopped with its owner, and never outlives
/// it: local/node/dynalite-child.js exits when the stdin pipe this process holds closes, which the
/// kernel does whenever this process ends, SIGKILL included. The child ignores SIGINT, so that Ctrl+C
/// in a terminal reaches the owner, which pauses its workflows before it stops dynalite.
/// </summary>
public sealed class DynaliteProcess : IAsyncDisposable
{
    private readonly Process _process;

    private DynaliteProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    public static async Task<DynaliteProcess> StartAsync(
        string nodeDirectory, string? dataDirectory, TextWriter? progress, CancellationToken ct)
    {
        await NodeTools.EnsureInstalledAsync(nodeDirectory, progress, ct);
        var port = FreeLoopbackPort();
        var arguments = $"dynalite-child.js --port {port} --host 127.0.0.1";
        if (dataDirectory is not null)
        {
            Directory.CreateDirectory(dataDirectory);
            arguments += $" --path \"{dataDirectory}\"";
        }
        var start = new ProcessStartInfo("node", arguments)
        {
            WorkingDirectory = nodeDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        // Drain the pipes so that a chatty child never blocks on a full buffer.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await WaitForPortAsync(port, process, ct);
        }
        catch
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
        return new DynaliteProcess(process, port);
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port, Process process, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"dynalite exited with code {process.ExitCode}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, ct);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, ct);
            }
        }
        throw new TimeoutException($"dynalite did not listen on 127.0.0.1:{port} within 30 s");
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
