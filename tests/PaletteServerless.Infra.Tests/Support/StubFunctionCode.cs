using Amazon.CDK.AWS.Lambda;
using PaletteServerless.Manifest;

namespace PaletteServerless.Infra.Tests.Support;

/// <summary>A tiny package in place of dotnet publish, so template tests take seconds (the CLI test publishes for real).</summary>
public sealed class StubFunctionCode : IFunctionCode
{
    private readonly Lazy<string> _directory = new(() =>
    {
        var directory = Directory.CreateTempSubdirectory("infra-code-").FullName;
        File.WriteAllText(Path.Combine(directory, "placeholder.txt"), "not a real package");
        return directory;
    });

    public List<string> Requested { get; } = [];

    public Code For(FunctionDefinition function)
    {
        Requested.Add(function.Name);
        return Code.FromAsset(_directory.Value);
    }
}
