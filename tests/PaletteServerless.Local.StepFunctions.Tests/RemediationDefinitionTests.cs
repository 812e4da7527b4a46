using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Store;
using PaletteServerless.Manifest;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>
/// The remediation workflow (statemachines/remediate-cluster.asl.json) as it is, over scripted steps: one pass works on
/// every replacement it was handed side by side, a replacement that stops ends only itself (and the run after the pass),
/// and an update or a delete that wins in one replacement ends the run through its yield.
/// </summary>
public sealed partial class RemediationDefinitionTests
{
    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)FunctionArn\}")]
    private static partial Regex FunctionPlaceholder();

    private static readonly string[] Steps = ["CheckNodes", "LaunchReplacement", "ReplacementReady", "RetireNode", "FinishRemediation"];

    private static string Definition()
    {
        var definition = JObject.Parse(FunctionPlaceholder().Replace(
            File.ReadAllText(Path.Combine(RepositoryLayout.StateMachinesDirectory(RepositoryLayout.FindRootOfBinaries()), StateMachineCatalog.Remediate.DefinitionFile)),
            m => EngineHarness.FunctionArn(m.Groups[1].Value)));
        // The harness runs time a million times faster: the run's week would be over in under a second of real time.
        definition.Remove("TimeoutSeconds");
        return definition.ToString();
    }

    private static Task<(ExecutionRecord Execution, IReadOnlyList<(string Step, JToken Input)> Calls)> RunAsync(params string[] oldInstanceIds) =>
        RunAsync(0, oldInstanceIds);

    private static async Task<(ExecutionRecord Execution, IReadOnlyList<(string Step, JToken Input)> Calls)> RunAsync(int requestsAtEnd, params string[] oldInstanceIds)
    {
        RemediationSteps.Reset(oldInstanceIds, requestsAtEnd);
        await using var harness = new EngineHarness();
        foreach (var step in Steps)
            harness.Lambda.Register(EngineHarness.FunctionArn(step), $"{TestFunctions.Assembly}::{typeof(RemediationSteps).FullName}::{step}");
        var machine = await harness.CreateMachineAsync(Definition());
        var started = await harness.Engine.StartExecutionAsync(machine, null,
            """{"tenant":"acme","project":"demo","cluster":"demo","uid":"u1","execution":"arn:run-1"}""", CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var finished = (await harness.Engine.WaitForCompletionAsync(started.ExecutionArn, timeout.Token))!;
        return (finished, [.. RemediationSteps.Calls]);
    }

    private static IEnumerable<string> Old(IEnumerable<(string Step, JToken Input)> calls, string step) =>
        calls.Where(c => c.Step == step).Select(c => (string)c.Input["remediation"]!["replacement"]!["oldInstanceId"]!);

    [Fact]
    public async Task One_pass_launches_every_replacement_before_any_is_Ready_then_judges_the_nodes_again()
    {
        // Each scripted replacement reports Ready only once every replacement of the pass was launched: one after the
        // other, the first would wait for ever.
        var (execution, calls) = await RunAsync("i-w1", "i-w2", "i-w3");

        execution.Status.Should().Be(ExecutionStatus.Succeeded, execution.Cause);
        Old(calls, "LaunchReplacement").Should().BeEquivalentTo(["i-w1", "i-w2", "i-w3"]);
        Old(calls, "RetireNode").Should().BeEquivalentTo(["i-w1", "i-w2", "i-w3"]);
        calls.Count(c => c.Step == "CheckNodes").Should().Be(2, "after the pass the nodes are judged again, and found healthy");
        var finish = calls.Single(c => c.Step == "FinishRemediation").Input;
        ((int)finish["passes"]!["n"]!, (int)finish["passes"]!["replaced"]!).Should().Be((1, 3));
        finish["passes"]!["startedAt"].Should().NotBeNull("the run's start survives the passes, for its duration metric");
        finish["error"].Should().BeNull();
    }

    [Fact]
    public async Task A_replacement_without_capacity_ends_only_itself_and_the_run_ends_after_the_pass()
    {
        var (execution, calls) = await RunAsync("i-short", "i-w2");

        execution.Status.Should().Be(ExecutionStatus.Succeeded, execution.Cause);
        Old(calls, "RetireNode").Should().Equal("i-w2");
        calls.Count(c => c.Step == "CheckNodes").Should().Be(1, "no tight loop: the periodic check tries again in minutes");
        calls.Single(c => c.Step == "FinishRemediation").Input["error"].Should().BeNull();
    }

    [Fact]
    public async Task A_request_that_came_in_during_the_run_makes_its_end_judge_the_nodes_again_in_the_same_run()
    {
        var (execution, calls) = await RunAsync(requestsAtEnd: 1, "i-w1");

        execution.Status.Should().Be(ExecutionStatus.Succeeded, execution.Cause);
        calls.Select(c => c.Step).Where(s => s is "CheckNodes" or "FinishRemediation")
            .Should().Equal("CheckNodes", "CheckNodes", "FinishRemediation", "CheckNodes", "FinishRemediation");
        var last = calls.Last(c => c.Step == "FinishRemediation").Input;
        ((int)last["passes"]!["n"]!, (int)last["passes"]!["replaced"]!).Should().Be((2, 1), "the extra judgement is a pass; nothing more was handed out");
    }

    [Fact]
    public async Task A_delete_seen_by_one_replacement_ends_the_run_through_its_yield()
    {
        var (execution, calls) = await RunAsync("i-deleting", "i-w2");

        execution.Status.Should().Be(ExecutionStatus.Succeeded, execution.Cause);
        var finish = calls.Single(c => c.Step == "FinishRemediation").Input;
        ((string)finish["error"]!["Error"]!).Should().Be(nameof(ClusterStateChangedException));
        JObject.Parse(execution.Output!)["finishError"].Should().BeNull();
        Old(calls, "RetireNode").Should().NotContain("i-deleting");
    }
}

/// <summary>The error the product's steps raise when an update or a delete owns the cluster (its name is what the workflow catches).</summary>
public sealed class ClusterStateChangedException(string message) : Exception(message);

/// <summary>
/// Scripted remediation steps: CheckNodes hands on the replacements once, LaunchReplacement finds no capacity for
/// "i-short" and sees a delete for "i-deleting", and a replacement is Ready once every one of the pass was launched.
/// </summary>
public sealed class RemediationSteps
{
    private static string[] _replacements = [];
    private static int _requestsAtEnd;
    public static readonly ConcurrentQueue<(string Step, JToken Input)> Calls = new();
    private static readonly ConcurrentDictionary<string, bool> Launched = new();

    public static void Reset(string[] oldInstanceIds, int requestsAtEnd = 0)
    {
        _replacements = oldInstanceIds;
        _requestsAtEnd = requestsAtEnd;
        Calls.Clear();
        Launched.Clear();
    }

    private static JToken Read(Stream input, string step)
    {
        using var reader = new StreamReader(input, Encoding.UTF8);
        var token = JToken.Parse(reader.ReadToEnd());
        Calls.Enqueue((step, token));
        return token;
    }

    private static Task<Stream> Write(JToken output) =>
        Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(output.ToString(Newtonsoft.Json.Formatting.None))));

    public Task<Stream> CheckNodes(Stream input)
    {
        var pass = (int)Read(input, nameof(CheckNodes))["passes"]!["n"]!;
        return pass > 0
            ? Write(new JObject { ["done"] = true })
            : Write(new JObject
            {
                ["done"] = false,
                ["replacements"] = new JArray(_replacements.Select(id => new JObject
                {
                    ["pool"] = "workers", ["role"] = "worker", ["oldInstanceId"] = id, ["reason"] = "gone", ["launch"] = true, ["zones"] = new JArray("us-east-1a"),
                })),
            });
    }

    public Task<Stream> LaunchReplacement(Stream input)
    {
        var replacement = (JObject)Read(input, nameof(LaunchReplacement))["remediation"]!["replacement"]!;
        var old = (string)replacement["oldInstanceId"]!;
        if (old == "i-deleting")
            throw new ClusterStateChangedException("cluster demo is Deleting, not Running");
        Launched[old] = true;
        if (old == "i-short")
            return Write(new JObject { ["done"] = true });
        replacement["newInstanceId"] = "new-" + old;
        return Write(new JObject { ["done"] = false, ["replacement"] = replacement, ["waitSeconds"] = 1 });
    }

    public async Task<Stream> ReplacementReady(Stream input)
    {
        var replacement = Read(input, nameof(ReplacementReady))["remediation"]!["replacement"]!;
        // Waits (in real time, which the harness does not scale) for the pass's other launches, so the polls of a
        // replacement launched first are not used up before the last one starts.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!_replacements.All(Launched.ContainsKey) && DateTime.UtcNow < deadline)
            await Task.Delay(5);
        var all = _replacements.All(Launched.ContainsKey);
        return await Write(new JObject { ["ready"] = all, ["done"] = false, ["replacement"] = replacement, ["waitSeconds"] = 1 });
    }

    public Task<Stream> RetireNode(Stream input)
    {
        Read(input, nameof(RetireNode));
        return Write(new JObject { ["done"] = false });
    }

    public Task<Stream> FinishRemediation(Stream input)
    {
        // As RemediationLock.FinishAsync: requests that came in during the run keep the lock for one more judgement.
        Read(input, nameof(FinishRemediation));
        var again = Interlocked.Decrement(ref _requestsAtEnd) >= 0;
        return Write(new JObject { ["ready"] = true, ["done"] = !again });
    }
}
