using System.Text.Json.Nodes;

namespace PaletteServerless.Cli.Tests;

/// <summary>psctl over a profile's versions: add one with create -f, list them, refuse a repeat, delete one.</summary>
[Collection(PsctlStackCollection.Name)]
public sealed class ProfileVersionTests(PsctlStack stack)
{
    [Fact]
    public async Task Create_adds_a_version_versions_lists_them_with_their_Kubernetes_and_delete_version_removes_one()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "profile-versions");
        var next = Samples.Profile.Replace("version: \"1.0.0\"", "version: \"1.1.0\"", StringComparison.Ordinal)
            .Replace("version: 1.30.4", "version: 1.31.2", StringComparison.Ordinal);
        var added = await user.RunAsync("profiles", "create", "-f", user.File("profile-1.1.0.yaml", next));
        added.ExitCode.Should().Be(0, added.ToString());
        var again = await user.RunAsync("profiles", "create", "-f", user.File("profile-again.yaml", next));
        again.ExitCode.Should().NotBe(0);
        again.Error.Should().Contain("1.1.0");

        var table = await user.RunAsync("profiles", "versions", "ubuntu-k8s");
        table.ExitCode.Should().Be(0, table.ToString());
        table.Out.Should().Contain("KUBERNETES").And.MatchRegex(@"1\.0\.0\s+1\.30\.4").And.MatchRegex(@"1\.1\.0\s+1\.31\.2");
        var json = JsonNode.Parse((await user.RunAsync("profiles", "versions", "ubuntu-k8s", "-o", "json")).Out)!.AsArray();
        json.Select(v => v!["version"]!.GetValue<string>()).Should().Equal("1.0.0", "1.1.0");
        (await user.RunAsync("profiles", "list")).Out.Should().MatchRegex(@"ubuntu-k8s\s+1\.1\.0\s+1\.31\.2");

        var deleted = await user.RunAsync("profiles", "delete-version", "ubuntu-k8s", "1.1.0");
        deleted.ExitCode.Should().Be(0, deleted.ToString());
        JsonNode.Parse((await user.RunAsync("profiles", "versions", "ubuntu-k8s", "-o", "json")).Out)!.AsArray()
            .Select(v => v!["version"]!.GetValue<string>()).Should().Equal("1.0.0");
    }
}
