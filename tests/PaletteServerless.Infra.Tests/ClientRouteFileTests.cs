using System.Text.RegularExpressions;
using PaletteServerless.Infra.Tests.Support;
using PaletteServerless.Manifest;

namespace PaletteServerless.Infra.Tests;

/// <summary>
/// psctl and the web console take every API path from one generated file (console/src/routes.json). It must be
/// what the route catalog makes today, and neither client may spell a path of its own or name a route the file lacks.
/// </summary>
public sealed partial class ClientRouteFileTests
{
    private static string Root => StateMachineFiles.RepositoryRoot;

    [Fact]
    public void The_route_file_is_what_the_route_catalog_makes()
    {
        var path = Path.Combine(Root, ClientRoutes.RelativePath);
        File.Exists(path).Should().BeTrue($"{ClientRoutes.RelativePath} is generated: run `{ClientRoutes.RegenerateCommand}` from the repository root");

        File.ReadAllText(path).ReplaceLineEndings("\n").Should().Be(ClientRoutes.Render(),
            $"{ClientRoutes.RelativePath} is stale against ApiRouteCatalog: run `{ClientRoutes.RegenerateCommand}` from the repository root and commit the file");
        ClientRoutes.Named().Select(r => r.Route).Should().BeEquivalentTo(ApiRouteCatalog.All, "every catalog route has a name in the file");
    }

    [Fact]
    public void Every_route_psctl_and_the_console_name_is_in_the_file()
    {
        var names = ClientRoutes.Named().Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var cli = Sources("cli", "*.cs").SelectMany(f => CliRouteNames().Matches(File.ReadAllText(f)).Select(m => (File: f, Name: m.Groups[1].Value))).ToList();
        var console = Sources(Path.Combine("console", "src"), "*.js").SelectMany(f => ConsoleRouteNames().Matches(File.ReadAllText(f)).Select(m => (File: f, Name: m.Groups[1].Value))).ToList();

        cli.Should().NotBeEmpty();
        console.Should().NotBeEmpty();
        cli.Concat(console).Where(use => !names.Contains(use.Name)).Select(use => $"{Path.GetRelativePath(Root, use.File)}: {use.Name}")
            .Should().BeEmpty("a client may name only the routes of the route file");
    }

    [Fact]
    public void Neither_client_spells_an_API_path_of_its_own()
    {
        var spelled = Sources("cli", "*.cs").Concat(Sources(Path.Combine("console", "src"), "*.js"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => ApiPath().IsMatch(l.Text))
            .Select(l => $"{Path.GetRelativePath(Root, l.File)}:{l.Line}: {l.Text.Trim()}");

        spelled.Should().BeEmpty($"psctl and the console take their paths from {ClientRoutes.RelativePath}");
    }

    private static IEnumerable<string> Sources(string folder, string pattern) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), pattern, SearchOption.AllDirectories)
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules"));

    // psctl: run.Route("getCluster", ...). A name made at run time (run.Route($"get{noun.Resource}")) throws in
    // psctl's own tests when the file lacks it.
    [GeneratedRegex("""\bRoute\("([a-zA-Z]+)"[,)]""")]
    private static partial Regex CliRouteNames();

    // The console: call('getCluster', ...).
    [GeneratedRegex("""\bcall\('([a-zA-Z]+)'""")]
    private static partial Regex ConsoleRouteNames();

    // A path of the API spelled in a client: "v1/..." or "/clusters", "clusterprofiles/", "/nodepools" and the like
    // (the console's own page addresses, "#/clusters..." and its default '/clusters', and its module files stay).
    [GeneratedRegex("""(v1/|[^#']/(clusters|cloudaccounts|clusterprofiles|nodepools|orphans|regions|events|kubeconfigs?)\b(?!\.js)|(?<![#/])\b(clusters|cloudaccounts|clusterprofiles|nodepools|orphans)/)""")]
    private static partial Regex ApiPath();
}
