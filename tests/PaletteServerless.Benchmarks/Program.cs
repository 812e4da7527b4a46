// Benchmarks print figures; they are commands, never timed assertions in tests.
// Usage: dotnet run -c Release --project tests/PaletteServerless.Benchmarks -- <name> [options]
namespace PaletteServerless.Benchmarks;

public static class Program
{
    // One entry per benchmark: name -> (what it measures, how to run it).
    private static readonly Dictionary<string, (string Description, Func<string[], Task<int>> Run)> Benchmarks = new()
    {
        ["engine"] = (EngineBenchmark.Description, EngineBenchmark.RunAsync),
        ["large"] = (LargeBenchmark.Description, LargeBenchmark.RunAsync),
        ["localaws"] = (LocalAwsBenchmark.Description, LocalAwsBenchmark.RunAsync),
        ["provision"] = (ProvisionBenchmark.Description, ProvisionBenchmark.RunAsync),
        ["soak"] = (SoakBenchmark.Description, SoakBenchmark.RunAsync),
        ["update"] = (UpdateBenchmark.Description, UpdateBenchmark.RunAsync),
    };

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || !Benchmarks.TryGetValue(args[0], out var benchmark))
        {
            Console.Error.WriteLine("usage: PaletteServerless.Benchmarks <benchmark> [options]");
            foreach (var (name, entry) in Benchmarks)
                Console.Error.WriteLine($"  {name,-12} {entry.Description}");
            return args.Length == 0 ? 2 : 64;
        }
        return await benchmark.Run(args[1..]);
    }
}
