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
        var port = FreeLoopbackPort();
        var arguments = $"{script} --port {port} --host 127.0.0.1{extraArguments}";
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
            await WaitForPortAsync(port, process, name, ct);
        }
        catch
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
        return new NodeChildProcess(process, port);
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port, Process process, string name, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode}");
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
        throw new TimeoutException($"{name} did not listen on 127.0.0.1:{port} within 30 s");
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
