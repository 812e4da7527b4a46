using System.Text;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// The test process's standard output, line by line, as Lambda sends a function's output to its log group: the
/// in-process functions of the local stack write their log lines there. Every line still goes to the real output.
/// </summary>
public sealed class LogCapture : TextWriter
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly StringBuilder _partial = new();
    private TextWriter? _original;

    public override Encoding Encoding => Encoding.UTF8;

    public void Install()
    {
        _original = Console.Out;
        Console.SetOut(this);
    }

    public void Uninstall()
    {
        if (_original is not null)
            Console.SetOut(_original);
    }

    /// <summary>How many whole lines were written so far: a mark to read the lines written after it.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _lines.Count;
        }
    }

    public IReadOnlyList<string> Since(int mark)
    {
        lock (_gate)
            return _lines.Skip(mark).ToList();
    }

    public override void Write(char value)
    {
        lock (_gate)
            Append(value);
        _original?.Write(value);
    }

    public override void Write(string? value)
    {
        lock (_gate)
            foreach (var c in value ?? "")
                Append(c);
        _original?.Write(value);
    }

    private void Append(char value)
    {
        if (value == '\n')
        {
            _lines.Add(_partial.ToString().TrimEnd('\r'));
            _partial.Clear();
        }
        else
            _partial.Append(value);
    }
}
