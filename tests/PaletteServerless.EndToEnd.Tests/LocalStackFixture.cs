using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.EC2;
using Amazon.Runtime;
using PaletteServerless.Local;
using PaletteServerless.Local.Aws.EventBridge;
using PaletteServerless.Local.Node;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// The whole local stack in this test process, as `dotnet run --project local/PaletteServerless.Local`
/// starts it, at a time scale that turns the modelled AWS minutes into fractions of a second.
/// One per test run: the functions share this process's environment, as in one Lambda container.
/// </summary>
public sealed class LocalStackFixture : IAsyncLifetime
{
    public const double TimeScale = 600;

    public LocalStack Stack { get; private set; } = null!;

    /// <summary>Every EventBridge event published since the stack started (JSON texts).</summary>
    public List<string> Events { get; } = [];

    /// <summary>The scenarios the tests started, in order (the tests of the collection run one at a time).</summary>
    public List<Scenario> Scenarios { get; } = [];

    /// <summary>
    /// What earlier tests' scenarios left: each test starts with the account's quotas free, so that one failed test
    /// does not fail the next for want of Elastic IPs.
    /// </summary>
    public async Task RemoveLeftoversAsync()
    {
        foreach (var scenario in Scenarios)
            await scenario.RemoveLeftoversAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>The functions' log lines (at INFO, as the product deploys them), as CloudWatch Logs would receive them.</summary>
    public LogCapture Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Logs.Install();
        Stack = await LocalStack.StartAsync(new LocalStackOptions
        {
            Port = 0,
            TimeScale = TimeScale,
            FunctionLogLevel = "INFO",
        }, TextWriter.Null, CancellationToken.None);
        Stack.LocalAws.Services.OfType<EventBridgeService>().Single().Stream.Published += json =>
        {
            lock (Events)
                Events.Add(json);
        };
    }

    /// <summary>
    /// Stops the stack, and fails the run if IAM refused any call on it: the product's own calls
    /// must all be allowed by the policies CDK synthesizes (a test that provokes a refusal on
    /// purpose takes it out of the list with LocalIam.TakeDenials).
    /// </summary>
    public async Task DisposeAsync()
    {
        var denials = Stack.LocalAws.Iam?.Denials ?? [];
        await Stack.DisposeAsync();
        Logs.Uninstall();
        if (denials.Count > 0)
            throw new InvalidOperationException($"IAM refused {denials.Count} call(s) on the local stack:\n" + string.Join("\n", denials.Take(20).Select(d => $"{d.Principal} {d.Action} on {d.Resource}: {d.Statement}")));
    }

    public HttpClient Api(string project, string role = "project-admin", string tenant = "acme")
    {
        var roles = role == "tenant-admin" ? new[] { role } : [$"{role}:{project}"];
        var client = new HttpClient { BaseAddress = Stack.Endpoint };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Stack.Tokens.Mint("e2e", tenant, roles));
        return client;
    }

    public AmazonEC2Client Ec2(string account = "000000000000", string region = "us-east-1") =>
        new(new BasicAWSCredentials(account, "e2e"), new AmazonEC2Config { ServiceURL = Stack.Endpoint.ToString(), AuthenticationRegion = region });

    /// <summary>The live resources of the local AWS that carry a cluster's uid tag.</summary>
    /// <summary>Every principal of the local IAM, with credentials that act as it (GET /local/iam/principals).</summary>
    public async Task<List<PaletteServerless.Local.Aws.Iam.IamPrincipal>> PrincipalsAsync()
    {
        using var http = new HttpClient { BaseAddress = Stack.Endpoint };
        var body = await http.GetFromJsonAsync<JsonObject>("/local/iam/principals");
        return System.Text.Json.JsonSerializer.Deserialize<List<PaletteServerless.Local.Aws.Iam.IamPrincipal>>(body!["principals"]!.ToJsonString())!;
    }

    public async Task<List<JsonObject>> ResourcesOfAsync(string uid)
    {
        using var http = new HttpClient { BaseAddress = Stack.Endpoint };
        var inventory = await http.GetFromJsonAsync<JsonObject>("/local/inventory");
        return inventory!["resources"]!.AsArray().Select(r => r!.AsObject())
            .Where(r => r["tags"]?["palette.serverless/cluster-uid"]?.GetValue<string>() == uid).ToList();
    }

    /// <summary>
    /// What a failed wait reports: the functions' last log lines that name <paramref name="clusterKey"/> (a uid or a
    /// name), the instances tagged with it and their states, and every IAM refusal so far, so that a run that failed
    /// elsewhere (CI) can be read without running it again.
    /// </summary>
    public string Trail(string clusterKey, int lines = 60)
    {
        var trail = new StringBuilder($"\n-- the last {lines} log lines naming {clusterKey}:\n");
        foreach (var line in Logs.Since(0).Where(l => l.Contains(clusterKey, StringComparison.Ordinal)).TakeLast(lines))
            trail.AppendLine(line.Length > 600 ? line[..600] + "..." : line);
        var now = Stack.LocalAws.Clock.GetUtcNow();
        trail.AppendLine($"-- instances tagged {clusterKey} (modelled now {now:O}):");
        lock (Stack.LocalAws.Store.Sync)
        {
            foreach (var instance in Stack.LocalAws.Store.Worlds.SelectMany(w => w.All<PaletteServerless.Local.Aws.Ec2.Instance>()).Where(i => i.Tags.ContainsValue(clusterKey)))
                trail.AppendLine($"{instance.Id} {instance.StateAt(now)} spot={instance.IsSpot} interruptedAt={instance.InterruptedAt:O} tags={string.Join(",", instance.Tags.Select(t => t.Key + "=" + t.Value))}");
        }
        var denials = Stack.LocalAws.Iam?.Denials ?? [];
        trail.AppendLine($"-- IAM refusals so far: {denials.Count}");
        foreach (var denial in denials.Take(10))
            trail.AppendLine($"{denial.Principal} {denial.Action} on {denial.Resource}: {denial.Statement}");
        return trail.ToString();
    }

    /// <summary>The statuses of the cluster's "Cluster Status Change" events on the product's bus, in the order they came.</summary>
    public List<string> StatusEvents(string uid)
    {
        lock (Events)
        {
            return Events.Select(e => JsonNode.Parse(e)!)
                .Where(e => e["detail-type"]?.GetValue<string>() == "Cluster Status Change" && e["detail"]?["uid"]?.GetValue<string>() == uid)
                .Select(e => e["detail"]!["status"]!.GetValue<string>()).ToList();
        }
    }

    /// <summary>
    /// <see cref="StatusEvents"/> once <paramref name="last"/> came (after <paramref name="after"/>, when given), or after
    /// 10 s: the bus event follows the table's write, so it may land a moment after the API shows the status.
    /// </summary>
    public async Task<List<string>> StatusEventsAsync(string uid, string last = "Running", string? after = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var statuses = StatusEvents(uid);
            var from = after is null ? 0 : statuses.IndexOf(after);
            if ((from >= 0 && statuses.Skip(from).Contains(last)) || DateTime.UtcNow > deadline)
                return statuses;
            await Task.Delay(100);
        }
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}

[CollectionDefinition(Name)]
public sealed class LocalStackCollection : ICollectionFixture<LocalStackFixture>
{
    public const string Name = "local stack";
}
