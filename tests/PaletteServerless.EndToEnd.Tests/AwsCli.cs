using System.Text.Json;
using PaletteServerless.Testing;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>The real AWS CLI against a local stack endpoint; the command must succeed.</summary>
public static class AwsCli
{
    public static async Task<JsonElement> RunAsync(Uri endpoint, params string[] arguments)
    {
        var result = await AwsCliProcess.RunAsync(endpoint.ToString(), "000000000000", arguments, maxAttempts: null, TimeSpan.FromSeconds(90));
        result.ExitCode.Should().Be(0, $"aws {string.Join(' ', arguments)} said: {result.StandardError}");
        return result.Json;
    }
}
