using System.Diagnostics;
using System.IO.Compression;

namespace PaletteServerless.Cli.Tests;

public sealed class PackTests
{
    [Fact]
    public async Task Dotnet_pack_makes_a_tool_package_whose_command_is_psctl()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "PaletteServerless.sln")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("the repository root was not found");
        var output = Directory.CreateTempSubdirectory("psctl-pack-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet", ["pack", Path.Combine(root, "cli", "PaletteServerless.Cli", "PaletteServerless.Cli.csproj"), "-c", "Release", "-nologo", "-v", "quiet", "-o", output])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var pack = Process.Start(start)!;
            var log = pack.StandardOutput.ReadToEndAsync();
            var errors = pack.StandardError.ReadToEndAsync();
            await pack.WaitForExitAsync();
            pack.ExitCode.Should().Be(0, await log + await errors);

            var package = Directory.GetFiles(output, "PaletteServerless.Cli.*.nupkg").Should().ContainSingle().Subject;
            using var zip = ZipFile.OpenRead(package);
            var settings = zip.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
            using var reader = new StreamReader(settings.Open());
            (await reader.ReadToEndAsync()).Should().Contain("<Command Name=\"psctl\" EntryPoint=\"psctl.dll\"");
            zip.Entries.Select(e => e.FullName).Should().Contain("README.md");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
