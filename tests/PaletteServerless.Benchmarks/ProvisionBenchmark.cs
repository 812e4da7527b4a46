using System.Diagnostics;
using System.Text.Json.Nodes;
using PaletteServerless.Local;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Node;

namespace PaletteServerless.Benchmarks;

/// <summary>
/// Cluster creates and deletes on the local stack with the default latency model: modelled time
/// against the critical-path lower bound, transitions, Lambda invocations, table writes and AWS
/// calls per create; with --scale, many clusters at once under EC2 throttling against the
/// rate-limit bound. The last line is a JSON object of the figures.
/// </summary>
public static class ProvisionBenchmark
{
    // The console; the product's own log lines go to a file meanwhile (see ProductLog).
    private static TextWriter Report = Console.Out;

    public const string Description = "cluster creates/deletes on the local stack: modelled time vs critical path, transitions, calls (--scale: 100 at once, throttled)";

    private const string Usage = """
        usage: provision [--clusters N] [--time-scale K] [--zones Z] [--timeline] [--iam-off]
               provision --scale [--clusters N] [--time-scale K]
          --clusters N     clusters to measure (default 3 one after the other, after one cold-start create and delete that is shown but not averaged; 100 at once with --scale)
          --time-scale K   divides every modelled AWS delay and workflow wait (default 60)
          --zones Z        availability zones per cluster, 1-6 (default 3; always 1 with --scale)
          --scale          create all clusters at once, 5 per target account, EC2 token buckets on
          --timeline       print each create's and delete's states as they were entered and left, in modelled seconds
          --iam-off        run the local stack without IAM enforcement (the figures are measured with it; this shows its cost)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchmarkOptions.Parse(args, ["--clusters", "--time-scale", "--zones"], ["--scale", "--timeline", "--iam-off", "--help"], out var error);
        if (error is not null || options.Has("--help"))
        {
            Console.Error.WriteLine(error is null ? Usage : $"{error}\n{Usage}");
            return error is null ? 0 : 64;
        }
        var scale = options.Has("--scale");
        var clusters = options.Int("--clusters", scale ? 100 : 3);
        var timeScale = options.Double("--time-scale", 60);
        var zones = Math.Min(options.Int("--zones", 3), 6);

        using var log = new ProductLog(Path.Combine(Path.GetTempPath(), $"palette-provision-{Environment.ProcessId}.log"));
        Report = log.Report;
        Report.WriteLine($"product log: {log.Path}");
        using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions
        {
            Port = 0,
            TimeScale = timeScale,
            Throttling = scale,
            // The product's figures are measured with IAM enforced, as the stack runs by default; --iam-off shows its cost.
            Iam = !options.Has("--iam-off"),
        }, TextWriter.Null, overall.Token);
        Report.WriteLine($"IAM {(stack.Options.Iam ? "enforced" : "off (--iam-off)")}");
        using var driver = new ProductDriver(stack);
        return scale
            ? await RunScaleAsync(driver, clusters, timeScale, overall.Token)
            : await RunSequentialAsync(driver, clusters, timeScale, zones, options.Has("--timeline"), overall.Token);
    }

    private sealed record Create(string Name, string Uid, double Seconds, int Transitions, int Lambdas, long Writes, long CloudCalls);

    private sealed record Delete(string Name, double Seconds, int Transitions, int Lambdas, long Writes, long CloudCalls);

    private static async Task<int> RunSequentialAsync(ProductDriver driver, int clusters, double timeScale, int zoneCount, bool timeline, CancellationToken ct)
    {
        var stack = driver.Stack;
        var zones = ProductDriver.ZonesOf(zoneCount);
        var createBound = Figures.CreateLowerBoundSeconds(stack.LocalAws.Latency, timeScale);
        var deleteBound = Figures.DeleteLowerBoundSeconds(stack.LocalAws.Latency, timeScale);
        Report.WriteLine($"provision: {clusters} clusters one after the other, {zones.Count} zones, time scale {timeScale}");
        Report.WriteLine($"critical-path lower bounds (modelled): create {createBound:F0} s, delete {deleteBound:F0} s");

        async Task<Create> CreateAsync(string account, string name)
        {
            var before = stack.Counters.Snapshot();
            var clock = Stopwatch.StartNew();
            var uid = await driver.CreateClusterAsync(account, name, zones, ct);
            var status = await driver.WaitForStatusAsync(account, name, ["Running", "Failed"], TimeSpan.FromMilliseconds(20), DateTimeOffset.UtcNow.AddMinutes(5), ct);
            var seconds = clock.Elapsed.TotalSeconds * timeScale;
            if (status != "Running")
                throw new InvalidOperationException($"cluster {name} ended {status ?? "not Running in time"}");
            var history = await driver.CompletedHistoryAsync(driver.ExecutionArn("provision", uid), TimeSpan.FromSeconds(30), ct);
            var delta = Figures.Delta(before, stack.Counters.Snapshot());
            var create = new Create(name, uid, seconds, Figures.Transitions(history), Figures.LambdaInvocations(history), Figures.DynamoDbWrites(delta), Figures.CloudCalls(delta));
            Report.WriteLine($"create {name}: {create.Seconds:F0} s modelled to Running = {create.Seconds / createBound:F2} x the lower bound; " +
                $"{create.Transitions} transitions, {create.Lambdas} Lambda invocations, {create.Writes} DynamoDB writes, {create.CloudCalls} AWS API calls");
            if (timeline)
                Figures.PrintTimeline(Report, history, timeScale);
            return create;
        }

        async Task<Delete> DeleteAsync(string account, Create created)
        {
            var before = stack.Counters.Snapshot();
            var clock = Stopwatch.StartNew();
            await driver.DeleteClusterAsync(account, created.Name, ct);
            var status = await driver.WaitForStatusAsync(account, created.Name, ["Deleted", "Failed"], TimeSpan.FromMilliseconds(20), DateTimeOffset.UtcNow.AddMinutes(5), ct);
            var seconds = clock.Elapsed.TotalSeconds * timeScale;
            if (status != "Deleted")
                throw new InvalidOperationException($"cluster {created.Name} ended {status ?? "not Deleted in time"}");
            var history = await driver.CompletedHistoryAsync(driver.ExecutionArn("delete", created.Uid), TimeSpan.FromSeconds(30), ct);
            var delta = Figures.Delta(before, stack.Counters.Snapshot());
            var delete = new Delete(created.Name, seconds, Figures.Transitions(history), Figures.LambdaInvocations(history), Figures.DynamoDbWrites(delta), Figures.CloudCalls(delta));
            Report.WriteLine($"delete {created.Name}: {delete.Seconds:F0} s modelled to Deleted = {delete.Seconds / deleteBound:F2} x the lower bound; " +
                $"{delete.Transitions} transitions, {delete.Lambdas} Lambda invocations, {delete.Writes} DynamoDB writes, {delete.CloudCalls} AWS API calls");
            if (timeline)
                Figures.PrintTimeline(Report, history, timeScale);
            return delete;
        }

        // One target account per cluster: a cluster takes one Elastic IP per zone, and an account has 5.
        var accounts = Enumerable.Range(1, clusters + 1).Select(ProductDriver.Account).ToList();
        foreach (var account in accounts)
            await driver.SetUpAccountAsync(account, ct);

        // The run's first create and delete pay the first start of every function and of the local stack's own
        // paths (the JIT, a fraction of a second real, i.e. a minute modelled at time scale 60; a deployed
        // Lambda pays its cold start in real seconds, unscaled). Measured and shown, but not in the averages.
        Report.WriteLine("cold start (the run's first create and delete, not averaged):");
        var coldCreate = await CreateAsync(accounts[^1], "cold");
        var coldDelete = await DeleteAsync(accounts[^1], coldCreate);

        Report.WriteLine($"measured ({clusters} clusters):");
        var creates = new List<Create>();
        for (var i = 0; i < clusters; i++)
            creates.Add(await CreateAsync(accounts[i], $"bench-{i + 1}"));
        var deletes = new List<Delete>();
        for (var i = 0; i < clusters; i++)
            deletes.Add(await DeleteAsync(accounts[i], creates[i]));

        Report.WriteLine(new JsonObject
        {
            ["mode"] = "sequential",
            ["clusters"] = clusters,
            ["zones"] = zones.Count,
            ["timeScale"] = timeScale,
            ["createLowerBoundSeconds"] = Round(createBound),
            ["createSecondsAvg"] = Round(creates.Average(c => c.Seconds)),
            ["createRatioAvg"] = Round(creates.Average(c => c.Seconds) / createBound, 2),
            ["createTransitionsAvg"] = Round(creates.Average(c => c.Transitions)),
            ["createLambdaInvocationsAvg"] = Round(creates.Average(c => c.Lambdas)),
            ["createDynamoDbWritesAvg"] = Round(creates.Average(c => c.Writes)),
            ["createAwsCallsAvg"] = Round(creates.Average(c => c.CloudCalls)),
            ["deleteLowerBoundSeconds"] = Round(deleteBound),
            ["deleteSecondsAvg"] = Round(deletes.Average(d => d.Seconds)),
            ["deleteRatioAvg"] = Round(deletes.Average(d => d.Seconds) / deleteBound, 2),
            ["deleteTransitionsAvg"] = Round(deletes.Average(d => d.Transitions)),
            ["deleteLambdaInvocationsAvg"] = Round(deletes.Average(d => d.Lambdas)),
            ["deleteDynamoDbWritesAvg"] = Round(deletes.Average(d => d.Writes)),
            ["deleteAwsCallsAvg"] = Round(deletes.Average(d => d.CloudCalls)),
            ["createSeconds"] = Array(creates.Select(c => Round(c.Seconds))),
            ["createTransitions"] = Array(creates.Select(c => (double)c.Transitions)),
            ["createLambdaInvocations"] = Array(creates.Select(c => (double)c.Lambdas)),
            ["createDynamoDbWrites"] = Array(creates.Select(c => (double)c.Writes)),
            ["createAwsCalls"] = Array(creates.Select(c => (double)c.CloudCalls)),
            ["deleteSeconds"] = Array(deletes.Select(d => Round(d.Seconds))),
            ["deleteTransitions"] = Array(deletes.Select(d => (double)d.Transitions)),
            ["deleteLambdaInvocations"] = Array(deletes.Select(d => (double)d.Lambdas)),
            ["deleteDynamoDbWrites"] = Array(deletes.Select(d => (double)d.Writes)),
            ["deleteAwsCalls"] = Array(deletes.Select(d => (double)d.CloudCalls)),
            ["coldCreateSeconds"] = Round(coldCreate.Seconds),
            ["coldDeleteSeconds"] = Round(coldDelete.Seconds),
        }.ToJsonString());
        return 0;
    }

    private const int ClustersPerAccount = 5;

    private static async Task<int> RunScaleAsync(ProductDriver driver, int clusters, double timeScale, CancellationToken ct)
    {
        var stack = driver.Stack;
        // 5 clusters of one zone per account stay within its quotas (5 VPCs, 5 Elastic IPs, 50 load balancers).
        var accountCount = (clusters + ClustersPerAccount - 1) / ClustersPerAccount;
        var accounts = Enumerable.Range(1, accountCount).Select(ProductDriver.Account).ToList();
        var zones = ProductDriver.ZonesOf(1);
        var createBound = Figures.CreateLowerBoundSeconds(stack.LocalAws.Latency, timeScale);
        Report.WriteLine($"provision --scale: {clusters} clusters at once over {accountCount} accounts, 1 zone, time scale {timeScale}, EC2 token buckets on");
        foreach (var account in accounts)
            await driver.SetUpAccountAsync(account, ct);

        var before = stack.Counters.Snapshot();
        var clock = Stopwatch.StartNew();
        var deadline = DateTimeOffset.UtcNow.AddMinutes(10);
        var runs = Enumerable.Range(0, clusters).Select(async i =>
        {
            var (account, name) = (accounts[i / ClustersPerAccount], $"scale-{i + 1}");
            var uid = await RetryAsync(() => driver.CreateClusterAsync(account, name, zones, ct), deadline, ct);
            var status = await driver.WaitForStatusAsync(account, name, ["Running", "Failed"], TimeSpan.FromMilliseconds(100), deadline, ct);
            var seconds = clock.Elapsed.TotalSeconds;
            var reason = status == "Failed" ? (await driver.GetClusterAsync(account, name, ct))?["statusReason"]?.GetValue<string>() : null;
            return (Uid: uid, Status: status ?? "stuck", Seconds: seconds, Reason: reason);
        }).ToList();
        var results = await Task.WhenAll(runs);
        var makespan = results.Max(r => r.Seconds);
        var delta = Figures.Delta(before, stack.Counters.Snapshot());

        var throttledStepFailures = 0;
        var failedSteps = new List<(string State, string Cause)>();
        foreach (var result in results)
        {
            var history = await driver.CompletedHistoryAsync(driver.ExecutionArn("provision", result.Uid), TimeSpan.FromSeconds(30), ct);
            throttledStepFailures += Figures.ThrottledStepFailures(history);
            failedSteps.AddRange(Figures.FailedSteps(history));
        }
        // Which steps failed and with what, most frequent first (the cause's first words: ids vary). A step
        // is named by its task resource, or else by the state entered last (inexact inside a Parallel).
        foreach (var step in failedSteps.GroupBy(f => $"{f.State}: {f.Cause[..Math.Min(70, f.Cause.Length)]}").OrderByDescending(g => g.Count()).Take(8))
            Report.WriteLine($"  step failed x{step.Count()} at {step.Key}");

        // The rate-limit bound: the fewest real seconds in which one account's calls of a bucket category
        // can pass its bucket (the burst at once, the rest at the refill rate). The edge counts calls of
        // all accounts together; every target account carries the same clusters, so each made an equal
        // share.
        var perCategory = delta
            .Select(kv => (Bucket: Figures.BucketOf(kv.Key), kv.Value))
            // Only EC2 is throttled by the local AWS's buckets (the published rates are EC2's).
            .Where(x => x.Bucket is not null && x.Bucket.Value.Service == "ec2")
            .GroupBy(x => x.Bucket!.Value)
            .Select(g => (Category: $"{g.Key.Service} {g.Key.Category}", g.Key.RefillPerSecond, g.Key.Burst,
                CallsPerAccount: g.Sum(x => x.Value) / (g.Key.ProductAccount ? 1.0 : accountCount)))
            .Select(c => (c.Category, c.CallsPerAccount, Seconds: Math.Max(0, c.CallsPerAccount - c.Burst) / c.RefillPerSecond))
            .ToList();
        // The counters also count refused (throttled) attempts, which overstate the calls a bucket must
        // pass. RunInstances, the tightest bucket, is counted exactly instead: one successful call per
        // instance, read per account from the inventory, and the slowest account's count is the one used.
        var uids = results.Select(r => r.Uid).ToHashSet();
        var instancesPerAccount = driver.ResourcesOf(uids).Where(r => r.Type == "ec2:instance")
            .GroupBy(r => r.Account).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        var (_, runRefill, runBurst) = TokenBuckets.CategoryOf("RunInstances");
        perCategory.RemoveAll(c => c.Category == "ec2 RunInstances");
        perCategory.Add(("ec2 RunInstances (instances made)", instancesPerAccount, Math.Max(0, instancesPerAccount - runBurst) / runRefill));
        perCategory = [.. perCategory.OrderByDescending(c => c.Seconds)];
        var rateBound = perCategory.Count == 0 ? 0 : perCategory[0].Seconds;
        var criticalPathReal = createBound / timeScale;
        var failed = results.Count(r => r.Status != "Running");

        // Why clusters failed, most frequent first (the reason's first words, ids vary).
        foreach (var reason in results.Where(r => r.Reason is not null).GroupBy(r => r.Reason![..Math.Min(120, r.Reason!.Length)]).OrderByDescending(g => g.Count()).Take(5))
            Report.WriteLine($"  failed x{reason.Count()}: {reason.Key}");
        foreach (var (category, calls, seconds) in perCategory)
            Report.WriteLine($"  {category}: {calls:F0} calls per account -> at least {seconds:F1} s real through its bucket");
        Report.WriteLine($"makespan: {makespan:F1} s real ({makespan * timeScale:F0} s modelled); rate-limit bound {rateBound:F1} s real, " +
            $"critical path {criticalPathReal:F1} s real; makespan = {makespan / Math.Max(rateBound, criticalPathReal):F2} x the larger bound");
        Report.WriteLine($"clusters Running {clusters - failed}, failed or stuck {failed}; workflow steps failed by throttling (RequestLimitExceeded, Throttling, ThrottlingException; after the SDK's own retries, read from the histories): {throttledStepFailures}");
        Report.WriteLine(new JsonObject
        {
            ["mode"] = "scale",
            ["clusters"] = clusters,
            ["accounts"] = accountCount,
            ["timeScale"] = timeScale,
            ["makespanSeconds"] = Round(makespan, 2),
            ["makespanModelledSeconds"] = Round(makespan * timeScale),
            ["rateLimitBoundSeconds"] = Round(rateBound, 2),
            ["rateLimitBoundBucket"] = perCategory.Count == 0 ? null : perCategory[0].Category,
            ["criticalPathSeconds"] = Round(criticalPathReal, 2),
            ["makespanRatio"] = Round(makespan / Math.Max(rateBound, criticalPathReal), 2),
            ["callsPerAccountByBucket"] = new JsonObject(perCategory.Select(c => KeyValuePair.Create(c.Category, (JsonNode?)Round(c.CallsPerAccount)))),
            ["throttledStepFailures"] = throttledStepFailures,
            ["failedClusters"] = failed,
            ["clusterSeconds"] = Array(results.Select(r => Round(r.Seconds, 2))),
        }.ToJsonString());
        return failed == 0 ? 0 : 1;
    }

    /// <summary>Asks again while the API answers 5xx or the connection fails, until the deadline.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, DateTimeOffset deadline, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (ProductDriver.IsTransient(ex, ct) && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(200, ct);
            }
        }
    }

    public static double Round(double value, int digits = 1) => Math.Round(value, digits);

    public static JsonArray Array(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)v).ToArray());
}
