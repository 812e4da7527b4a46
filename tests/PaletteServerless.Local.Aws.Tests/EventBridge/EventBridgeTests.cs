using System.Net;
using System.Text.Json;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Local.Aws.EventBridge;
using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.EventBridge;

public class EventBridgeTests
{
    private static readonly PutEventsRequestEntry Running = new()
    {
        Source = "palette.clusters",
        DetailType = "ClusterStatusChanged",
        Detail = """{"clusterId":"c1","status":"Running"}""",
        Resources = ["arn:aws:palette:::cluster/c1"],
    };

    private static EventBridgeService Service(LocalAwsHost host) => host.Aws.Services.OfType<EventBridgeService>().Single();

    [Fact]
    public async Task PutEvents_answers_event_ids_and_publishes_each_event_on_the_stream()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var events = host.Events("123456789012");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var stream = Service(host).Stream.Subscribe(stop.Token).GetAsyncEnumerator(stop.Token);
        var next = stream.MoveNextAsync();

        var response = await events.PutEventsAsync([Running]);

        response.FailedEntryCount.Should().Be(0);
        var eventId = response.Entries.Should().ContainSingle().Subject.EventId;
        (await next).Should().BeTrue();
        using var published = JsonDocument.Parse(stream.Current);
        var root = published.RootElement;
        root.GetProperty("id").GetString().Should().Be(eventId);
        root.GetProperty("source").GetString().Should().Be("palette.clusters");
        root.GetProperty("detail-type").GetString().Should().Be("ClusterStatusChanged");
        root.GetProperty("account").GetString().Should().Be("123456789012");
        root.GetProperty("region").GetString().Should().Be("us-east-1");
        root.GetProperty("time").GetString().Should().Be("2026-11-24T12:00:00Z");
        root.GetProperty("detail").GetProperty("status").GetString().Should().Be("Running");
        root.GetProperty("resources")[0].GetString().Should().Be("arn:aws:palette:::cluster/c1");
    }

    [Fact]
    public async Task Matching_events_are_posted_to_a_loopback_webhook_and_others_are_not()
    {
        await using var host = await LocalAwsHost.StartAsync();
        await using var webhook = new WebhookReceiver();
        using var events = host.Events();
        await events.PutRuleAsync(new PutRuleRequest
        {
            Name = "cluster-running",
            EventPattern = """{"source":["palette.clusters"],"detail":{"status":["Running"]}}""",
        });
        await events.PutTargetsAsync("cluster-running", [new EventBridgeTarget("hook", webhook.Url)]);

        await events.PutEventsAsync([Running with { Detail = """{"clusterId":"c0","status":"Failed"}""" }]);
        await events.PutEventsAsync([Running]);

        var delivered = await webhook.NextAsync();
        using var body = JsonDocument.Parse(delivered);
        body.RootElement.GetProperty("detail").GetProperty("clusterId").GetString().Should().Be("c1");
        webhook.Received.Should().ContainSingle("the Failed event does not match the rule");
    }

    [Fact]
    public async Task Log_targets_receive_the_constant_input_or_the_selected_path()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var events = host.Events();
        await events.PutRuleAsync(new PutRuleRequest { Name = "all", EventPattern = """{"source":[{"prefix":"palette."}]}""" });
        await events.PutTargetsAsync("all",
        [
            new EventBridgeTarget("detail", "arn:aws:logs:us-east-1:000000000000:log-group:/palette/events") { InputPath = "$.detail" },
            new EventBridgeTarget("constant", "arn:aws:logs:us-east-1:000000000000:log-group:/palette/constant") { Input = """{"fixed":true}""" },
        ]);

        await events.PutEventsAsync([Running]);

        Service(host).LogEntries.Should().BeEquivalentTo(["""{"clusterId":"c1","status":"Running"}""", """{"fixed":true}"""]);
    }

    [Fact]
    public async Task Rules_and_targets_are_listed_and_a_rule_with_targets_cannot_be_deleted()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var events = host.Events();
        await events.PutRuleAsync(new PutRuleRequest { Name = "a-rule", EventPattern = """{"source":["x"]}""", Description = "first" });
        await events.PutRuleAsync(new PutRuleRequest { Name = "b-rule", EventPattern = """{"source":["y"]}""", State = "DISABLED" });
        await events.PutTargetsAsync("a-rule", [new EventBridgeTarget("t1", "http://127.0.0.1:9/hook")]);

        var rules = await events.ListRulesAsync(namePrefix: "a-");
        var targets = await events.ListTargetsByRuleAsync("a-rule");
        var deleteWithTargets = () => events.DeleteRuleAsync("a-rule");

        rules.Rules.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Name = "a-rule", Arn = "arn:aws:events:us-east-1:000000000000:rule/a-rule", State = "ENABLED", Description = "first", EventBusName = "default",
        });
        (await events.ListRulesAsync()).Rules!.Select(r => (r.Name, r.State)).Should().Equal(("a-rule", "ENABLED"), ("b-rule", "DISABLED"));
        targets.Targets.Should().Equal(new EventBridgeTarget("t1", "http://127.0.0.1:9/hook"));
        (await deleteWithTargets.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("ValidationException");

        await events.RemoveTargetsAsync("a-rule", ["t1"]);
        await events.DeleteRuleAsync("a-rule");
        (await events.ListRulesAsync()).Rules!.Select(r => r.Name).Should().Equal("b-rule");
        var listDeleted = () => events.ListTargetsByRuleAsync("a-rule");
        (await listDeleted.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("ResourceNotFoundException");
    }

    [Theory]
    [InlineData("http://10.0.0.5/hook")]
    [InlineData("https://example.com/hook")]
    [InlineData("ftp://127.0.0.1/hook")]
    public async Task Webhook_targets_must_be_loopback_urls(string url)
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var events = host.Events();
        await events.PutRuleAsync(new PutRuleRequest { Name = "r", EventPattern = """{"source":["x"]}""" });

        var act = () => events.PutTargetsAsync("r", [new EventBridgeTarget("t", url)]);

        (await act.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("ValidationException");
    }

    [Fact]
    public async Task Custom_buses_hold_their_own_rules_and_unknown_buses_are_refused()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var events = host.Events();

        var arn = (await events.CreateEventBusAsync("clusters")).EventBusArn;
        var again = () => events.CreateEventBusAsync("clusters");
        var ruleOnMissingBus = () => events.PutRuleAsync(new PutRuleRequest { Name = "r", EventPattern = """{"source":["x"]}""", EventBusName = "nope" });
        var badPattern = () => events.PutRuleAsync(new PutRuleRequest { Name = "r", EventPattern = """{"source":"x"}""" });
        var eventToMissingBus = () => events.PutEventsAsync([Running with { EventBusName = "nope" }]);
        await events.PutRuleAsync(new PutRuleRequest { Name = "r", EventPattern = """{"source":["x"]}""", EventBusName = arn });

        arn.Should().Be("arn:aws:events:us-east-1:000000000000:event-bus/clusters");
        (await again.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("ResourceAlreadyExistsException");
        (await ruleOnMissingBus.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("ResourceNotFoundException");
        (await badPattern.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("InvalidEventPatternException");
        (await eventToMissingBus.Should().ThrowAsync<PutEventsFailedException>()).Which.FailedEntries.Should().ContainSingle();
        (await events.ListRulesAsync("clusters")).Rules.Should().ContainSingle().Which.Arn.Should().Be("arn:aws:events:us-east-1:000000000000:rule/clusters/r");
        (await events.ListRulesAsync()).Rules.Should().BeEmpty();
        (await events.ListEventBusesAsync()).EventBuses!.Select(b => b.Name).Should().Equal("default", "clusters");
    }

    [Fact]
    public async Task The_AWS_CLI_puts_rules_and_events()
    {
        await using var host = await LocalAwsHost.StartAsync();

        var rule = await AwsCli.RunAsync(host, "test", "events", "put-rule", "--name", "cli-rule", "--event-pattern", """{"source":["palette.clusters"]}""");
        var put = await AwsCli.RunAsync(host, "test", "events", "put-events", "--entries",
            """[{"Source":"palette.clusters","DetailType":"ClusterStatusChanged","Detail":"{\"status\":\"Running\"}"}]""");
        var rules = await AwsCli.RunAsync(host, "test", "events", "list-rules");

        rule.ExitCode.Should().Be(0, rule.StandardError);
        rule.Json.GetProperty("RuleArn").GetString().Should().Be("arn:aws:events:us-east-1:000000000000:rule/cli-rule");
        put.ExitCode.Should().Be(0, put.StandardError);
        put.Json.GetProperty("FailedEntryCount").GetInt32().Should().Be(0);
        put.Json.GetProperty("Entries")[0].GetProperty("EventId").GetString().Should().NotBeNullOrEmpty();
        rules.Json.GetProperty("Rules")[0].GetProperty("Name").GetString().Should().Be("cli-rule");
    }

    /// <summary>A loopback HTTP endpoint that records the bodies POSTed to it.</summary>
    private sealed class WebhookReceiver : IAsyncDisposable
    {
        private readonly HttpListener _listener = PaletteServerless.Testing.LoopbackHttpListener.Start("/hook/");
        private readonly System.Threading.Channels.Channel<string> _bodies = System.Threading.Channels.Channel.CreateUnbounded<string>();
        private readonly Task _loop;

        public WebhookReceiver()
        {
            Url = PaletteServerless.Testing.LoopbackHttpListener.Url(_listener).ToString();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    var context = await _listener.GetContextAsync();
                    using var reader = new StreamReader(context.Request.InputStream);
                    var body = await reader.ReadToEndAsync();
                    Received.Add(body);
                    _bodies.Writer.TryWrite(body);
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public System.Collections.Concurrent.ConcurrentBag<string> Received { get; } = [];

        public async Task<string> NextAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            return await _bodies.Reader.ReadAsync(timeout.Token);
        }

        public async ValueTask DisposeAsync()
        {
            // Close alone: Stop then Close removes the endpoint twice, and the second removal rebinds
            // the port for a moment ("Address already in use" when another test took it meanwhile).
            _listener.Close();
            try
            {
                await _loop;
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException)
            {
                // Stopping the listener ends the wait for the next request.
            }
        }
    }
}
