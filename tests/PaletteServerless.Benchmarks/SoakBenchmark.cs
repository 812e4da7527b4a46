using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Local;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.EventBridge;
using PaletteServerless.Local.Node;
using PaletteServerless.Manifest;

namespace PaletteServerless.Benchmarks;

/// <summary>
/// Full cluster lifecycles (create, Running or Failed, an update when Running, delete, Deleted) side by side on the local
/// stack under injected AWS faults, spot interruptions, impaired instances and step crashes, with one restart of the
/// whole stack in the middle. A Running cluster stays Running a while before its update and before its delete, so node
/// auto-remediation has time to act. Counts completed lifecycles, clusters stuck, resources leaked, resources created
/// twice (a node recorded as the replacement of another is not), and the remediations. The last line is a JSON object
/// of the figures.
/// </summary>
public static class SoakBenchmark
{
    // The console; the product's own log lines go to a file meanwhile (see ProductLog).
    private static TextWriter Report = Console.Out;

    public const string Description = "concurrent full lifecycles under AWS faults, spot interruptions, impairments, step crashes and one stack restart: stuck, leaked, duplicated, replaced";

    private const string Usage = """
        usage: soak [--lifecycles M] [--time-scale K] [--seed S] [--dwell-minutes D]
          --lifecycles M      clusters created and deleted side by side (default 50)
          --time-scale K      divides every modelled AWS delay and workflow wait (default 120)
          --seed S            seed of the fault draws and step crashes (default 1)
          --dwell-minutes D   modelled minutes a Running cluster stays so before its update and before its delete (default 10)
        """;

    // Two single-zone clusters per target account stay well within its quotas (5 VPCs, 5 Elastic IPs).
    private const int ClustersPerAccount = 2;

    // Resources the product keeps per account, not per cluster.
    private static readonly HashSet<string> NotLeaks = ["ec2:key-pair", "events:event-bus"];

    // States in which a resource is gone (still listed for a while, as AWS does).
    private static readonly HashSet<string> Gone = ["terminated", "deleted"];

    // Every other lifecycle has a spot pool too, so spot interruptions strike and are remediated.
    private static string ExtraPools(int index, IReadOnlyList<string> zones) => index % 2 == 0
        ? $$""",{"name":"spot","role":"worker","count":1,"instanceType":"m5.large","capacityType":"spot","availabilityZones":[{{string.Join(",", zones.Select(z => $"\"{z}\""))}}]}"""
        : "";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchmarkOptions.Parse(args, ["--lifecycles", "--time-scale", "--seed", "--dwell-minutes"], ["--help"], out var error);
        if (error is not null || options.Has("--help"))
        {
            Console.Error.WriteLine(error is null ? Usage : $"{error}\n{Usage}");
            return error is null ? 0 : 64;
        }
        var lifecycles = options.Int("--lifecycles", 50);
        var timeScale = options.Double("--time-scale", 120);
        var seed = options.Int("--seed", 1);
        var dwellMinutes = options.Double("--dwell-minutes", 10);

        // The data and the fault profile go when the soak ends; the product's log stays for a look afterwards.
        var workDirectory = Directory.CreateTempSubdirectory("palette-soak-");
        using var log = new ProductLog(Path.Combine(Path.GetTempPath(), $"palette-soak-{Environment.ProcessId}.log"));
        Report = log.Report;
        Report.WriteLine($"product log: {log.Path}");
        try
        {
            return await SoakAsync(lifecycles, timeScale, seed, dwellMinutes, workDirectory.FullName);
        }
        finally
        {
            workDirectory.Delete(recursive: true);
        }
    }

    private static FaultProfile Faults(int seed) => new()
    {
        Seed = seed,
        Operations = new()
        {
            ["*"] = new() { [FaultInjector.InternalError] = 0.01, [FaultInjector.ServiceUnavailable] = 0.01, [FaultInjector.RequestLimitExceeded] = 0.02 },
            ["RunInstances"] = new() { [FaultInjector.InsufficientInstanceCapacity] = 0.05 },
        },
        NatGatewayFailureRate = 0.10,
        EventualConsistencySeconds = 5,
        // Per running instance and modelled minute: over the 50 lifecycles' few thousand node-minutes, a handful of each.
        SpotInterruptionRate = 0.01,
        InstanceImpairmentRate = 0.002,
    };

    private sealed record Outcome(string Name, string Account, string Uid, string CreatedAs, string FinalStatus, int PlannedInstances);

    private static async Task<int> SoakAsync(int lifecycles, double timeScale, int seed, double dwellMinutes, string workDirectory)
    {
        var profilePath = Path.Combine(workDirectory, "faults.json");
        await File.WriteAllTextAsync(profilePath, JsonSerializer.Serialize(Faults(seed), FaultProfile.FileJson));
        var stackOptions = new LocalStackOptions
        {
            // One port for both runs of the stack: the restart serves the nodes and clients of the first at the same endpoint.
            Port = DynaliteProcess.FreeLoopbackPort(),
            TimeScale = timeScale,
            DataDirectory = Path.Combine(workDirectory, "data"),
            FaultProfilePath = profilePath,
            FaultSeed = seed,
            StepCrashRate = 0.05,
        };
        // Generous: a create and a delete take about 5 modelled minutes each without faults.
        var lifecycleBudget = TimeSpan.FromSeconds(Math.Max(120, 3 * 3600 / timeScale));
        using var overall = new CancellationTokenSource(lifecycleBudget + TimeSpan.FromMinutes(3));
        var ct = overall.Token;

        var dwell = TimeSpan.FromMinutes(dwellMinutes / timeScale);
        Report.WriteLine($"soak: {lifecycles} lifecycles side by side (every other with a spot pool), time scale {timeScale}, seed {seed}, dwell {dwellMinutes} modelled minutes, step crash rate {stackOptions.StepCrashRate}, " +
            $"faults {JsonSerializer.Serialize(Faults(seed), FaultProfile.FileJson)}");
        var stack = await LocalStack.StartAsync(stackOptions, TextWriter.Null, ct);
        using var driver = new ProductDriver(stack);
        var accountCount = (lifecycles + ClustersPerAccount - 1) / ClustersPerAccount;
        var accounts = Enumerable.Range(1, accountCount).Select(ProductDriver.Account).ToList();
        // Set-up is not under test: the faults come in once the projects exist.
        var faults = stack.LocalAws.Faults;
        stack.LocalAws.Faults = new FaultInjector(null, null);
        foreach (var account in accounts)
            await driver.SetUpAccountAsync(account, ct);
        stack.LocalAws.Faults = faults;

        var seen = new ResourceWatch();
        var remediation = new RemediationEvents();
        remediation.Listen(driver.Stack);
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watching = seen.WatchAsync(driver, stopWatching.Token);

        var firstDelete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        var deadline = DateTimeOffset.UtcNow + lifecycleBudget;
        var runs = Enumerable.Range(0, lifecycles)
            .Select(i => RunLifecycleAsync(driver, accounts[i / ClustersPerAccount], $"soak-{i + 1}", ExtraPools(i, ProductDriver.ZonesOf(1)), dwell, deadline, firstDelete, ct)).ToList();

        // The restart: once the first cluster is being deleted, others are still being created.
        await Task.WhenAny(firstDelete.Task, Task.Delay(lifecycleBudget / 4, ct));
        await Task.Delay(TimeSpan.FromMilliseconds(300), ct);
        var restartAt = clock.Elapsed.TotalSeconds;
        Report.WriteLine($"restarting the local stack at {restartAt:F1} s ...");
        // IAM's refusals of the product's calls, over both lives of the stack: there must be none.
        var denials = new List<PaletteServerless.Local.Aws.Iam.IamDenial>(driver.Stack.LocalAws.Iam?.Denials ?? []);
        await driver.Stack.DisposeAsync();
        var restarted = await LocalStack.StartAsync(stackOptions, TextWriter.Null, ct);
        remediation.Listen(restarted);
        driver.Stack = restarted;
        Report.WriteLine($"restarted in {clock.Elapsed.TotalSeconds - restartAt:F1} s");

        var outcomes = await Task.WhenAll(runs);
        var elapsed = clock.Elapsed.TotalSeconds;
        await stopWatching.CancelAsync();
        await watching;

        denials.AddRange(driver.Stack.LocalAws.Iam?.Denials ?? []);
        foreach (var denial in denials)
            Report.WriteLine($"  IAM denied: {denial.Principal} {denial.Action} on {denial.Resource}: {denial.Statement}");
        var uids = outcomes.Select(o => o.Uid).Where(u => u.Length > 0).ToHashSet();
        var allDeleted = outcomes.All(o => o.FinalStatus == "Deleted");
        var leaks = driver.ResourcesOf(uids).Where(r => !NotLeaks.Contains(r.Type) && !Gone.Contains(r.State)).ToList();
        // One more worker for the update of every lifecycle that reached Running; a node recorded as replacing another is no duplicate.
        var planned = outcomes.Where(o => o.Uid.Length > 0).ToDictionary(o => o.Uid, o => o.PlannedInstances + 1);
        var duplicates = seen.Duplicates(uids, zones: 1, planned, remediation.Interrupted.Union(seen.Interrupted).ToHashSet(StringComparer.Ordinal));

        foreach (var outcome in outcomes.Where(o => o.FinalStatus != "Deleted"))
            Report.WriteLine($"  stuck: {outcome.Name} uid {outcome.Uid} created as {outcome.CreatedAs}, last status {outcome.FinalStatus}; " +
                await DiagnoseAsync(driver, outcome.Uid, ct));
        foreach (var cluster in leaks.GroupBy(r => (Uid: r.Tags[ProductDriver.UidTag], r.Account)))
            Report.WriteLine($"  leaked of cluster {cluster.Key.Uid} in {cluster.Key.Account}: " +
                string.Join(", ", cluster.GroupBy(r => $"{r.Type} ({r.State})").Select(g => $"{g.Count()} {g.Key}")));
        foreach (var duplicate in duplicates)
        {
            Report.WriteLine($"  created twice: {duplicate}");
            // What the product said of that cluster, oldest first: how the extra node came about.
            var outcome = outcomes.FirstOrDefault(o => duplicate.StartsWith(o.Uid, StringComparison.Ordinal) && o.Uid.Length > 0);
            if (outcome is null)
                continue;
            try
            {
                var events = (await driver.ClusterEventsAsync(outcome.Account, outcome.Name, ct))["items"]?.AsArray() ?? [];
                foreach (var item in events.Reverse())
                    Report.WriteLine($"    {outcome.Name} event {item?["reason"]}: {item?["message"]}");
            }
            catch (Exception ex) when (ex is InvalidOperationException or TransientApiException or HttpRequestException)
            {
                Report.WriteLine($"    {outcome.Name} events: {ex.Message}");
            }
        }
        var remediations = remediation.Outcomes(uids);
        foreach (var line in remediation.Lines(uids))
            Report.WriteLine($"  remediation: {line}");
        var completed = outcomes.Count(o => o.FinalStatus == "Deleted");
        var running = outcomes.Count(o => o.CreatedAs == "Running");
        var failed = outcomes.Count(o => o.CreatedAs == "Failed");
        Report.WriteLine($"lifecycles completed {completed}/{lifecycles} (created Running {running}, created Failed {failed}) in {elapsed:F1} s real; " +
            $"stuck {lifecycles - completed}, leaked {leaks.Count}, created twice {duplicates.Count}{(allDeleted ? "" : " (leaks counted with clusters not Deleted)")}, IAM denials {denials.Count}; " +
            $"spot interruptions {remediation.SpotInterruptions(seen)}, replacement nodes launched {seen.Replacements}, " +
            $"remediation events: {(remediations.Count == 0 ? "none" : string.Join(", ", remediations.Select(kv => $"{kv.Key} {kv.Value}")))}");
        Report.WriteLine(new JsonObject
        {
            ["lifecycles"] = lifecycles,
            ["timeScale"] = timeScale,
            ["seed"] = seed,
            ["completed"] = completed,
            ["createdRunning"] = running,
            ["createdFailed"] = failed,
            ["stuck"] = lifecycles - completed,
            ["leaked"] = leaks.Count,
            ["duplicates"] = duplicates.Count,
            ["iamDenials"] = denials.Count,
            ["spotInterruptions"] = remediation.SpotInterruptions(seen),
            ["replacementNodesLaunched"] = seen.Replacements,
            ["nodesReplaced"] = remediations.GetValueOrDefault("Replaced"),
            ["remediationsPaused"] = remediations.GetValueOrDefault("Paused"),
            ["remediationEvents"] = new JsonObject(remediations.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["restartAtSeconds"] = Math.Round(restartAt, 1),
            ["elapsedSeconds"] = Math.Round(elapsed, 1),
        }.ToJsonString());
        await driver.Stack.DisposeAsync();
        return completed == lifecycles && leaks.Count == 0 && duplicates.Count == 0 && denials.Count == 0 ? 0 : 1;
    }

    private static async Task<Outcome> RunLifecycleAsync(
        ProductDriver driver, string account, string name, string extraPools, TimeSpan dwell, DateTimeOffset deadline, TaskCompletionSource firstDelete, CancellationToken ct)
    {
        var uid = "";
        var zones = ProductDriver.ZonesOf(1);
        var plannedInstances = ProductDriver.PlannedInstances + (extraPools.Length > 0 ? 1 : 0);
        try
        {
            uid = await ProvisionBenchmark.RetryAsync(() => driver.CreateClusterAsync(account, name, zones, ct, ProductDriver.ClusterJson(name, zones, extraPools)), deadline, ct);
            var created = await driver.WaitForStatusAsync(account, name, ["Running", "Failed"], TimeSpan.FromMilliseconds(100), deadline, ct);
            if (created is null)
                return new Outcome(name, account, uid, "stuck", await LastStatusAsync(driver, account, name, ct), plannedInstances);
            if (created == "Running")
            {
                // Running a while (remediation acts only on Running clusters), then day 2: one update (a scale-out by
                // one worker); it ends Running, updated or not, and stays so a while before the delete.
                await Task.Delay(dwell, ct);
                await ProvisionBenchmark.RetryAsync(() => driver.PatchClusterAsync(account, name, ProductDriver.ScaleWorkersPatch(zones, 2, extraPools), ct), deadline, ct);
                if (await driver.WaitForStatusAsync(account, name, ["Running"], TimeSpan.FromMilliseconds(100), deadline, ct) is null)
                    return new Outcome(name, account, uid, "stuck", await LastStatusAsync(driver, account, name, ct), plannedInstances);
                await Task.Delay(dwell, ct);
            }
            firstDelete.TrySetResult();
            await ProvisionBenchmark.RetryAsync(async () => { await driver.DeleteClusterAsync(account, name, ct); return true; }, deadline, ct);
            var deleted = await driver.WaitForStatusAsync(account, name, ["Deleted"], TimeSpan.FromMilliseconds(100), deadline, ct);
            return new Outcome(name, account, uid, created, deleted ?? await LastStatusAsync(driver, account, name, ct), plannedInstances);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A refused call is a finding of the soak, not a reason to stop the others.
            Report.WriteLine($"  {name}: {ex.GetType().Name}: {ex.Message}");
            return new Outcome(name, account, uid, "error", "error", plannedInstances);
        }
    }

    /// <summary>
    /// The remediation events the product put on its bus ("Cluster Node Remediation", "Cluster Remediation Paused"),
    /// each counted once by its event id (a retried step puts the same one again), and the spot interruption warnings
    /// the local EC2 put on the default bus. Listens to each stack the soak starts.
    /// </summary>
    private sealed class RemediationEvents
    {
        private readonly ConcurrentDictionary<string, (string Uid, string Outcome, string Message)> _remediations = new();
        private readonly ConcurrentDictionary<string, bool> _interrupted = new();

        public void Listen(LocalStack stack) =>
            stack.LocalAws.Services.OfType<EventBridgeService>().Single().Stream.Published += json =>
            {
                var envelope = JsonNode.Parse(json);
                var detailType = envelope?["detail-type"]?.GetValue<string>();
                var detail = envelope?["detail"];
                if (detail is null)
                    return;
                if (detailType == "EC2 Spot Instance Interruption Warning" && detail["instance-id"]?.GetValue<string>() is { } instance)
                    _interrupted[instance] = true;
                else if (detailType is ClusterEvents.NodeRemediationDetailType or ClusterEvents.RemediationPausedDetailType
                    && detail["eventId"]?.GetValue<string>() is { } id)
                    _remediations[id] = (detail["uid"]?.GetValue<string>() ?? "", detail["outcome"]?.GetValue<string>() ?? "", detail["message"]?.GetValue<string>() ?? "");
            };

        /// <summary>How many of each outcome (Replaced, Retired, ReplacementFailed, CapacityShortage, Paused, Resumed) for the soak's clusters.</summary>
        public SortedDictionary<string, int> Outcomes(IReadOnlySet<string> uids) =>
            new(_remediations.Values.Where(r => uids.Contains(r.Uid)).GroupBy(r => r.Outcome).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);

        public IEnumerable<string> Lines(IReadOnlySet<string> uids) =>
            _remediations.Values.Where(r => uids.Contains(r.Uid)).OrderBy(r => r.Uid, StringComparer.Ordinal).Select(r => $"{r.Uid} {r.Outcome}: {r.Message}");

        /// <summary>Instances EC2 warned it would reclaim.</summary>
        public IReadOnlySet<string> Interrupted => _interrupted.Keys.ToHashSet(StringComparer.Ordinal);

        /// <summary>Spot instances of the soak's clusters that EC2 warned it would reclaim.</summary>
        public int SpotInterruptions(ResourceWatch seen) => _interrupted.Keys.Count(seen.IsSoakInstance);
    }

    /// <summary>What the engine knows of a stuck cluster's workflows: each execution's status and its last failed step.</summary>
    private static async Task<string> DiagnoseAsync(ProductDriver driver, string uid, CancellationToken ct)
    {
        if (uid.Length == 0)
            return "never created";
        var parts = new List<string>();
        foreach (var kind in new[] { "provision", "delete" })
        {
            var arn = driver.ExecutionArn(kind, uid);
            var execution = await driver.Stack.Engine.Store.GetExecutionAsync(arn, ct);
            if (execution is null)
            {
                parts.Add($"no {kind} execution");
                continue;
            }
            var history = await driver.Stack.Engine.GetHistoryAsync(arn, ct);
            var lastState = history.LastOrDefault(e => e.Type.EndsWith("StateEntered", StringComparison.Ordinal))?.Details?["name"]?.ToString();
            var lastFailure = Figures.FailedSteps(history).Select(f => $"{f.State}: {f.Cause[..Math.Min(160, f.Cause.Length)]}").LastOrDefault();
            parts.Add($"{kind} execution {execution.Status}, last state {lastState}{(lastFailure is null ? "" : $", last failed step {lastFailure}")}");
        }
        return string.Join("; ", parts);
    }

    private static async Task<string> LastStatusAsync(ProductDriver driver, string account, string name, CancellationToken ct)
    {
        try
        {
            return (await driver.GetClusterAsync(account, name, ct))?["status"]?.GetValue<string>() ?? "absent";
        }
        catch (Exception ex) when (ProductDriver.IsTransient(ex, ct))
        {
            return "unknown";
        }
    }
}
