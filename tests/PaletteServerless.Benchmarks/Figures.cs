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

    /// <summary>
    /// Steps that failed because AWS throttled them: the functions turn a throttling answer that
    /// the SDK's own retries did not get past into a TransientCloudException naming the code.
    /// </summary>
    public static int ThrottledStepFailures(IReadOnlyList<HistoryEvent> history) =>
        history.Count(e => e.Type is "TaskFailed" or "LambdaFunctionFailed"
            && (e.Details?.ToString() ?? "").Contains("RequestLimitExceeded", StringComparison.Ordinal));

    /// <summary>Operation counts that grew between two snapshots of the edge counters.</summary>
    public static Dictionary<string, long> Delta(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        after.Select(kv => (kv.Key, Count: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Where(x => x.Count > 0).ToDictionary(x => x.Key, x => x.Count);

    public static long DynamoDbWrites(IReadOnlyDictionary<string, long> delta) =>
        delta.Where(kv => RequestCounters.IsDynamoDbWrite(kv.Key)).Sum(kv => kv.Value);

    public static long CloudCalls(IReadOnlyDictionary<string, long> delta) =>
        delta.Where(kv => RequestCounters.IsCloudCall(kv.Key)).Sum(kv => kv.Value);

    /// <summary>The EC2 operation name of an edge counter key ("2016-11-15/RunInstances" -> "RunInstances"), null for other services.</summary>
    public static string? Ec2Operation(string counterKey) =>
        counterKey.StartsWith("2016-11-15/", StringComparison.Ordinal) ? counterKey["2016-11-15/".Length..] : null;

    private static double Modelled(LatencyModel latency, double timeScale, string name) =>
        latency.Of(name).TotalSeconds * timeScale;

    /// <summary>
    /// The shortest possible create, in modelled seconds, whatever the orchestration: the VPC and
    /// then a subnet must exist (two mutating calls, 1 s each) before anything can be placed;
    /// then three chains run side by side, each started by one mutating call: a NAT gateway until
    /// available plus the private route to it, the load balancer until active, the instances until
    /// running; then the control plane is registered (one call) and passes two 5 s health checks.
    /// Zones do not lengthen it: a perfect orchestrator builds them in parallel.
    /// </summary>
    public static double CreateLowerBoundSeconds(LatencyModel latency, double timeScale)
    {
        var call = Modelled(latency, timeScale, LatencyModel.MutatingCall);
        var nat = call + Modelled(latency, timeScale, LatencyModel.NatGatewayAvailable) + call;
        var loadBalancer = call + Modelled(latency, timeScale, LatencyModel.LoadBalancerActive);
        var instances = call + Modelled(latency, timeScale, LatencyModel.InstanceRunning);
        return 2 * call + Math.Max(nat, Math.Max(loadBalancer, instances)) + call + Modelled(latency, timeScale, LatencyModel.TargetHealthy);
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
}
