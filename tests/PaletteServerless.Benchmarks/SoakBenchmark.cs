using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaletteServerless.Local;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Node;

namespace PaletteServerless.Benchmarks;

/// <summary>
/// Full cluster lifecycles (create, Running or Failed, an update when Running, delete, Deleted) side by side on the local
/// stack under injected AWS faults and step crashes, with one restart of the whole stack in the
/// middle. Counts completed lifecycles, clusters stuck, resources leaked and resources created
/// twice. The last line is a JSON object of the figures.
/// </summary>
public static class SoakBenchmark
{
    // The console; the product's own log lines go to a file meanwhile (see ProductLog).
    private static TextWriter Report = Console.Out;

    public const string Description = "concurrent full lifecycles under AWS faults, step crashes and one stack restart: stuck, leaked, duplicated";

    private const string Usage = """
        usage: soak [--lifecycles M] [--time-scale K] [--seed S]
          --lifecycles M   clusters created and deleted side by side (default 50)
          --time-scale K   divides every modelled AWS delay and workflow wait (default 120)
          --seed S         seed of the fault draws and step crashes (default 1)
        """;

    // Two single-zone clusters per target account stay well within its quotas (5 VPCs, 5 Elastic IPs).
    private const int ClustersPerAccount = 2;

    // Resources the product keeps per account, not per cluster.
    private static readonly HashSet<string> NotLeaks = ["ec2:key-pair", "events:event-bus"];

    // States in which a resource is gone (still listed for a while, as AWS does).
    private static readonly HashSet<string> Gone = ["terminated", "deleted"];

    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchmarkOptions.Parse(args, ["--lifecycles", "--time-scale", "--seed"], ["--help"], out var error);
        if (error is not null || options.Has("--help"))
        {
            Console.Error.WriteLine(error is null ? Usage : $"{error}\n{Usage}");
            return error is null ? 0 : 64;
        }
        var lifecycles = options.Int("--lifecycles", 50);
        var timeScale = options.Double("--time-scale", 120);
        var seed = options.Int("--seed", 1);

        // The data and the fault profile go when the soak ends; the product's log stays for a look afterwards.
        var workDirectory = Directory.CreateTempSubdirectory("palette-soak-");
        using var log = new ProductLog(Path.Combine(Path.GetTempPath(), $"palette-soak-{Environment.ProcessId}.log"));
        Report = log.Report;
        Report.WriteLine($"product log: {log.Path}");
        try
        {
            return await SoakAsync(lifecycles, timeScale, seed, workDirectory.FullName);
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
    };

    private sealed record Outcome(string Name, string Uid, string CreatedAs, string FinalStatus);

    private static async Task<int> SoakAsync(int lifecycles, double timeScale, int seed, string workDirectory)
    {
        var profilePath = Path.Combine(workDirectory, "faults.json");
        await File.WriteAllTextAsync(profilePath, JsonSerializer.Serialize(Faults(seed), FaultProfile.FileJson));
        var stackOptions = new LocalStackOptions
        {
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

        Report.WriteLine($"soak: {lifecycles} lifecycles side by side, time scale {timeScale}, seed {seed}, step crash rate {stackOptions.StepCrashRate}, " +
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
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watching = seen.WatchAsync(driver, stopWatching.Token);

        var firstDelete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        var deadline = DateTimeOffset.UtcNow + lifecycleBudget;
        var runs = Enumerable.Range(0, lifecycles)
            .Select(i => RunLifecycleAsync(driver, accounts[i / ClustersPerAccount], $"soak-{i + 1}", deadline, firstDelete, ct)).ToList();

        // The restart: once the first cluster is being deleted, others are still being created.
        await Task.WhenAny(firstDelete.Task, Task.Delay(lifecycleBudget / 4, ct));
        await Task.Delay(TimeSpan.FromMilliseconds(300), ct);
        var restartAt = clock.Elapsed.TotalSeconds;
        Report.WriteLine($"restarting the local stack at {restartAt:F1} s ...");
        await driver.Stack.DisposeAsync();
        driver.Stack = await LocalStack.StartAsync(stackOptions, TextWriter.Null, ct);
        Report.WriteLine($"restarted in {clock.Elapsed.TotalSeconds - restartAt:F1} s");

        var outcomes = await Task.WhenAll(runs);
        var elapsed = clock.Elapsed.TotalSeconds;
        await stopWatching.CancelAsync();
        await watching;

        var uids = outcomes.Select(o => o.Uid).Where(u => u.Length > 0).ToHashSet();
        var allDeleted = outcomes.All(o => o.FinalStatus == "Deleted");
        var leaks = driver.ResourcesOf(uids).Where(r => !NotLeaks.Contains(r.Type) && !Gone.Contains(r.State)).ToList();
        // One more worker for the update of every lifecycle that reached Running.
        var duplicates = seen.Duplicates(uids, zones: 1, ProductDriver.PlannedInstances + 1);

        foreach (var outcome in outcomes.Where(o => o.FinalStatus != "Deleted"))
            Report.WriteLine($"  stuck: {outcome.Name} uid {outcome.Uid} created as {outcome.CreatedAs}, last status {outcome.FinalStatus}; " +
                await DiagnoseAsync(driver, outcome.Uid, ct));
        foreach (var cluster in leaks.GroupBy(r => (Uid: r.Tags[ProductDriver.UidTag], r.Account)))
            Report.WriteLine($"  leaked of cluster {cluster.Key.Uid} in {cluster.Key.Account}: " +
                string.Join(", ", cluster.GroupBy(r => $"{r.Type} ({r.State})").Select(g => $"{g.Count()} {g.Key}")));
        foreach (var duplicate in duplicates)
            Report.WriteLine($"  created twice: {duplicate}");
        var completed = outcomes.Count(o => o.FinalStatus == "Deleted");
        var running = outcomes.Count(o => o.CreatedAs == "Running");
        var failed = outcomes.Count(o => o.CreatedAs == "Failed");
        Report.WriteLine($"lifecycles completed {completed}/{lifecycles} (created Running {running}, created Failed {failed}) in {elapsed:F1} s real; " +
            $"stuck {lifecycles - completed}, leaked {leaks.Count}, created twice {duplicates.Count}{(allDeleted ? "" : " (leaks counted with clusters not Deleted)")}");
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
            ["restartAtSeconds"] = Math.Round(restartAt, 1),
            ["elapsedSeconds"] = Math.Round(elapsed, 1),
        }.ToJsonString());
        await driver.Stack.DisposeAsync();
        return completed == lifecycles && leaks.Count == 0 && duplicates.Count == 0 ? 0 : 1;
    }

    private static async Task<Outcome> RunLifecycleAsync(ProductDriver driver, string account, string name, DateTimeOffset deadline, TaskCompletionSource firstDelete, CancellationToken ct)
    {
        var uid = "";
        try
        {
            uid = await ProvisionBenchmark.RetryAsync(() => driver.CreateClusterAsync(account, name, ProductDriver.ZonesOf(1), ct), deadline, ct);
            var created = await driver.WaitForStatusAsync(account, name, ["Running", "Failed"], TimeSpan.FromMilliseconds(100), deadline, ct);
            if (created is null)
                return new Outcome(name, uid, "stuck", await LastStatusAsync(driver, account, name, ct));
            if (created == "Running")
            {
                // Day 2: one update (a scale-out by one worker) between Running and the delete; it ends Running, updated or not.
                await ProvisionBenchmark.RetryAsync(() => driver.PatchClusterAsync(account, name, ProductDriver.ScaleWorkersPatch(ProductDriver.ZonesOf(1), 2), ct), deadline, ct);
                if (await driver.WaitForStatusAsync(account, name, ["Running"], TimeSpan.FromMilliseconds(100), deadline, ct) is null)
                    return new Outcome(name, uid, "stuck", await LastStatusAsync(driver, account, name, ct));
            }
            firstDelete.TrySetResult();
            await ProvisionBenchmark.RetryAsync(async () => { await driver.DeleteClusterAsync(account, name, ct); return true; }, deadline, ct);
            var deleted = await driver.WaitForStatusAsync(account, name, ["Deleted"], TimeSpan.FromMilliseconds(100), deadline, ct);
            return new Outcome(name, uid, created, deleted ?? await LastStatusAsync(driver, account, name, ct));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A refused call is a finding of the soak, not a reason to stop the others.
            Report.WriteLine($"  {name}: {ex.GetType().Name}: {ex.Message}");
            return new Outcome(name, uid, "error", "error");
        }
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

    /// <summary>
    /// Every resource id ever seen per cluster uid and type, from the local AWS inventory read
    /// every 50 ms: a resource made twice shows even if the second was removed again later.
    /// </summary>
    private sealed class ResourceWatch
    {
        private readonly ConcurrentDictionary<(string Uid, string Type), ConcurrentDictionary<string, string>> _seen = new();

        public async Task WatchAsync(ProductDriver driver, CancellationToken ct)
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    foreach (var resource in driver.Stack.LocalAws.Inventory().Resources)
                    {
                        if (resource.Tags.TryGetValue(ProductDriver.UidTag, out var uid))
                            _seen.GetOrAdd((uid, resource.Type), _ => new())[resource.Id] = resource.State;
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException or NullReferenceException or ObjectDisposedException)
                {
                    // The stack is being swapped.
                }
                try
                {
                    await Task.Delay(50, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        /// <summary>"uid type: n (planned p)" for every cluster with more of a type than planned.</summary>
        public List<string> Duplicates(IReadOnlySet<string> uids, int zones, int instances)
        {
            var planned = new Dictionary<string, int>
            {
                ["ec2:vpc"] = 1,
                ["ec2:internet-gateway"] = 1,
                ["ec2:natgateway"] = zones,
                ["elasticloadbalancing:loadbalancer"] = 1,
                ["ec2:instance"] = instances,
            };
            return [.. _seen
                .Where(kv => uids.Contains(kv.Key.Uid) && planned.TryGetValue(kv.Key.Type, out var most) && kv.Value.Count > most)
                .Select(kv => $"{kv.Key.Uid} {kv.Key.Type}: {kv.Value.Count} (planned {planned[kv.Key.Type]}): {string.Join(", ", kv.Value.Select(r => $"{r.Key} {r.Value}"))}")];
        }
    }
}
