using System.Globalization;

namespace PaletteServerless.Benchmarks;

/// <summary>"--name value" and "--flag" options of a benchmark command line.</summary>
public sealed class BenchmarkOptions
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    private BenchmarkOptions()
    {
    }

    /// <summary>Reads the arguments; an option not in <paramref name="known"/> is an error (message returned).</summary>
    public static BenchmarkOptions Parse(string[] args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags, out string? error)
    {
        var options = new BenchmarkOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (flags.Contains(name))
                options._values[name] = null;
            else if (valued.Contains(name) && i + 1 < args.Length)
                options._values[name] = args[++i];
            else
            {
                error = valued.Contains(name) ? $"{name} needs a value" : $"unknown option {name}";
                return options;
            }
        }
        return options;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var text) && text is not null ? PositiveInt(name, text) : fallback;

    public double Double(string name, double fallback) =>
        _values.TryGetValue(name, out var text) && text is not null
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : throw new ArgumentException($"{name} must be a positive number, not '{text}'")
            : fallback;

    private static int PositiveInt(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : throw new ArgumentException($"{name} must be a positive integer, not '{text}'");
}
