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

    /// <summary>A loopback HTTP server that answers "METHOD path" with a fixed status and JSON body.</summary>
    private sealed class CannedApi : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly Task serving;

        public Uri Endpoint { get; }

        public CannedApi(IReadOnlyDictionary<string, (int Status, string Body)> answers)
        {
            var port = PaletteServerless.Local.Node.DynaliteProcess.FreeLoopbackPort();
            Endpoint = new Uri($"http://127.0.0.1:{port}/");
            listener.Prefixes.Add(Endpoint.ToString());
            listener.Start();
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
            listener.Stop();
            listener.Close();
            serving.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
