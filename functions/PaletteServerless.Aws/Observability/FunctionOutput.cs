namespace PaletteServerless.Aws.Observability;

/// <summary>
/// Where a function's log lines go. Under Lambda's JSON log format (AWS_LAMBDA_LOG_FORMAT=JSON, which the
/// product stack sets) the .NET managed runtime routes <see cref="Console.Out"/> through its own logger and
/// wraps each line as the <c>message</c> string of a JSON object of its own; our lines are already JSON objects
/// with Lambda's fields, and CloudWatch extracts embedded metrics only from a log event that is itself the
/// metric document. So under that format the lines go straight to the process's standard output stream, which
/// Lambda forwards to the log group as they are; otherwise (text format, tests, the local stack) to
/// <see cref="Console.Out"/>, wherever it is pointed.
/// </summary>
public static class FunctionOutput
{
    private static readonly Lazy<TextWriter> StandardOutput = new(() =>
        TextWriter.Synchronized(new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true }));

    public static TextWriter Writer =>
        string.Equals(Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_FORMAT"), "JSON", StringComparison.OrdinalIgnoreCase)
            ? StandardOutput.Value
            : Console.Out;
}
