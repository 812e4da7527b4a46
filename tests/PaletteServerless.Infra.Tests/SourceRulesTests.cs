using PaletteServerless.Infra.Tests.Support;

namespace PaletteServerless.Infra.Tests;

/// <summary>Rules of the repository's own source that keep it easy to change by the next person.</summary>
public sealed class SourceRulesTests
{
    private const int MaxLines = 450;

    [Fact]
    public void No_source_file_of_the_product_or_the_local_stack_is_longer_than_one_reading()
    {
        var root = StateMachineFiles.RepositoryRoot;
        var sources = new[] { "functions", "local", "cli", "infra" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules"))
            .ToList();
        sources.Should().NotBeEmpty();
        var tooLong = sources.Select(path => (Path: Path.GetRelativePath(root, path), Lines: File.ReadLines(path).Count()))
            .Where(file => file.Lines > MaxLines).Select(file => $"{file.Path}: {file.Lines} lines").ToList();
        tooLong.Should().BeEmpty($"a source file should fit in one reading ({MaxLines} lines); split it along its concerns");
    }
}
