using System.Diagnostics;
using Amazon.CDK.AWS.Lambda;
using PaletteServerless.Manifest;

namespace PaletteServerless.Infra;

/// <summary>Where a function's deployment package comes from.</summary>
public interface IFunctionCode
{
    Code For(FunctionDefinition function);
}

/// <summary>
/// The deployment package is the <c>dotnet publish</c> output of the project the handler string names
/// (<c>functions/&lt;Assembly&gt;/&lt;Assembly&gt;.csproj</c>), for linux-arm64, framework-dependent
/// (the managed dotnet10 runtime brings the framework). Each project is published once per synth,
/// however many functions it serves. No Docker: the SDK cross-targets arm64 from any machine.
/// </summary>
public sealed class DotnetPublishedCode(string repositoryRoot) : IFunctionCode
{
    /// <summary>Under infra/ and ignored by git: build output of our own publish, apart from developers' bin/obj.</summary>
    public const string PublishFolder = "infra/.publish";

    private readonly Dictionary<string, Code> _published = new(StringComparer.Ordinal);

    public Code For(FunctionDefinition function)
    {
        var assembly = AssemblyOf(function);
        if (!_published.TryGetValue(assembly, out var code))
        {
            code = Code.FromAsset(Publish(assembly));
            _published[assembly] = code;
        }
        return code;
    }

    /// <summary>The assembly part of a handler string <c>Assembly::Namespace.Type::Method</c>.</summary>
    public static string AssemblyOf(FunctionDefinition function)
    {
        var parts = function.Handler.Split("::");
        if (parts.Length != 3 || parts.Any(string.IsNullOrWhiteSpace))
            throw new InvalidOperationException($"function {function.Name}: handler '{function.Handler}' is not Assembly::Namespace.Type::Method");
        return parts[0];
    }

    private string Publish(string assembly)
    {
        var project = RepositoryLayout.FunctionProject(repositoryRoot, assembly);
        if (!File.Exists(project))
            throw new InvalidOperationException($"no project for handler assembly {assembly}: expected functions/{assembly}/{assembly}.csproj");
        var output = Path.Combine(repositoryRoot, PublishFolder, assembly);
        if (Directory.Exists(output))
            Directory.Delete(output, recursive: true); // a stale file would ship in the package
        // --artifacts-path keeps this RID-specific restore and build out of the projects' own obj/,
        // which developers' builds (and other synths) use at the same time.
        var arguments = new[]
        {
            "publish", project, "--configuration", "Release", "--runtime", "linux-arm64", "--self-contained", "false",
            "--artifacts-path", Path.Combine(repositoryRoot, PublishFolder, "artifacts"), "--output", output, "-nologo", "-v", "quiet",
        };
        var start = new ProcessStartInfo("dotnet", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet publish of {assembly} failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        return output;
    }
}
