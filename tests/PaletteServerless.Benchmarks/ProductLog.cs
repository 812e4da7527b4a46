namespace PaletteServerless.Benchmarks;

/// <summary>
/// The product's functions run in this process and log to the console (a 500 prints its stack
/// trace, as in CloudWatch). During a benchmark their lines go to a log file, so the console
/// shows the figures only; <see cref="Report"/> is the console.
/// </summary>
public sealed class ProductLog : IDisposable
{
    private readonly TextWriter _originalOut = Console.Out;
    private readonly TextWriter _originalError = Console.Error;
    private readonly StreamWriter _file;

    public ProductLog(string path)
    {
        Path = path;
        _file = new StreamWriter(path) { AutoFlush = true };
        var synchronized = TextWriter.Synchronized(_file);
        Console.SetOut(synchronized);
        Console.SetError(synchronized);
        Report = TextWriter.Synchronized(_originalOut);
    }

    public string Path { get; }
    public TextWriter Report { get; }

    public void Dispose()
    {
        Console.SetOut(_originalOut);
        Console.SetError(_originalError);
        _file.Dispose();
    }
}
