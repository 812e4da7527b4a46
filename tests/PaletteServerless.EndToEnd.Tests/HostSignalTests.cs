namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// The local stack host as a real process under real signals: Ctrl+C (SIGINT to its process group)
/// and SIGTERM stop it cleanly, and its dynalite child never outlives it, even when it is SIGKILLed.
/// </summary>
public sealed class HostSignalTests : IDisposable
{
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(15);
    private readonly string _data = Directory.CreateTempSubdirectory("palette-host-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Theory]
    [InlineData("INT", true)]
    [InlineData("TERM", false)]
    public async Task A_stop_signal_ends_the_host_and_its_dynalite(string signal, bool toProcessGroup)
    {
        await using var host = await HostProcess.StartAsync(_data);
        var dynalite = host.DynalitePid();

        await host.SignalAsync(signal, toProcessGroup);

        (await host.ExitsWithinAsync(StopBound)).Should().BeTrue($"SIGINT/SIGTERM stop the host; it said:\n{host.Output}");
        host.ExitCode.Should().Be(0, host.Output);
        host.Output.Should().Contain("stopping ...");
        (await HostProcess.GoneWithinAsync(dynalite, StopBound)).Should().BeTrue("dynalite stops with its host");
    }

    [Fact]
    public async Task Dynalite_exits_when_its_host_is_killed()
    {
        await using var host = await HostProcess.StartAsync(_data);
        var dynalite = host.DynalitePid();

        await host.SignalAsync("KILL");

        (await host.ExitsWithinAsync(StopBound)).Should().BeTrue();
        (await HostProcess.GoneWithinAsync(dynalite, StopBound)).Should().BeTrue("dynalite sees its stdin close when its host dies and exits");
    }

    [Fact]
    public async Task A_workflow_running_at_SIGTERM_is_finished_by_the_next_start_with_the_same_data()
    {
        // A 40 s Wait: longer than the CLI calls before the SIGTERM take on a busy machine. It ends at the
        // same moment after the restart (the engine keeps the Wait's end time).
        const string definition = """{"StartAt":"Hold","States":{"Hold":{"Type":"Wait","Seconds":40,"Next":"Done"},"Done":{"Type":"Succeed"}}}""";
        string executionArn;
        DateTimeOffset stopped;
        await using (var first = await HostProcess.StartAsync(_data))
        {
            var machine = await first.AwsAsync("stepfunctions", "create-state-machine", "--name", "held",
                "--definition", definition, "--role-arn", "arn:aws:iam::000000000000:role/states");
            var started = await first.AwsAsync("stepfunctions", "start-execution",
                "--state-machine-arn", machine.GetProperty("stateMachineArn").GetString()!);
            executionArn = started.GetProperty("executionArn").GetString()!;
            (await first.AwsAsync("stepfunctions", "describe-execution", "--execution-arn", executionArn))
                .GetProperty("status").GetString().Should().Be("RUNNING");

            await first.SignalAsync("TERM");
            (await first.ExitsWithinAsync(StopBound)).Should().BeTrue($"SIGTERM stops the host; it said:\n{first.Output}");
            stopped = DateTimeOffset.UtcNow;
        }

        await using var second = await HostProcess.StartAsync(_data);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        string? status;
        System.Text.Json.JsonElement execution;
        do
        {
            execution = await second.AwsAsync("stepfunctions", "describe-execution", "--execution-arn", executionArn);
            status = execution.GetProperty("status").GetString();
            if (status != "RUNNING")
                break;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        status.Should().Be("SUCCEEDED", "the restarted host resumes the paused execution");
        // The CLI prints dates as epoch seconds.
        DateTimeOffset.FromUnixTimeMilliseconds((long)(execution.GetProperty("stopDate").GetDouble() * 1000)).Should().BeAfter(stopped, "the second host finished it");
    }
}
