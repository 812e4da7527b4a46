using System.Diagnostics;
using System.Text.Json.Nodes;
using PaletteServerless.Local;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Node;

namespace PaletteServerless.Benchmarks;

/// <summary>
/// One large cluster (a control plane of 3, one worker pool of N in 3 zones) created, rolled (every worker,
/// maxSurge 10%) and deleted with EC2's token buckets on, refilling per modelled second: each phase's modelled
/// time against its lower bound (the latency model's critical path, or what the buckets allow when that is longer),
/// RunInstances calls, throttled calls and launches lost or doubled. The last line is a JSON object of the figures.
/// </summary>
public static class LargeBenchmark
{
    public const string Description = "one cluster of N workers (default 500) created, rolled (maxSurge 10%) and deleted under EC2's token buckets, vs its bounds";

    private const string Usage = """
        usage: large [--workers N] [--time-scale K] [--iam-off] [--timeline]
          --workers N      worker nodes, 1-500 (default 500), in 3 zones, beside a control plane of 3
          --time-scale K   divides every modelled AWS delay and workflow wait; the token buckets refill per modelled second (default 10)
          --iam-off        run the local stack without IAM enforcement
          --timeline       print the create's, the update's and the delete's states as they were entered and left, in modelled seconds
        """;

    private const int ControlPlanes = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchmarkOptions.Parse(args, ["--workers", "--time-scale"], ["--iam-off", "--timeline", "--help"], out var error);
        if (error is not null || options.Has("--help"))
        {
            Console.Error.WriteLine(error is null ? Usage : $"{error}\n{Usage}");
            return error is null ? 0 : 64;
        }
        var workers = Math.Min(options.Int("--workers", 500), 500);
        // 10, not the other benchmarks' 20: the local stack's own work for 500 modelled nodes on a small machine (their
        // reports, pod network checks and EC2 calls) is real time, which the time scale multiplies into modelled time.
        var timeScale = options.Double("--time-scale", 10);
        using var log = new ProductLog(Path.Combine(Path.GetTempPath(), $"palette-large-{Environment.ProcessId}.log"));
        var report = log.Report;
        report.WriteLine($"product log: {log.Path}");
        using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        var ct = overall.Token;
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions
        {
            Port = 0,
            TimeScale = timeScale,
            Throttling = true,
            ThrottlingInModelledTime = true,
            // An account raised for the cluster and its surge (m5.large: 2 vCPUs), as a team running 500 nodes asks.
            OnDemandVcpuQuota = 2 * 2 * (workers + ControlPlanes) + 64,
            Iam = !options.Has("--iam-off"),
        }, TextWriter.Null, ct);
        using var driver = new ProductDriver(stack);
        var zones = ProductDriver.ZonesOf(3);
        var account = ProductDriver.Account(1);
        await driver.SetUpAccountAsync(account, ct);
        const string name = "large";
        var latency = stack.LocalAws.Latency;
        var createBound = Figures.CreateLowerBoundSeconds(latency, timeScale);
        var updateBound = LargeBounds.UpdateSeconds(latency, timeScale, workers);
        var deleteBound = Figures.DeleteLowerBoundSeconds(latency, timeScale);
        report.WriteLine($"large: {ControlPlanes} control planes and {workers} workers in {zones.Count} zones, time scale {timeScale}, EC2 token buckets per modelled second");
        report.WriteLine($"lower bounds (modelled): create {createBound:F0} s, update {updateBound:F0} s, delete {deleteBound:F0} s");

        var before = stack.Counters.Snapshot();
        var throttledBefore = stack.LocalAws.ThrottledCalls;
        string? uid = null;
        var lost = 0;

        var clock = Stopwatch.StartNew();
        uid = await driver.CreateClusterAsync(account, name, zones, ct, ClusterJson(name, zones, workers, ""));
        var status = await driver.WaitForStatusAsync(account, name, ["Running", "Failed"], TimeSpan.FromMilliseconds(50), DateTimeOffset.UtcNow.AddMinutes(8), ct);
        var createSeconds = clock.Elapsed.TotalSeconds * timeScale;
        if (status != "Running")
            throw new InvalidOperationException($"cluster {name} ended {status ?? "not Running in time"}: {(await driver.GetClusterAsync(account, name, ct))?["statusReason"]}");
        lost += Extra(driver, uid, workers);
        if (options.Has("--timeline"))
            Figures.PrintTimeline(report, await driver.CompletedHistoryAsync(driver.ExecutionArn("provision", uid), TimeSpan.FromSeconds(30), ct), timeScale);
        report.WriteLine($"create: {createSeconds:F0} s modelled = {createSeconds / createBound:F2} x the lower bound; live instances beyond the plan {lost}");

        clock.Restart();
        if (!await driver.PatchClusterAsync(account, name, PoolsPatch(zones, workers, "\"labels\":{\"rev\":\"2\"},"), ct))
            throw new InvalidOperationException($"cluster {name} refused the change");
        await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        status = await driver.WaitForStatusAsync(account, name, ["Running", "Failed"], TimeSpan.FromMilliseconds(50), DateTimeOffset.UtcNow.AddMinutes(8), ct);
        var updateSeconds = clock.Elapsed.TotalSeconds * timeScale;
        var cluster = await driver.GetClusterAsync(account, name, ct);
        if (status != "Running" || cluster?["observedGeneration"]?.GetValue<long>() != cluster?["generation"]?.GetValue<long>())
            throw new InvalidOperationException($"cluster {name} did not apply the update: {cluster?["statusReason"]}");
        var afterUpdate = Extra(driver, uid, workers);
        lost += afterUpdate;
        if (options.Has("--timeline"))
            Figures.PrintTimeline(report, await driver.CompletedHistoryAsync(driver.UpdateExecutionArn(uid, 1), TimeSpan.FromSeconds(30), ct), timeScale);
        report.WriteLine($"update: {updateSeconds:F0} s modelled = {updateSeconds / updateBound:F2} x the lower bound; live instances beyond the plan {afterUpdate}");

        clock.Restart();
        await driver.DeleteClusterAsync(account, name, ct);
        status = await driver.WaitForStatusAsync(account, name, ["Deleted", "Failed"], TimeSpan.FromMilliseconds(50), DateTimeOffset.UtcNow.AddMinutes(5), ct);
        var deleteSeconds = clock.Elapsed.TotalSeconds * timeScale;
        if (status != "Deleted")
            throw new InvalidOperationException($"cluster {name} ended {status ?? "not Deleted in time"}");
        var leftAfterDelete = driver.ResourcesOf(new HashSet<string> { uid }).Count(r => r.Type == "ec2:instance" && r.State is "pending" or "running" or "stopping" or "stopped");
        lost += leftAfterDelete;
        if (options.Has("--timeline"))
            Figures.PrintTimeline(report, await driver.CompletedHistoryAsync(driver.ExecutionArn("delete", uid), TimeSpan.FromSeconds(30), ct), timeScale);
        report.WriteLine($"delete: {deleteSeconds:F0} s modelled = {deleteSeconds / deleteBound:F2} x the lower bound; instances left {leftAfterDelete}");

        var delta = Figures.Delta(before, stack.Counters.Snapshot());
        var runInstances = delta.Where(kv => kv.Key.EndsWith("RunInstances", StringComparison.Ordinal)).Sum(kv => kv.Value);
        report.WriteLine(new JsonObject
        {
            ["workers"] = workers,
            ["timeScale"] = timeScale,
            ["createSeconds"] = ProvisionBenchmark.Round(createSeconds),
            ["createLowerBoundSeconds"] = ProvisionBenchmark.Round(createBound),
            ["createRatio"] = ProvisionBenchmark.Round(createSeconds / createBound, 2),
            ["updateSeconds"] = ProvisionBenchmark.Round(updateSeconds),
            ["updateLowerBoundSeconds"] = ProvisionBenchmark.Round(updateBound),
            ["updateRatio"] = ProvisionBenchmark.Round(updateSeconds / updateBound, 2),
            ["deleteSeconds"] = ProvisionBenchmark.Round(deleteSeconds),
            ["deleteLowerBoundSeconds"] = ProvisionBenchmark.Round(deleteBound),
            ["deleteRatio"] = ProvisionBenchmark.Round(deleteSeconds / deleteBound, 2),
            ["runInstancesCalls"] = runInstances,
            ["throttledCalls"] = stack.LocalAws.ThrottledCalls - throttledBefore,
            ["lostLaunches"] = lost,
        }.ToJsonString());
        return lost == 0 ? 0 : 1;
    }

    /// <summary>
    /// Launched and not the cluster's: live instances of the cluster beyond its plan (a node launched twice, or
    /// launched and never recorded, stays live while the recorded ones are all the plan asks for).
    /// </summary>
    private static int Extra(ProductDriver driver, string uid, int workers) =>
        Math.Max(0, driver.ResourcesOf(new HashSet<string> { uid }).Count(r => r.Type == "ec2:instance" && r.State is "pending" or "running") - workers - ControlPlanes);

    private static string ClusterJson(string name, IReadOnlyList<string> zones, int workers, string workerExtra) =>
        $$"""
        {"name":"{{name}}","cloudAccount":"main","profile":{"name":"ubuntu-k8s","version":"1.0.0"},
         "cloud":{"region":"us-east-1","sshKeyName":"{{ProductDriver.KeyName}}"},
         {{PoolsPatch(zones, workers, workerExtra)[1..^1]}}}
        """;

    private static string PoolsPatch(IReadOnlyList<string> zones, int workers, string workerExtra)
    {
        var zonesJson = "[" + string.Join(",", zones.Select(z => $"\"{z}\"")) + "]";
        return $$"""
            {"nodePools":[
               {"name":"cp","role":"control-plane","count":{{ControlPlanes}},"instanceType":"m5.large","availabilityZones":{{zonesJson}}},
               {"name":"workers","role":"worker","count":{{workers}},"instanceType":"m5.large","availabilityZones":{{zonesJson}},{{workerExtra}}
                "updateStrategy":{"type":"RollingUpdate","maxSurge":"10%","maxUnavailable":0} } ]}
            """;
    }
}

/// <summary>The large benchmark's update bound.</summary>
public static class LargeBounds
{
    /// <summary>
    /// The shortest roll of a worker pool of <paramref name="workers"/> with maxSurge 10% (rounded up) and maxUnavailable 0,
    /// in modelled seconds: the nodes go in waves of the surge, since a node asked to terminate still counts until it is
    /// gone; each wave launches (one call per zone batch, side by side) until running, its nodes' own Ready reports (booted
    /// and joined, then Ready), then terminates the wave's old nodes (one call) until terminated. EC2's buckets do not
    /// lengthen it: a wave's instances (tens) are far within RunInstances' resource bucket (1000, refilled 2/s) and
    /// TerminateInstances' (1000, 20/s), and its calls within the request buckets' bursts.
    /// </summary>
    public static double UpdateSeconds(LatencyModel latency, double timeScale, int workers)
    {
        double Modelled(string name) => latency.Of(name).TotalSeconds * timeScale;
        var surge = (int)Math.Ceiling(workers * 0.10);
        var waves = (int)Math.Ceiling(workers / (double)surge);
        var call = Modelled(LatencyModel.MutatingCall);
        var wave = call + Modelled(LatencyModel.InstanceRunning) + Modelled(LatencyModel.NodeBoot) + Modelled(LatencyModel.NodeReady)
            + call + Modelled(LatencyModel.InstanceTerminated);
        return waves * wave;
    }
}
