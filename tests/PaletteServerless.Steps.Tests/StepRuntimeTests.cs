using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Tests;

/// <summary>What every step run shares: the injected cloud seam and one structured log line per run.</summary>
public sealed class StepRuntimeTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 1, 0, 0, TimeSpan.Zero));
    private readonly StringWriter _log = new();
    private readonly IClusterStore _clusters = Substitute.For<IClusterStore>();
    private readonly ICloudAccountStore _accounts = Substitute.For<ICloudAccountStore>();
    private readonly ICloudSessionOpener _sessions = Substitute.For<ICloudSessionOpener>();
    private readonly StepRuntime _runtime;

    public StepRuntimeTests()
    {
        _runtime = TestRuntime.Create(_clusters, new InMemoryInventory(), _sessions, _clock, _accounts, _log);
    }

    private static MemoryStream Input(string? execution = null) => new(Encoding.UTF8.GetBytes(
        $$"""{"tenant":"acme","project":"demo","cluster":"demo","uid":"{{TestCluster.Uid}}"{{(execution is null ? "" : $",\"execution\":\"{execution}\"")}}}"""));

    private JsonElement OnlyLine()
    {
        var lines = _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle();
        return JsonDocument.Parse(lines[0]).RootElement;
    }

    [Fact]
    public async Task A_step_that_succeeds_logs_one_json_line_with_its_cluster_and_duration()
    {
        await new ProbeStep(_runtime, _ =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(250));
            return Task.FromResult(StepResult.Finished);
        }).Handle(Input("arn:aws:states:us-east-1:111122223333:execution:create:demo"));

        var line = OnlyLine();
        line.EnumerateObject().Select(p => p.Name).Should().Equal(
            "timestamp", "level", "message", "step", "cluster", "clusterUid", "tenant", "project", "executionArn", "outcome", "durationMs");
        line.GetProperty("timestamp").GetDateTimeOffset().Should().Be(_clock.GetUtcNow());
        line.GetProperty("level").GetString().Should().Be("INFO");
        line.GetProperty("step").GetString().Should().Be("ProbeStep");
        line.GetProperty("cluster").GetString().Should().Be("demo");
        line.GetProperty("clusterUid").GetString().Should().Be(TestCluster.Uid);
        line.GetProperty("tenant").GetString().Should().Be("acme");
        line.GetProperty("project").GetString().Should().Be("demo");
        line.GetProperty("executionArn").GetString().Should().Be("arn:aws:states:us-east-1:111122223333:execution:create:demo");
        line.GetProperty("outcome").GetString().Should().Be("succeeded");
        line.GetProperty("durationMs").GetDouble().Should().Be(250);
    }

    [Fact]
    public async Task A_step_that_fails_logs_the_error_type_and_message_and_still_throws()
    {
        var run = () => new ProbeStep(_runtime, _ => throw new ProvisioningFailedException("subnet quota reached")).Handle(Input());

        await run.Should().ThrowAsync<ProvisioningFailedException>();

        var line = OnlyLine();
        line.GetProperty("level").GetString().Should().Be("ERROR");
        line.GetProperty("outcome").GetString().Should().Be("failed");
        line.GetProperty("errorType").GetString().Should().Be("ProvisioningFailedException");
        line.GetProperty("errorMessage").GetString().Should().Be("subnet quota reached");
        line.TryGetProperty("executionArn", out _).Should().BeFalse("the input carried none");
    }

    [Fact]
    public async Task A_throttled_step_logs_a_retry_and_hands_the_workflow_a_transient_error()
    {
        var run = () => new ProbeStep(_runtime, _ => throw TestCluster.Ec2Error("RequestLimitExceeded")).Handle(Input());

        await run.Should().ThrowAsync<TransientCloudException>();

        var line = OnlyLine();
        line.GetProperty("level").GetString().Should().Be("WARN");
        line.GetProperty("outcome").GetString().Should().Be("retrying");
        line.GetProperty("errorType").GetString().Should().Be("TransientCloudException");
        line.GetProperty("errorMessage").GetString().Should().StartWith("RequestLimitExceeded");
    }

    [Fact]
    public async Task A_warn_log_level_keeps_failures_and_drops_successes()
    {
        var quiet = new StepRuntime(_clusters, _accounts, Substitute.For<IProfileStore>(), new InMemoryInventory(),
            _runtime.Status, _runtime.StepFunctions, _sessions, _clock, _log, logLevel: "warn");

        await new ProbeStep(quiet, _ => Task.FromResult(StepResult.Finished)).Handle(Input());
        _log.ToString().Should().BeEmpty();
        var fail = () => new ProbeStep(quiet, _ => throw new ProvisioningFailedException("no")).Handle(Input());
        await fail.Should().ThrowAsync<ProvisioningFailedException>();

        OnlyLine().GetProperty("level").GetString().Should().Be("ERROR");
    }

    [Fact]
    public async Task A_step_reaches_aws_through_the_injected_opener_in_the_cluster_account_and_region_once()
    {
        var cluster = TestCluster.Create();
        _clusters.GetAsync(new ProjectScope("acme", "demo"), "demo", Arg.Any<CancellationToken>()).Returns(cluster);
        var account = new CloudAccount { Name = "main", RoleArn = "arn:aws:iam::111122223333:role/palette", ExternalId = "x" };
        _accounts.GetAsync(Arg.Any<ProjectScope>(), "main", Arg.Any<CancellationToken>()).Returns(account);
        var cloud = new FakeCloud();
        _sessions.OpenAsync(account, "us-east-1", Arg.Any<SessionScope>(), Arg.Any<CancellationToken>()).Returns(cloud);
        ICloudSession? first = null, second = null;

        await new ProbeStep(_runtime, async step =>
        {
            first = await step.CloudAsync(default);
            second = await step.CloudAsync(default);
            return StepResult.Finished;
        }).Handle(Input());

        first.Should().BeSameAs(cloud).And.BeSameAs(second);
        await _sessions.Received(1).OpenAsync(account, "us-east-1", Arg.Is<SessionScope>(s => s.ClusterUid == TestCluster.Uid && s.Tenant == "acme" && s.Function == "Probe"), Arg.Any<CancellationToken>());
    }
}
