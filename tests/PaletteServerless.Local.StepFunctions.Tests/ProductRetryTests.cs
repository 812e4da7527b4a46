using System.Text.Json.Nodes;
using PaletteServerless.Manifest;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>
/// The product's workflows retry in one of the manifest's canonical ways, and name only errors that
/// can happen: Step Functions' own (States.*), the Lambda service's, or an exception of our
/// assemblies by its short type name, which is the errorType the .NET Lambda runtime reports.
/// </summary>
public sealed class ProductRetryTests
{
    private static readonly string Directory = RepositoryLayout.StateMachinesDirectory(RepositoryLayout.FindRootOfBinaries());

    /// <summary>Short names of every exception type in the product assemblies (domain, AWS adapters, steps, API).</summary>
    private static readonly HashSet<string> ProductExceptions =
        new[] { typeof(global::PaletteServerless.Domain.Provisioning.TransientCloudException), typeof(global::PaletteServerless.Aws.Configuration.FunctionSettings), typeof(global::PaletteServerless.Steps.StepRuntime), typeof(global::PaletteServerless.Api.ApiFunction) }
            .Select(t => t.Assembly)
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(Exception).IsAssignableFrom(t))
            .Select(t => t.Name)
            .ToHashSet(StringComparer.Ordinal);

    private static readonly IReadOnlyList<JsonNode> Canonical =
        StateMachineRetries.Named.Values.Select(block => JsonNode.Parse(block)!).ToList();

    public static TheoryData<string> Definitions()
    {
        var data = new TheoryData<string>();
        foreach (var machine in StateMachineCatalog.All)
            data.Add(machine.DefinitionFile);
        return data;
    }

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Every_task_retries_with_exactly_one_canonical_block(string file)
    {
        var tasks = States(Load(file)).Where(s => s.State["Type"]!.GetValue<string>() == "Task").ToList();

        tasks.Should().NotBeEmpty();
        foreach (var (name, state) in tasks)
        {
            var retry = state["Retry"];
            retry.Should().NotBeNull($"{file}: task {name} has no Retry");
            Canonical.Count(block => JsonNode.DeepEquals(block, retry)).Should().Be(1,
                $"{file}: task {name}'s Retry must be one of the canonical blocks ({string.Join(", ", StateMachineRetries.Named.Keys)}) verbatim");
        }
    }

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Every_error_a_retry_or_catch_names_is_one_that_can_be_raised(string file)
    {
        var machine = Load(file);
        foreach (var (name, state) in States(machine))
        {
            var handlers = (state["Retry"]?.AsArray() ?? []).Concat(state["Catch"]?.AsArray() ?? []);
            foreach (var error in handlers.SelectMany(h => h!["ErrorEquals"]!.AsArray()).Select(e => e!.GetValue<string>()))
            {
                var known = error.StartsWith("States.", StringComparison.Ordinal)
                    || StateMachineRetries.LambdaServiceErrors.Contains(error)
                    || error == StateMachineRetries.LambdaTimeoutError
                    || ProductExceptions.Contains(error);
                known.Should().BeTrue($"{file}: state {name} names error '{error}', which neither Step Functions, Lambda nor our code raises");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Definitions))]
    public void A_Fail_state_means_failure_no_Catch_turns_its_error_into_anything_else(string file)
    {
        var machine = Load(file);
        var failErrors = States(machine).Where(s => s.State["Type"]!.GetValue<string>() == "Fail")
            .Select(s => s.State["Error"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, state) in States(machine))
        {
            var caught = (state["Catch"]?.AsArray() ?? []).SelectMany(c => c!["ErrorEquals"]!.AsArray()).Select(e => e!.GetValue<string>());
            caught.Where(failErrors.Contains).Should().BeEmpty($"{file}: state {name} catches the error of a Fail state; a success ends in a Succeed state");
        }
    }

    [Fact]
    public void The_canonical_blocks_name_only_known_errors()
    {
        ProductExceptions.Should().Contain(["TransientCloudException", "ClusterStateChangedException"]);
        foreach (var block in Canonical)
        {
            foreach (var error in block.AsArray().SelectMany(r => r!["ErrorEquals"]!.AsArray()).Select(e => e!.GetValue<string>()))
                (error.StartsWith("States.", StringComparison.Ordinal) || StateMachineRetries.LambdaServiceErrors.Contains(error)
                    || error == StateMachineRetries.LambdaTimeoutError || ProductExceptions.Contains(error)).Should().BeTrue(error);
        }
    }

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Every_Fail_state_names_its_error_and_its_cause(string file)
    {
        foreach (var (name, state) in States(Load(file)).Where(s => s.State["Type"]!.GetValue<string>() == "Fail"))
        {
            state["Error"]?.GetValue<string>().Should().NotBeNullOrEmpty($"{file}: Fail state {name} names no Error");
            state["Cause"]?.GetValue<string>().Should().NotBeNullOrEmpty($"{file}: Fail state {name} gives no Cause");
        }
    }

    private static JsonObject Load(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, file)))!.AsObject();

    /// <summary>Every state, those of Parallel branches and Map processors included.</summary>
    private static IEnumerable<(string Name, JsonObject State)> States(JsonObject machine)
    {
        foreach (var (name, node) in machine["States"]!.AsObject())
        {
            var state = node!.AsObject();
            yield return (name, state);
            var nested = (state["Branches"]?.AsArray().Select(b => b!.AsObject()) ?? [])
                .Concat(new[] { state["ItemProcessor"], state["Iterator"] }.OfType<JsonObject>());
            foreach (var inner in nested.SelectMany(States))
                yield return inner;
        }
    }
}
