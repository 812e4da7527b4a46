using System.Text.Json.Nodes;
using PaletteServerless.Manifest;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>The create's end: the node pools' last poll may have made the cluster Running, and the workflow reads that from the right branch.</summary>
public sealed class ProvisionDefinitionTests
{
    private static JsonObject States() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.StateMachinesDirectory(RepositoryLayout.FindRootOfBinaries()),
            StateMachineCatalog.Provision.DefinitionFile)))!["States"]!.AsObject();

    [Fact]
    public void The_build_reads_running_from_the_node_pools_branch_and_skips_the_targets_step_only_then()
    {
        var states = States();
        var build = states["BuildInParallel"]!.AsObject();
        // A Parallel's result is its branches' outputs in order: the selector must name the nodes' check branch,
        // or reordering the branches would read another branch's output (and a missing path fails the create).
        var branches = build["Branches"]!.AsArray();
        var nodePools = branches.Select((b, i) => (Start: b!["StartAt"]!.GetValue<string>(), Index: i)).Single(b => b.Start == "WaitForNodePools").Index;
        build["ResultSelector"]!["running.$"]!.GetValue<string>().Should().Be($"$[{nodePools}].check.running");
        var check = branches[nodePools]!["States"]!["CheckNodePools"]!;
        check["ResultPath"]!.GetValue<string>().Should().Be("$.check");
        // The workers launch in a branch of their own, beside the check's first wait (which counts from the build's start).
        var launch = branches.Single(b => b!["StartAt"]!.GetValue<string>() == "CreateNodePools")!["States"]!.AsObject();
        launch.Select(p => p.Key).Should().Equal("CreateNodePools");
        launch["CreateNodePools"]!["End"]!.GetValue<bool>().Should().BeTrue();

        var serving = states[build["Next"]!.GetValue<string>()]!.AsObject();
        serving["Type"]!.GetValue<string>().Should().Be("Choice");
        var choice = serving["Choices"]!.AsArray().Single()!;
        (choice["Variable"]!.GetValue<string>(), choice["BooleanEquals"]!.GetValue<bool>(), choice["Next"]!.GetValue<string>())
            .Should().Be(($"{build["ResultPath"]!.GetValue<string>()}.running", true, "Provisioned"));
        serving["Default"]!.GetValue<string>().Should().Be("ControlPlaneTargets");
        states["Provisioned"]!["Type"]!.GetValue<string>().Should().Be("Succeed");
    }
}
