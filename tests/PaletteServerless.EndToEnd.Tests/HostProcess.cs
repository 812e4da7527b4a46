using System.Diagnostics;
using System.Text.Json;
using PaletteServerless.Local;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// The built local stack host (PaletteServerless.Local.dll) as a real process, as a developer runs
/// it in a terminal: the leader of its own process group (a terminal's Ctrl+C signals the whole
/// group), with SIGINT at its default disposition even when this test runner ignores it (a shell
/// starts background jobs with SIGINT ignored, and a child inherits that).
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private HostProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>Where the host serves, as its "ready:" line says (it takes a free port: --port 0).</summary>
    public Uri Endpoint { get; private set; } = null!;

    public string Output
    {
        get
        {
            lock (_output)
                return string.Join('\n', _output);
        }
    }

    public static async Task<HostProcess> StartAsync(string dataDirectory, params string[] extraArguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "PaletteServerless.Local.dll");
        File.Exists(dll).Should().BeTrue($"the host is built beside the tests ({dll})");
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = PaletteServerless.Manifest.RepositoryLayout.FindRootOfBinaries(),
        };
        foreach (var argument in new[] { "--default-signal=INT", "setsid", "dotnet", dll, "--data", dataDirectory, "--port", "0" }.Concat(extraArguments))
            start.ArgumentList.Add(argument);
        // The functions of the host read AWS settings from its environment: none from this runner's.
        foreach (var name in new[] { "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN" })
            start.Environment.Remove(name);
        var host = new HostProcess(Process.Start(start)!);
        host._process.OutputDataReceived += (_, e) => host.Record(e.Data);
        host._process.ErrorDataReceived += (_, e) => host.Record(e.Data);
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        await Task.WhenAny(host._ready.Task, host._process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(120)));
        host._ready.Task.IsCompleted.Should().BeTrue($"the host says it is ready; it said:\n{host.Output}");
        return host;
    }

    private void Record(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.Add(line);
        if (line.StartsWith("ready: ", StringComparison.Ordinal))
            Endpoint = new Uri(line["ready: ".Length..].Trim() + "/");
        if (line.StartsWith("press Ctrl+C", StringComparison.Ordinal))
            _ready.TrySetResult();
    }

    /// <summary>The dynalite child of the host (local/node/dynalite-child.js).</summary>
    public int DynalitePid()
    {
        var children = File.ReadAllText($"/proc/{Id}/task/{Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse);
        return children.Single(pid => IsDynalite(pid));
    }

    public static bool IsDynalite(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("dynalite-child.js", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Sends a signal with kill(1): to the host, or with <paramref name="group"/> to its whole process group.</summary>
    public async Task SignalAsync(string signal, bool group = false)
    {
        var kill = new ProcessStartInfo("kill") { UseShellExecute = false };
        foreach (var argument in new[] { "-s", signal, "--", group ? $"-{Id}" : Id.ToString() })
            kill.ArgumentList.Add(argument);
        using var process = Process.Start(kill)!;
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(0, $"kill -s {signal} reached the host");
    }

    /// <summary>Waits up to <paramref name="bound"/> for the host to exit; false while it is still alive.</summary>
    public async Task<bool> ExitsWithinAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits up to <paramref name="bound"/> for a process to be gone; false while it is still alive.</summary>
    public static async Task<bool> GoneWithinAsync(int pid, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (IsDynalite(pid))
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(100);
        }
        return true;
    }

    public Task<JsonElement> AwsAsync(params string[] arguments) => AwsCli.RunAsync(Endpoint, arguments);

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
