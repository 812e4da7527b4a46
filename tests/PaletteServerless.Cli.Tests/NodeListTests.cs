using System.Text.Json.Nodes;

namespace PaletteServerless.Cli.Tests;

[Collection(PsctlStackCollection.Name)]
public sealed class NodeListTests(PsctlStack stack)
{
    [Fact]
    public async Task Nodepools_list_with_nodes_prints_a_table_per_pool_with_each_node_as_EC2_describes_it()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "nodelist");
        var created = await user.RunAsync("clusters", "create", "-f", user.File("cluster.yaml", Samples.Cluster("cli-nodes")), "--wait");
        created.ExitCode.Should().Be(0, created.Error);

        var json = await user.RunAsync("nodepools", "list", "cli-nodes", "-o", "json");
        json.ExitCode.Should().Be(0, json.Error);
        var listing = JsonNode.Parse(json.Out)!["nodes"]!;
        listing["source"]!.GetValue<string>().Should().Be("ec2");
        string[] Ids(string pool) => [.. listing["pools"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == pool)!["nodes"]!.AsArray()
            .Select(n => n!["instanceId"]!.GetValue<string>())];
        Ids("cp").Should().ContainSingle();
        Ids("workers").Should().HaveCount(2);

        var tables = await user.RunAsync("nodepools", "list", "cli-nodes", "--nodes");
        tables.ExitCode.Should().Be(0, tables.Error);
        tables.Out.Should().Contain("POOL cp: 1 node(s)").And.Contain("POOL workers: 2 node(s)").And.Contain("PHASE");
        var lines = tables.Out.Split('\n');
        foreach (var id in Ids("cp").Concat(Ids("workers")))
        {
            // A Running cluster's nodes run, in the pool's zone and type, and have reported themselves Ready (or past it).
            var row = lines.Should().ContainSingle(l => l.Contains(id)).Which;
            row.Should().Contain("running").And.Contain("us-east-1a").And.Contain("m5.large").And.Contain("on-demand");
            row.Should().Match(r => r.Contains(" Ready ") || r.Contains(" PacksApplied "));
        }
        // The workers' table comes after the control plane's.
        tables.Out.IndexOf(Ids("workers")[0], StringComparison.Ordinal).Should().BeGreaterThan(tables.Out.IndexOf("POOL workers", StringComparison.Ordinal));

        // describe shows each node under its pool.
        var describe = await user.RunAsync("clusters", "describe", "cli-nodes");
        describe.ExitCode.Should().Be(0, describe.Error);
        foreach (var id in Ids("workers"))
            describe.Out.Should().MatchRegex($@"{id}  us-east-1a  m5\.large  running  (Ready|PacksApplied)");
        describe.Out.IndexOf(Ids("workers")[0], StringComparison.Ordinal).Should().BeGreaterThan(describe.Out.IndexOf("workers  worker", StringComparison.Ordinal));

        var plain = await user.RunAsync("nodepools", "list", "cli-nodes");
        plain.Out.Should().NotContain(Ids("cp")[0]);

        (await user.RunAsync("clusters", "delete", "cli-nodes", "--yes", "--wait")).ExitCode.Should().Be(0);
    }
}
