using System.Text;

namespace PaletteServerless.Cli.Output;

/// <summary>
/// Drops the spaces at the end of each line: Spectre pads every table cell to the column's width,
/// which on a pipe only gets in the way of grep, diff and awk.
/// </summary>
public sealed class TrailingSpaceTrimmer(TextWriter inner) : TextWriter
{
    private int pendingSpaces;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        switch (value)
        {
            case ' ':
                pendingSpaces++;
                break;
            case '\n':
            case '\r':
                pendingSpaces = 0;
                inner.Write(value);
                break;
            default:
                if (pendingSpaces > 0)
                {
                    inner.Write(new string(' ', pendingSpaces));
                    pendingSpaces = 0;
                }
                inner.Write(value);
                break;
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "")
            Write(c);
    }

    public override void Flush() => inner.Flush();
}
