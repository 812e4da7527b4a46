using System.Diagnostics;
using System.Text.Json.Nodes;
using PaletteServerless.Local;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Elbv2;
using PaletteServerless.Local.Node;

namespace PaletteServerless.Benchmarks;

/// <summary>
/// A rolling update of a 3-pool cluster (3 control-plane nodes, two worker pools of 2) that changes every node's
/// launch (the pack values): modelled time from the PATCH to Running against the critical-path lower bound, and
/// transitions, Lambda invocations, table writes and AWS calls per update, worker pools in parallel and one after
/// another. The last line is a JSON object of the figures.
/// </summary>
public static class UpdateBenchmark
{
    public const string Description = "a 3-pool rolling update: modelled time vs critical path, transitions, calls (parallel and sequential worker pools, and a Kubernetes 1.30 -> 1.31 upgrade)";

    private const string Usage = """
        usage: update [--time-scale K] [--timeline] [--iam-off]
          --time-scale K   divides every modelled AWS delay and workflow wait (default 60)
          --timeline       print each update's states as they were entered and left, in modelled seconds
          --iam-off        run the local stack without IAM enforcement (the figures are measured with it; this shows its cost)
        """;

    private sealed record Run(string Mode, double Seconds, double Bound, int Transitions, int Lambdas, long Writes, long CloudCalls);

    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchmarkOptions.Parse(args, ["--time-scale"], ["--timeline", "--iam-off", "--help"], out var error);
        if (error is not null || options.Has("--help"))
        {
            Console.Error.WriteLine(error is null ? Usage : $"{error}\n{Usage}");
            return error is null ? 0 : 64;
        }
        var timeScale = options.Double("--time-scale", 60);
        using var log = new ProductLog(Path.Combine(Path.GetTempPath(), $"palette-update-{Environment.ProcessId}.log"));
        var report = log.Report;
        report.WriteLine($"product log: {log.Path}");
        report.WriteLine($"IAM {(options.Has("--iam-off") ? "off (--iam-off)" : "enforced")}");
        using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        var ct = overall.Token;
        await using var stack = await LocalStack.StartAsync(new LocalStackOptions { Port = 0, TimeScale = timeScale, Iam = !options.Has("--iam-off") }, TextWriter.Null, ct);
        using var driver = new ProductDriver(stack);
        var zones = ProductDriver.ZonesOf(3);
        var runs = new List<Run>();
        var index = 0;
        // The upgrade: 3 control planes and 2 pools of 3 workers (in parallel) move from Kubernetes 1.30.4 to 1.31.2.
        foreach (var (mode, parallel, workers) in new[] { ("parallel", true, 2), ("sequential", false, 2), ("upgrade", true, 3) })
        {
            var account = ProductDriver.Account(++index);
            await driver.SetUpAccountAsync(account, ct);
            var upgrade = mode == "upgrade";
            if (upgrade)
                await driver.AddProfileVersionAsync(account, UpgradeProfile, ct);
            var name = $"roll-{mode}";
            var uid = await driver.CreateClusterAsync(account, name, zones, ct, ClusterJson(name, zones, parallel, workers));
            if (await driver.WaitForStatusAsync(account, name, ["Running", "Failed"], TimeSpan.FromMilliseconds(20), DateTimeOffset.UtcNow.AddMinutes(5), ct) != "Running")
                throw new InvalidOperationException($"cluster {name} did not reach Running");

            var before = stack.Counters.Snapshot();
            var clock = Stopwatch.StartNew();
            bool accepted;
            if (upgrade)
                accepted = await driver.PatchClusterAsync(account, name, """{"profile":{"version":"1.1.0"}}""", ct);
            else
            {
                // A label on every pool: part of every node's launch, so every node rolls (pack values other than the OS's
                // and Kubernetes' are applied in place by the in-cluster agent and roll nothing).
                var pools = (await driver.GetClusterAsync(account, name, ct))!["nodePools"]!.AsArray();
                foreach (var pool in pools)
                    pool!["labels"] = new JsonObject { ["rolled"] = "yes" };
                accepted = await driver.PatchClusterAsync(account, name, new JsonObject { ["nodePools"] = pools.DeepClone() }.ToJsonString(), ct);
            }
            if (!accepted)
                throw new InvalidOperationException($"cluster {name} refused the change");
            var status = await driver.WaitForStatusAsync(account, name, ["Running"], TimeSpan.FromMilliseconds(20), DateTimeOffset.UtcNow.AddMinutes(10), ct);
            var seconds = clock.Elapsed.TotalSeconds * timeScale;
            var cluster = await driver.GetClusterAsync(account, name, ct);
            if (status != "Running" || cluster?["observedGeneration"]?.GetValue<long>() != cluster?["generation"]?.GetValue<long>())
                throw new InvalidOperationException($"cluster {name} did not apply the update: {cluster?["statusReason"]}");
            var history = await driver.CompletedHistoryAsync(driver.UpdateExecutionArn(uid, 1), TimeSpan.FromSeconds(30), ct);
            var delta = Figures.Delta(before, stack.Counters.Snapshot());
            var bound = LowerBoundSeconds(stack.LocalAws.Latency, timeScale, parallel, workers);
            var run = new Run(mode, seconds, bound, Figures.Transitions(history), Figures.LambdaInvocations(history),
                Figures.DynamoDbWrites(delta), Figures.CloudCalls(delta));
            runs.Add(run);
            report.WriteLine($"update {name}: {run.Seconds:F0} s modelled to Running against a {bound:F0} s lower bound = {run.Seconds / bound:F2} x; " +
                $"{run.Transitions} transitions, {run.Lambdas} Lambda invocations, {run.Writes} DynamoDB writes, {run.CloudCalls} AWS API calls");
            if (options.Has("--timeline"))
                Figures.PrintTimeline(report, history, timeScale);
            await driver.DeleteClusterAsync(account, name, ct);
        }

        var figures = new JsonObject
        {
            ["timeScale"] = timeScale, ["pools"] = "control plane 3, workers-a 2, workers-b 2",
            ["upgradePools"] = "control plane 3, workers-a 3, workers-b 3; Kubernetes 1.30.4 -> 1.31.2 (profile 1.0.0 -> 1.1.0)",
        };
        foreach (var run in runs)
        {
            figures[$"{run.Mode}Seconds"] = ProvisionBenchmark.Round(run.Seconds);
            figures[$"{run.Mode}LowerBoundSeconds"] = ProvisionBenchmark.Round(run.Bound);
            figures[$"{run.Mode}Ratio"] = ProvisionBenchmark.Round(run.Seconds / run.Bound, 2);
            figures[$"{run.Mode}Transitions"] = run.Transitions;
            figures[$"{run.Mode}LambdaInvocations"] = run.Lambdas;
            figures[$"{run.Mode}DynamoDbWrites"] = run.Writes;
            figures[$"{run.Mode}AwsCalls"] = run.CloudCalls;
        }
        report.WriteLine(figures.ToJsonString());
        return 0;
    }

    /// <summary>The walk-through's profile at version 1.1.0 with Kubernetes 1.31.2: the upgrade's target.</summary>
    private static readonly string UpgradeProfile = Walkthrough.SampleProfile
        .Replace("\"version\":\"1.0.0\"", "\"version\":\"1.1.0\"", StringComparison.Ordinal)
        .Replace("\"version\":\"1.30.4\"", "\"version\":\"1.31.2\"", StringComparison.Ordinal);

    private static string ClusterJson(string name, IReadOnlyList<string> zones, bool parallel, int workers)
    {
        var zonesJson = "[" + string.Join(",", zones.Select(z => $"\"{z}\"")) + "]";
        return $$"""
            {"name":"{{name}}","cloudAccount":"main","profile":{"name":"ubuntu-k8s","version":"1.0.0"},
             "cloud":{"region":"us-east-1","sshKeyName":"{{ProductDriver.KeyName}}"},"updateWorkerPoolsInParallel":{{(parallel ? "true" : "false")}},
             "nodePools":[
               {"name":"cp","role":"control-plane","count":3,"instanceType":"m5.large","availabilityZones":{{zonesJson}}},
               {"name":"workers-a","role":"worker","count":{{workers}},"instanceType":"m5.large","availabilityZones":{{zonesJson}}},
               {"name":"workers-b","role":"worker","count":{{workers}},"instanceType":"m5.large","availabilityZones":{{zonesJson}}}]}
            """;
    }

    /// <summary>
    /// The shortest possible rolling update of that cluster, in modelled seconds, within its rules. The control plane
    /// keeps its count of healthy targets and has at most one node above count, so each of its 3 nodes in turn: launch
    /// (one call) until running, then its own report of Ready (booted and joined, then Ready) beside being registered
    /// (one call) until healthy, deregister (one call) and the deregistration delay, terminate (one call) until
    /// terminated, before the next may launch. A worker pool (maxSurge 1, maxUnavailable 0) likewise per node: launch
    /// until running, its Ready report, terminate until terminated. Worker pools follow the control plane, side by side
    /// (parallel) or one after the other. A Kubernetes upgrade is the same repave (its nodes boot the new release), so
    /// its bound is this one with its pools' sizes.
    /// </summary>
    public static double LowerBoundSeconds(LatencyModel latency, double timeScale, bool parallel, int workersPerPool = 2)
    {
        double Modelled(string name, TimeSpan? fallback = null) => latency.Of(name, fallback).TotalSeconds * timeScale;
        var call = Modelled(LatencyModel.MutatingCall);
        var running = Modelled(LatencyModel.InstanceRunning);
        var terminated = Modelled(LatencyModel.InstanceTerminated);
        // A node counts once it reported Ready (as in the create's bound); a joining node applies no packs.
        var ready = Modelled(LatencyModel.NodeBoot) + Modelled(LatencyModel.NodeReady);
        var controlPlaneNode = call + running + Math.Max(ready, call + Modelled(LatencyModel.TargetHealthy)) + call
            + Modelled(Elbv2Service.TargetDeregistration, TimeSpan.FromSeconds(300)) + call + terminated;
        var workerPool = workersPerPool * (call + running + ready + call + terminated);
        return 3 * controlPlaneNode + (parallel ? workerPool : 2 * workerPool);
    }
}
