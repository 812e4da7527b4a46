using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Local.StepFunctions.Store;
using PaletteServerless.Manifest;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>
/// The create's node pools (statemachines/provision-cluster.asl.json) as they are: the first poll's wait counts from the
/// launch's start, and the create's end reads the node pools' last poll, which may have made the cluster Running, from the right branch.
/// </summary>
public sealed partial class ProvisionDefinitionTests
{
    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)FunctionArn\}")]
    private static partial Regex FunctionPlaceholder();

    private static JsonObject States() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.StateMachinesDirectory(RepositoryLayout.FindRootOfBinaries()),
            StateMachineCatalog.Provision.DefinitionFile)))!["States"]!.AsObject();

    [Fact]
    public void The_build_reads_running_from_the_node_pools_branch_and_skips_the_targets_step_only_then()
    {
        var states = States();
        var build = states["BuildInParallel"]!.AsObject();
        // A Parallel's result is its branches' outputs in order: the selector must name the node pools' branch,
        // or reordering the branches would read another branch's output (and a missing path fails the create).
        var branches = build["Branches"]!.AsArray();
        var nodePools = branches.Select((b, i) => (Start: b!["StartAt"]!.GetValue<string>(), Index: i)).Single(b => b.Start == "LaunchNodePools").Index;
        build["ResultSelector"]!["running.$"]!.GetValue<string>().Should().Be($"$[{nodePools}].check.running");
        var check = branches[nodePools]!["States"]!["CheckNodePools"]!;
        check["ResultPath"]!.GetValue<string>().Should().Be("$.check");

        var serving = states[build["Next"]!.GetValue<string>()]!.AsObject();
        serving["Type"]!.GetValue<string>().Should().Be("Choice");
        var choice = serving["Choices"]!.AsArray().Single()!;
        (choice["Variable"]!.GetValue<string>(), choice["BooleanEquals"]!.GetValue<bool>(), choice["Next"]!.GetValue<string>())
            .Should().Be(($"{build["ResultPath"]!.GetValue<string>()}.running", true, "Provisioned"));
        serving["Default"]!.GetValue<string>().Should().Be("ControlPlaneTargets");
        states["Provisioned"]!["Type"]!.GetValue<string>().Should().Be("Succeed");
    }

    private static JsonObject NodePoolsBranch() =>
        States()["BuildInParallel"]!["Branches"]!.AsArray().Single(b => b!["StartAt"]!.GetValue<string>() == "LaunchNodePools")!.AsObject();

    [Fact]
    public async Task The_first_poll_comes_its_wait_after_the_launch_began_however_long_the_launch_takes()
    {
        var branch = NodePoolsBranch();
        var launch = branch["States"]!["LaunchNodePools"]!;
        var wait = launch["Branches"]!.AsArray().Select(b => b!["States"]!.AsObject()).Single(s => s.ContainsKey("WaitForNodePools"))["WaitForNodePools"]!;
        var waitSeconds = wait["Seconds"]!.GetValue<int>();
        var definition = FunctionPlaceholder().Replace(branch.ToJsonString(), m => EngineHarness.FunctionArn("Provision" + m.Groups[1].Value));
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        await using var harness = new EngineHarness(clock);
        foreach (var step in new[] { "NodePools", "NodePoolsCheck" })
            harness.Lambda.Register(EngineHarness.FunctionArn("Provision" + step), $"{TestFunctions.Assembly}::{typeof(ProvisionSteps).FullName}::{step}");
        ProvisionSteps.Reset();
        var started = await harness.StartAsync(definition, """{"polls":{"n":0}}""");
        bool Polled(IReadOnlyList<HistoryEvent> history) => history.Count(e => e.Type == "LambdaFunctionScheduled") == 2;

        // A large pool's launches take a minute.
        await harness.WaitForHistoryAsync(started.ExecutionArn, h => h.Any(e => e.Type == "LambdaFunctionScheduled"));
        await Task.Delay(20);
        clock.Advance(TimeSpan.FromSeconds(60));
        ProvisionSteps.LaunchesDone.Release();
        await harness.WaitForHistoryAsync(started.ExecutionArn, h => h.Any(e => e.Type == "LambdaFunctionSucceeded"));
        clock.Advance(TimeSpan.FromSeconds(waitSeconds - 60 - 1));
        await Task.Delay(30);
        Polled(await harness.Engine.GetHistoryAsync(started.ExecutionArn, default)).Should().BeFalse("the first control plane cannot have applied its packs yet");
        clock.Advance(TimeSpan.FromSeconds(1));
        await harness.WaitForHistoryAsync(started.ExecutionArn, Polled);

        var done = await harness.Engine.WaitForCompletionAsync(started.ExecutionArn, new CancellationTokenSource(5000).Token);
        done!.Status.Should().Be(ExecutionStatus.Succeeded, done.Cause);
        var scheduled = (await harness.Engine.GetHistoryAsync(started.ExecutionArn, default)).Where(e => e.Type == "LambdaFunctionScheduled").Select(e => e.Timestamp).ToList();
        (scheduled[1] - scheduled[0]).TotalSeconds.Should().Be(waitSeconds, "the wait runs beside the launch, not after it");
        waitSeconds.Should().BeInRange(195, 205, "the first control plane applies its packs about 3 min 15 s after its launch, the launch step's first");
    }
}

/// <summary>Scripted node-pool steps: the launch returns when the test says; the first poll finds every node ready.</summary>
public sealed class ProvisionSteps
{
    public static SemaphoreSlim LaunchesDone { get; private set; } = new(0);

    public static void Reset() => LaunchesDone = new SemaphoreSlim(0);

    public async Task<Stream> NodePools(Stream input)
    {
        await LaunchesDone.WaitAsync(TimeSpan.FromSeconds(10));
        return Output("""{"done":true}""");
    }

    public Task<Stream> NodePoolsCheck(Stream input) => Task.FromResult(Output("""{"ready":true,"running":true}"""));

    private static Stream Output(string json) => new MemoryStream(Encoding.UTF8.GetBytes(json));
}
