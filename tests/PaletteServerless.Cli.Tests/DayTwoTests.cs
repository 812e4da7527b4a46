using System.Text.Json.Nodes;

namespace PaletteServerless.Cli.Tests;

[Collection(PsctlStackCollection.Name)]
public sealed class DayTwoTests(PsctlStack stack)
{
    [Fact]
    public async Task Scale_update_with_its_plan_and_node_pools_change_a_running_cluster_and_wait_until_it_runs_again()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "daytwo");
        (await user.RunAsync("clusters", "create", "-f", user.File("cluster.yaml", Samples.Cluster("cli-day2")), "--wait")).ExitCode.Should().Be(0);

        var pools = await user.RunAsync("nodepools", "list", "cli-day2");
        pools.ExitCode.Should().Be(0, pools.Error);
        pools.Out.Should().Contain("workers").And.Contain("control-plane");

        var scaled = await user.RunAsync("clusters", "scale", "cli-day2", "--pool", "workers", "--count", "3", "--wait");
        scaled.ExitCode.Should().Be(0, scaled.Error);
        scaled.Out.Should().Contain("Updating");
        Pool(await user.RunAsync("nodepools", "list", "cli-day2", "-o", "json"), "workers")!["count"]!.GetValue<int>().Should().Be(3);

        // The plan is shown and nothing happens when the answer is no; --yes applies.
        var patch = user.File("patch.yaml", "tags: {team: day2}\n");
        var declined = await user.RunAsync(["clusters", "update", "cli-day2", "-f", patch], terminal: false, stdin: "n\n");
        declined.ExitCode.Should().Be(0, declined.Error);
        declined.Out.Should().Contain("estimated cost").And.Contain("nothing changed");
        var before = JsonNode.Parse((await user.RunAsync("clusters", "get", "cli-day2", "-o", "json")).Out)!;
        before["tags"]!["team"]!.GetValue<string>().Should().Be("cli");
        var applied = await user.RunAsync("clusters", "update", "cli-day2", "-f", patch, "--yes", "--wait");
        applied.ExitCode.Should().Be(0, applied.Error);
        JsonNode.Parse((await user.RunAsync("clusters", "get", "cli-day2", "-o", "json")).Out)!["tags"]!["team"]!.GetValue<string>().Should().Be("day2");

        var extra = user.File("pool.yaml", "name: extra\ncount: 1\ninstanceType: m5.large\navailabilityZones: [us-east-1a]\n");
        (await user.RunAsync("nodepools", "add", "cli-day2", "-f", extra, "--wait")).ExitCode.Should().Be(0);
        Pool(await user.RunAsync("nodepools", "list", "cli-day2", "-o", "json"), "extra").Should().NotBeNull();
        (await user.RunAsync("nodepools", "delete", "cli-day2", "extra", "--wait")).ExitCode.Should().Be(0);
        Pool(await user.RunAsync("nodepools", "list", "cli-day2", "-o", "json"), "extra").Should().BeNull();

        var last = await user.RunAsync("nodepools", "delete", "cli-day2", "workers");
        last.ExitCode.Should().Be(1);
        last.Error.Should().Contain("last worker pool");

        (await user.RunAsync("clusters", "delete", "cli-day2", "--yes", "--wait")).ExitCode.Should().Be(0);
    }

    private static JsonNode? Pool(PsctlResult list, string name) =>
        JsonNode.Parse(list.Out)!["items"]!.AsArray().FirstOrDefault(p => p!["name"]!.GetValue<string>() == name);
}
