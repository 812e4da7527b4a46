using PaletteServerless.Infra.Tests.Support;

namespace PaletteServerless.Infra.Tests;

/// <summary>Rules of the repository's own source that keep it easy to change by the next person.</summary>
public sealed class SourceRulesTests
{
    private const int MaxLines = 450;

    [Fact]
    public void No_source_file_of_the_product_the_local_stack_the_console_or_the_tests_is_longer_than_one_reading()
    {
        var root = StateMachineFiles.RepositoryRoot;
        var sources = new[] { "functions", "local", "cli", "infra", "console", "tests", "tools" }
            .Where(folder => Directory.Exists(Path.Combine(root, folder)))
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.*", SearchOption.AllDirectories))
            .Where(path => Path.GetExtension(path) is ".cs" or ".js" or ".mjs")
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules"))
            .ToList();
        sources.Should().NotBeEmpty();
        var tooLong = sources.Select(path => (Path: Path.GetRelativePath(root, path), Lines: File.ReadLines(path).Count()))
            .Where(file => file.Lines > MaxLines).Select(file => $"{file.Path}: {file.Lines} lines").ToList();
        tooLong.Should().BeEmpty($"a source file should fit in one reading ({MaxLines} lines); split it along its concerns");
    }
}
