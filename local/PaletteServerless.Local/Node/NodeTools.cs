using System.Diagnostics;

namespace PaletteServerless.Local.Node;

/// <summary>
/// The node tools of the local stack (dynalite, iam-simulate, asl-validator) pinned by
/// local/node/package-lock.json. They are installed on first use so that a fresh clone needs no
/// manual step, and again when package.json names one that is not installed yet.
/// </summary>
public static class NodeTools
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static async Task EnsureInstalledAsync(string nodeDirectory, TextWriter? progress, CancellationToken ct)
    {
        if (AllInstalled(nodeDirectory))
            return;
        await InstallLock.WaitAsync(ct);
        try
        {
            if (AllInstalled(nodeDirectory))
                return;
            progress?.WriteLine("installing the local stack's node tools (npm ci in local/node), once ...");
            await RunAsync("npm", "ci --no-audit --no-fund", nodeDirectory, ct);
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static bool AllInstalled(string nodeDirectory)
    {
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(nodeDirectory, "package.json")));
        return (manifest?["dependencies"]?.AsObject() ?? []).All(d => File.Exists(Path.Combine(nodeDirectory, "node_modules", d.Key, "package.json")));
    }

    private static async Task RunAsync(string file, string arguments, string workingDirectory, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"'{file} {arguments}' in {workingDirectory} failed with exit code {process.ExitCode}:\n{await stdout}\n{await stderr}");
    }
}
