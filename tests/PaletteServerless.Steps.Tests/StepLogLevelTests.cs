namespace PaletteServerless.Steps.Tests;

/// <summary>Which lines the functions write at the log level Lambda's AWS_LAMBDA_LOG_LEVEL asks for.</summary>
public sealed class StepLogLevelTests
{
    [Theory]
    [InlineData("INFO", null, true)]
    [InlineData("INFO", "INFO", true)]
    [InlineData("INFO", "warn", false)]
    [InlineData("WARN", "WARN", true)]
    [InlineData("WARN", "ERROR", false)]
    [InlineData("DEBUG", "INFO", false)]
    [InlineData("ERROR", "DEBUG", true)]
    public void A_line_is_written_from_the_asked_level_up(string level, string? minimum, bool written) =>
        StepLog.IsEnabled(level, minimum).Should().Be(written);
}
