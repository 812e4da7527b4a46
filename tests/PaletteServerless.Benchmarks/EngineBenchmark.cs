using System.Diagnostics;
using System.Globalization;
using System.Text;
using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Execution;
using PaletteServerless.Local.StepFunctions.Resources;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Benchmarks;

/// <summary>
/// State transitions per second of the local Step Functions engine (in-memory store) for a chain
/// of 10,000 Pass states and for a Map over 1,000 items, and the process's peak working set.
/// The last line is a JSON object of the figures.
/// </summary>
public static class EngineBenchmark
{
    public const string Description = "local Step Functions engine: transitions/s for 10,000 Pass states and a Map over 1,000 items";

    public static async Task<int> RunAsync(string[] args)
    {
        // A small run first, so that JIT compilation is not measured.
        await MeasureAsync("warm-up-chain", PassChain(100), "{}", transitions: 100);
        await MeasureAsync("warm-up-map", MapOver(), JsonItems(10), transitions: 21);

        var chainDefinition = PassChain(10_000);
        var parse = Stopwatch.StartNew();
        PaletteServerless.Local.StepFunctions.Language.StateMachineDefinition.Parse(chainDefinition);
        parse.Stop();
        var chain = await MeasureAsync("pass-chain", chainDefinition, "{}", transitions: 10_000);
        var map = await MeasureAsync("map", MapOver(), JsonItems(1_000), transitions: 1 + 1_000 * 2);
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;

        Console.WriteLine($"pass chain: {chain.Transitions} transitions in {chain.Seconds:F3} s = {chain.PerSecond:F0} transitions/s");
        Console.WriteLine($"map:        {map.Transitions} transitions in {map.Seconds:F3} s = {map.PerSecond:F0} transitions/s");
        Console.WriteLine($"parsing the 10,000-state definition: {parse.Elapsed.TotalSeconds:F3} s (included in the chain's time once more)");
        Console.WriteLine($"peak working set: {peak / (1024.0 * 1024.0):F1} MiB");
        Console.WriteLine(new JObject
        {
            ["passChainTransitionsPerSecond"] = Math.Round(chain.PerSecond),
            ["passChainSeconds"] = Math.Round(chain.Seconds, 3),
            ["passChainDefinitionParseSeconds"] = Math.Round(parse.Elapsed.TotalSeconds, 3),
            ["mapTransitionsPerSecond"] = Math.Round(map.PerSecond),
            ["mapSeconds"] = Math.Round(map.Seconds, 3),
            ["peakWorkingSetBytes"] = peak,
        }.ToString(Newtonsoft.Json.Formatting.None));
        return 0;
    }

    private sealed record Figures(int Transitions, double Seconds)
    {
        public double PerSecond => Transitions / Seconds;
    }

    private static async Task<Figures> MeasureAsync(string name, string definition, string input, int transitions)
    {
        var store = new InMemoryExecutionStore();
        await using var engine = new StepFunctionsEngine(store, new TaskResourceRegistry(), TimeProvider.System);
        var machine = new StateMachineRecord($"arn:aws:states:us-east-1:000000000000:stateMachine:{name}", name, definition,
            "arn:aws:iam::000000000000:role/benchmark", "STANDARD", DateTimeOffset.UtcNow);
        var watch = Stopwatch.StartNew();
        var started = await engine.StartExecutionAsync(machine, "run", input, CancellationToken.None);
        var done = await engine.WaitForCompletionAsync(started.ExecutionArn, CancellationToken.None);
        watch.Stop();
        if (done?.Status != ExecutionStatus.Succeeded)
            throw new InvalidOperationException($"{name} ended {done?.Status}: {done?.Error} {done?.Cause}");
        return new Figures(transitions, watch.Elapsed.TotalSeconds);
    }

    private static string PassChain(int length)
    {
        var states = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var next = i == length - 1 ? "\"End\":true" : $"\"Next\":\"P{i + 1}\"";
            states.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ",")}\"P{i}\":{{\"Type\":\"Pass\",{next}}}");
        }
        return $"{{\"StartAt\":\"P0\",\"States\":{{{states}}}}}";
    }

    private static string MapOver() => """
        {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
          "ItemProcessor":{"StartAt":"Double","States":{
            "Double":{"Type":"Pass","Parameters":{"value.$":"States.MathAdd($.n, $.n)"},"Next":"Done"},
            "Done":{"Type":"Succeed"}}},"End":true}}}
        """;

    private static string JsonItems(int count) =>
        new JObject { ["items"] = new JArray(Enumerable.Range(0, count).Select(i => new JObject { ["n"] = i })) }.ToString(Newtonsoft.Json.Formatting.None);
}
