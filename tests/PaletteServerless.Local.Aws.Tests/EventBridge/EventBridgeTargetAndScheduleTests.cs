using System.Collections.Concurrent;
using System.Text.Json;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.EventBridge;
using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.EventBridge;

/// <summary>Lambda targets invoked through the host's delegate, and rate(...) schedules firing "Scheduled Event"s.</summary>
public class EventBridgeTargetAndScheduleTests
{
    private const string FunctionArn = "arn:aws:lambda:us-east-1:000000000000:function:palette-remediate";
    private const string LogArn = "arn:aws:logs:us-east-1:000000000000:log-group:/local/schedule";

    // A fake clock jumps; a real one passes every moment. Step it so each period is seen (a schedule late by several periods fires once).
    private static void Step(LocalAwsHost host, TimeSpan total, TimeSpan step)
    {
        for (var passed = TimeSpan.Zero; passed < total; passed += step)
            host.Clock.Advance(step);
    }

    private static EventBridgeService Service(LocalAwsHost host) => host.Aws.Services.OfType<EventBridgeService>().Single();

    [Fact]
    public async Task A_lambda_target_is_invoked_asynchronously_with_the_event_envelope()
    {
        await using var host = await LocalAwsHost.StartAsync();
        var invoked = new TaskCompletionSource<(string Arn, string Payload)>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Aws.LambdaInvoker = (arn, payload, _) =>
        {
            invoked.TrySetResult((arn, payload));
            return Task.CompletedTask;
        };
        using var events = host.Events();
        await events.PutRuleAsync(new PutRuleRequest { Name = "clusters", EventPattern = """{"source":["palette.clusters"]}""" });
        await events.PutTargetsAsync("clusters", [new EventBridgeTarget("fn", FunctionArn)]);

        var put = await events.PutEventsAsync([new PutEventsRequestEntry { Source = "palette.clusters", DetailType = "ClusterStatusChanged", Detail = """{"clusterId":"c1"}""" }]);

        var (arn, payload) = await invoked.Task.WaitAsync(TimeSpan.FromSeconds(60));
        arn.Should().Be(FunctionArn);
        using var envelope = JsonDocument.Parse(payload);
        envelope.RootElement.GetProperty("id").GetString().Should().Be(put.Entries.Single().EventId);
        envelope.RootElement.GetProperty("detail").GetProperty("clusterId").GetString().Should().Be("c1");
    }

    [Fact]
    public async Task A_failing_or_missing_function_is_logged_and_PutEvents_still_succeeds()
    {
        await using var host = await LocalAwsHost.StartAsync();
        var logged = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Service(host).Logged += line => logged.TrySetResult(line);
        using var events = host.Events();
        await events.PutRuleAsync(new PutRuleRequest { Name = "clusters", EventPattern = """{"source":["palette.clusters"]}""" });
        await events.PutTargetsAsync("clusters", [new EventBridgeTarget("fn", FunctionArn)]);

        var put = await events.PutEventsAsync([new PutEventsRequestEntry { Source = "palette.clusters", DetailType = "X", Detail = "{}" }]);

        put.FailedEntryCount.Should().Be(0);
        (await logged.Task.WaitAsync(TimeSpan.FromSeconds(60))).Should().Contain(FunctionArn).And.Contain("not delivered");
        var failed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Service(host).Logged += line => failed.TrySetResult(line);
        host.Aws.LambdaInvoker = (_, _, _) => throw new InvalidOperationException("handler broke");
        await events.PutEventsAsync([new PutEventsRequestEntry { Source = "palette.clusters", DetailType = "X", Detail = "{}" }]);
        (await failed.Task.WaitAsync(TimeSpan.FromSeconds(60))).Should().Contain("handler broke");
    }

    [Fact]
    public async Task A_rate_rule_fires_scheduled_events_every_period_while_enabled()
    {
        await using var host = await LocalAwsHost.StartAsync();
        var createdAt = host.Clock.GetUtcNow();
        using var events = host.Events();
        var ruleArn = (await events.PutRuleAsync(new PutRuleRequest { Name = "every-five", ScheduleExpression = "rate(5 minutes)" })).RuleArn;
        await events.PutTargetsAsync("every-five", [new EventBridgeTarget("log", LogArn)]);

        host.Clock.Advance(TimeSpan.FromMinutes(4));
        Service(host).LogEntries.Should().BeEmpty();
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        var scheduled = JsonDocument.Parse(Service(host).LogEntries.Should().ContainSingle().Subject).RootElement;
        scheduled.GetProperty("source").GetString().Should().Be("aws.events");
        scheduled.GetProperty("detail-type").GetString().Should().Be("Scheduled Event");
        scheduled.GetProperty("resources").EnumerateArray().Select(r => r.GetString()).Should().Equal(ruleArn);
        scheduled.GetProperty("detail").EnumerateObject().Should().BeEmpty();
        scheduled.GetProperty("time").GetString().Should().Be((createdAt + TimeSpan.FromMinutes(5)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));

        Step(host, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1));
        Service(host).LogEntries.Should().HaveCount(3);
        await events.PutRuleAsync(new PutRuleRequest { Name = "every-five", ScheduleExpression = "rate(5 minutes)", State = "DISABLED" });
        Step(host, TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1));
        Service(host).LogEntries.Should().HaveCount(3, "a disabled rule does not fire");
    }

    [Fact]
    public async Task Schedules_follow_the_time_scale()
    {
        await using var host = await LocalAwsHost.StartAsync(new LocalAwsOptions { TimeScale = 60 });
        using var events = host.Events();
        await events.PutRuleAsync(new PutRuleRequest { Name = "every-minute", ScheduleExpression = "rate(1 minute)" });
        await events.PutTargetsAsync("every-minute", [new EventBridgeTarget("log", LogArn)]);

        Step(host, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(500));

        Service(host).LogEntries.Should().HaveCount(3, "a modelled minute is a second at time scale 60");
        // Their time is the scheduled time in modelled time: a modelled minute apart, as a cron evaluated against it expects.
        var times = Service(host).LogEntries.Select(e => DateTimeOffset.Parse(JsonDocument.Parse(e).RootElement.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        times.Zip(times.Skip(1), (a, b) => b - a).Should().AllSatisfy(gap => gap.Should().Be(TimeSpan.FromMinutes(1)));
    }

    [Theory]
    [InlineData("rate(1 minutes)")]
    [InlineData("rate(5 minute)")]
    [InlineData("rate(0 minutes)")]
    [InlineData("rate(five minutes)")]
    [InlineData("cron(0/5 * * * ? *)")]
    public async Task Invalid_or_unmodelled_schedules_are_refused(string expression)
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var events = host.Events();

        var error = (await FluentActions.Awaiting(() => events.PutRuleAsync(new PutRuleRequest { Name = "bad", ScheduleExpression = expression }))
            .Should().ThrowAsync<AwsServiceException>()).Which;

        error.ErrorCode.Should().Be("ValidationException");
        error.Message.Should().Contain("ScheduleExpression");
    }

    [Fact]
    public async Task A_schedule_on_a_custom_bus_is_refused()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var events = host.Events();
        await events.CreateEventBusAsync("palette");

        var error = (await FluentActions.Awaiting(() => events.PutRuleAsync(new PutRuleRequest { Name = "bad", ScheduleExpression = "rate(5 minutes)", EventBusName = "palette" }))
            .Should().ThrowAsync<AwsServiceException>()).Which;

        error.Message.Should().Contain("only on the default event bus");
    }
}
