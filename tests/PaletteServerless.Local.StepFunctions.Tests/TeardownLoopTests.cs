using System.Text.Json.Nodes;
using PaletteServerless.Manifest;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>
/// The delete and the rollback of a failed create run one teardown loop: each workflow's copy is the
/// manifest's canonical block under its own state names, plus only what the block leaves to the workflow.
/// </summary>
public sealed class TeardownLoopTests
{
    private static readonly string Directory = RepositoryLayout.StateMachinesDirectory(RepositoryLayout.FindRootOfBinaries());

    public static TheoryData<string> Uses()
    {
        var data = new TheoryData<string>();
        foreach (var use in StateMachineTeardownLoop.Uses)
            data.Add(use.DefinitionFile);
        return data;
    }

    [Theory]
    [MemberData(nameof(Uses))]
    public void The_workflow_runs_the_canonical_teardown_loop(string file)
    {
        var use = StateMachineTeardownLoop.Uses.Single(u => u.DefinitionFile == file);
        var states = JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, file)))!["States"]!.AsObject();
        var canonical = JsonNode.Parse(StateMachineTeardownLoop.States(use))!.AsObject();

        foreach (var (name, expected) in canonical)
        {
            states.ContainsKey(name).Should().BeTrue($"{file} has no state {name}");
            var actual = states[name]!.DeepClone().AsObject();
            actual.Remove("Comment");
            if (name == use.Pass)
            {
                foreach (var field in StateMachineTeardownLoop.PassFieldsOfTheWorkflow)
                    actual.Remove(field);
            }
            if (name == use.Check)
            {
                // The workflow's own Choices come after the canonical ones.
                var choices = actual["Choices"]!.AsArray();
                var canonicalCount = expected!["Choices"]!.AsArray().Count;
                choices.Count.Should().BeGreaterThanOrEqualTo(canonicalCount, $"{file}: {name}");
                while (choices.Count > canonicalCount)
                    choices.RemoveAt(choices.Count - 1);
            }
            JsonNode.DeepEquals(actual, expected).Should().BeTrue(
                $"{file}: state {name} must be the canonical teardown loop's (StateMachineTeardownLoop), but is {states[name]!.ToJsonString()}");
        }
    }
}
