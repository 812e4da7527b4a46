using System.Net;
using System.Text;

namespace PaletteServerless.Cli.Tests;

/// <summary>
/// Force delete before its 15 minutes are up. On the local stack at a high time scale that window
/// is a second or two, too short to hit reliably, so a loopback listener answers with the documented
/// 409 and cluster view (openapi.json) instead.
/// </summary>
public sealed class ForceDeleteTimeLeftTests
{
    [Fact]
    public async Task A_force_delete_that_is_not_yet_allowed_shows_the_time_left_and_how_to_keep_watching()
    {
        using var api = new CannedApi(new Dictionary<string, (int, string)>
        {
            ["POST /v1/projects/p/clusters/stuck/force-delete"] = (409, """
                {"type":"https://palette-serverless.dev/problems/conflict","title":"Conflict","status":409,"detail":"force delete becomes available at 2026-12-02T01:48:28+00:00, in 754 s"}
                """),
            ["GET /v1/projects/p/clusters/stuck"] = (200, """
                {"name":"stuck","status":"Deleting","statusReason":"deleting: 2 resource(s) left; blocked by network interface eni-1","conditions":[],
                 "forceDeleteAvailableAt":"2026-12-02T01:48:28+00:00","forceDeleteSecondsLeft":754}
                """),
        });
        using var user = new PsctlUser(api.Endpoint);
        user.Environment["PSCTL_TOKEN"] = "t";
        user.Environment["PSCTL_PROJECT"] = "p";

        var result = await user.RunAsync("clusters", "force-delete", "stuck");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("force delete of cluster stuck opens in 12m 34s (at 2026-12-02T01:48:28Z)")
            .And.Contain("blocked by network interface eni-1")
            .And.Contain("psctl clusters wait stuck");
    }

    [Fact]
    public async Task Force_delete_with_no_wait_starts_the_workflow_and_says_where_its_report_comes()
    {
        using var api = new CannedApi(new Dictionary<string, (int, string)>
        {
            ["POST /v1/projects/p/clusters/stuck/force-delete"] = (202, """
                {"cluster":"/v1/projects/p/clusters/stuck","events":"/v1/projects/p/clusters/stuck/events","status":"Deleting",
                 "execution":"arn:aws:states:us-east-1:123456789012:execution:palette-force-delete-cluster:force-delete-u1"}
                """),
        });
        using var user = new PsctlUser(api.Endpoint);
        user.Environment["PSCTL_TOKEN"] = "t";
        user.Environment["PSCTL_PROJECT"] = "p";

        var result = await user.RunAsync("clusters", "force-delete", "stuck", "--no-wait");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain("force delete of cluster stuck started").And.Contain("forceDeleteReport").And.Contain("psctl clusters wait stuck");
    }

    [Fact]
    public async Task A_failed_sweep_is_an_error_that_says_why_and_that_sweeping_again_is_safe()
    {
        using var api = new CannedApi(new Dictionary<string, (int, string)>
        {
            ["GET /v1/projects/p/orphans/sweeps/0123456789abcdef0123456789abcdef"] = (200, """
                {"id":"0123456789abcdef0123456789abcdef","state":"Failed","startedAt":"2026-12-02T01:00:00+00:00","stoppedAt":"2026-12-02T01:00:09+00:00",
                 "error":"the sweep failed: States.TaskFailed: AccessDenied"}
                """),
        });
        using var user = new PsctlUser(api.Endpoint);
        user.Environment["PSCTL_TOKEN"] = "t";
        user.Environment["PSCTL_PROJECT"] = "p";

        var result = await user.RunAsync("orphans", "sweep-status", "0123456789abcdef0123456789abcdef", "--wait");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Out.Should().Contain("sweep 0123456789abcdef0123456789abcdef  Failed  (9s)");
        result.Error.Should().Contain("AccessDenied").And.Contain("sweeping again is safe");
    }

    /// <summary>A loopback HTTP server that answers "METHOD path" with a fixed status and JSON body.</summary>
    private sealed class CannedApi : IDisposable
    {
        private readonly HttpListener listener = PaletteServerless.Testing.LoopbackHttpListener.Start();
        private readonly Task serving;

        public Uri Endpoint { get; }

        public CannedApi(IReadOnlyDictionary<string, (int Status, string Body)> answers)
        {
            Endpoint = PaletteServerless.Testing.LoopbackHttpListener.Url(listener);
            serving = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await listener.GetContextAsync();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }
                    var key = $"{context.Request.HttpMethod} {context.Request.Url!.AbsolutePath}";
                    var (status, body) = answers.TryGetValue(key, out var answer) ? answer : (404, """{"title":"Not Found","status":404}""");
                    context.Response.StatusCode = status;
                    context.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
                    var bytes = Encoding.UTF8.GetBytes(body);
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            });
        }

        public void Dispose()
        {
            // Close alone: Stop then Close removes the endpoint twice, and the second removal rebinds
            // the port for a moment ("Address already in use" when another test took it meanwhile).
            listener.Close();
            serving.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
