using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Edge;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Benchmarks;

/// <summary>What the provision and soak benchmarks count, and the latency model's lower bounds.</summary>
public static class Figures
{
    /// <summary>State transitions: every history event of a state being entered.</summary>
    public static int Transitions(IReadOnlyList<HistoryEvent> history) =>
        history.Count(e => e.Type.EndsWith("StateEntered", StringComparison.Ordinal));

    /// <summary>Lambda invocations: every task or Lambda function scheduled.</summary>
    public static int LambdaInvocations(IReadOnlyList<HistoryEvent> history) =>
        history.Count(e => e.Type is "TaskScheduled" or "LambdaFunctionScheduled");

    // The throttling codes of the services the product calls: EC2; ELBv2 and STS; EventBridge and tagging.
    private static readonly string[] ThrottlingCodes = ["RequestLimitExceeded", "Throttling", "ThrottlingException"];

    /// <summary>
    /// Steps that failed because AWS throttled them: the functions turn a throttling answer that
    /// the SDK's own retries did not get past into a TransientCloudException naming the code,
    /// which the workflow's Retry then takes; each such failure is one TaskFailed event.
    /// </summary>
    public static int ThrottledStepFailures(IReadOnlyList<HistoryEvent> history) =>
        FailedSteps(history).Count(f => ThrottlingCodes.Any(code => f.Cause.Contains(code + ":", StringComparison.Ordinal)));

    /// <summary>
    /// Every failed task of a history: the function that failed (the task's resource; branches of a
    /// Parallel interleave, so the state entered last is not always the one that failed) and its cause.
    /// </summary>
    public static IEnumerable<(string State, string Cause)> FailedSteps(IReadOnlyList<HistoryEvent> history)
    {
        var state = "";
        foreach (var e in history)
        {
            if (e.Type.EndsWith("StateEntered", StringComparison.Ordinal))
                state = e.Details?["name"]?.ToString() ?? "";
            else if (e.Type is "TaskFailed" or "LambdaFunctionFailed")
            {
                var resource = e.Details?["resource"]?.ToString();
                var function = resource is { Length: > 0 } ? resource[(resource.LastIndexOf(':') + 1)..] : state;
                yield return (function, e.Details?["cause"]?.ToString() ?? e.Details?["error"]?.ToString() ?? "");
            }
        }
    }

    /// <summary>Operation counts that grew between two snapshots of the edge counters.</summary>
    public static Dictionary<string, long> Delta(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        after.Select(kv => (kv.Key, Count: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Where(x => x.Count > 0).ToDictionary(x => x.Key, x => x.Count);

    public static long DynamoDbWrites(IReadOnlyDictionary<string, long> delta) =>
        delta.Where(kv => RequestCounters.IsDynamoDbWrite(kv.Key)).Sum(kv => kv.Value);

    public static long CloudCalls(IReadOnlyDictionary<string, long> delta) =>
        delta.Where(kv => RequestCounters.IsCloudCall(kv.Key)).Sum(kv => kv.Value);

    // How the edge names each service's calls (query API version, or JSON target prefix), and whether
    // the product calls it as itself (one bucket for all clusters) rather than in the target account.
    private static readonly Dictionary<string, (string Service, bool ProductAccount)> Services = new(StringComparer.Ordinal)
    {
        ["2016-11-15"] = ("ec2", false),
        ["2015-12-01"] = ("elasticloadbalancing", false),
        ["ResourceGroupsTaggingAPI_20170126"] = ("tagging", false),
        ["2011-06-15"] = ("sts", true),
        ["AWSEvents"] = ("events", true),
    };

    /// <summary>
    /// The token bucket an edge counter key falls in ("2016-11-15/RunInstances" -> ec2 RunInstances,
    /// 2/s, burst 5); null for the product's own table and engine.
    /// </summary>
    public static (string Service, bool ProductAccount, string Category, double RefillPerSecond, double Burst)? BucketOf(string counterKey)
    {
        var separator = counterKey.IndexOfAny(['/', '.']);
        if (separator < 0 || !Services.TryGetValue(counterKey[..separator], out var service))
            return null;
        var (category, refill, burst) = TokenBuckets.CategoryOf(counterKey[(separator + 1)..]);
        return (service.Service, service.ProductAccount, category, refill, burst);
    }

    private static double Modelled(LatencyModel latency, double timeScale, string name) =>
        latency.Of(name).TotalSeconds * timeScale;

    /// <summary>
    /// The shortest possible create, in modelled seconds, whatever the orchestration: the VPC and
    /// then a subnet must exist (two mutating calls, 1 s each) before anything can be placed;
    /// then three chains run side by side, each started by one mutating call: a NAT gateway until
    /// available plus the private route to it; the load balancer until active, then the control
    /// plane registered (one call) and passing two 5 s health checks; the instances until running,
    /// then the first control plane's own reports (booted and joined, Ready, packs applied; the
    /// joining nodes are Ready before its packs are). Zones do not lengthen it: a perfect
    /// orchestrator builds them in parallel.
    /// </summary>
    public static double CreateLowerBoundSeconds(LatencyModel latency, double timeScale)
    {
        var call = Modelled(latency, timeScale, LatencyModel.MutatingCall);
        var healthy = Modelled(latency, timeScale, LatencyModel.TargetHealthy);
        var nat = call + Modelled(latency, timeScale, LatencyModel.NatGatewayAvailable) + call;
        var loadBalancer = call + Modelled(latency, timeScale, LatencyModel.LoadBalancerActive) + call + healthy;
        var reports = Modelled(latency, timeScale, LatencyModel.NodeBoot) + Modelled(latency, timeScale, LatencyModel.NodeReady)
            + Modelled(latency, timeScale, LatencyModel.PacksApplied);
        var instances = call + Modelled(latency, timeScale, LatencyModel.InstanceRunning) + Math.Max(reports, call + healthy);
        return 2 * call + Math.Max(nat, Math.Max(loadBalancer, instances));
    }

    /// <summary>
    /// The shortest possible delete, in modelled seconds: instances terminate and the NAT gateway is
    /// deleted side by side (one call each, then the wait), since subnets cannot go before both;
    /// then the chain of single calls that depend on each other: delete the subnet, the security
    /// group, detach and delete the internet gateway, delete the VPC (5 calls).
    /// </summary>
    public static double DeleteLowerBoundSeconds(LatencyModel latency, double timeScale)
    {
        var call = Modelled(latency, timeScale, LatencyModel.MutatingCall);
        var instances = call + Modelled(latency, timeScale, LatencyModel.InstanceTerminated);
        var nat = call + Modelled(latency, timeScale, LatencyModel.NatGatewayDeleted);
        return Math.Max(instances, nat) + 5 * call;
    }

    /// <summary>
    /// Where a workflow's time went: every state entered and left, at modelled seconds from the
    /// execution's start (Map iterations and Parallel branches interleave, as they ran).
    /// </summary>
    public static void PrintTimeline(TextWriter report, IReadOnlyList<HistoryEvent> history, double timeScale)
    {
        if (history.Count == 0)
            return;
        var start = history[0].Timestamp;
        foreach (var e in history.Where(e => e.Type.EndsWith("StateEntered", StringComparison.Ordinal) || e.Type.EndsWith("StateExited", StringComparison.Ordinal)))
            report.WriteLine($"  {(e.Timestamp - start).TotalSeconds * timeScale,7:F1} s  {e.Type,-22} {e.Details?["name"]}");
    }
}
