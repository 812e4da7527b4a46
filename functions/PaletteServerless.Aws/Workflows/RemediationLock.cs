using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Aws.Workflows;

/// <summary>What a request to remediate a cluster came to.</summary>
public enum RemediationStart
{
    /// <summary>A new remediation workflow runs.</summary>
    Started,
    /// <summary>One already runs: the request is noted on the cluster, and the run judges the nodes again before it ends.</summary>
    AlreadyRunning,
    /// <summary>The cluster is not Running (an update or a delete owns it, or it is gone): no remediation.</summary>
    NotRunning,
}

/// <summary>Starts a cluster's remediation unless one runs: the seam the triggers are tested through.</summary>
public interface IRemediationStarter
{
    Task<RemediationStart> TryStartAsync(Cluster cluster, CancellationToken ct);
}

/// <summary>What a remediation run's end came to.</summary>
public enum RemediationFinish
{
    /// <summary>The lock is released: the next request starts a new run.</summary>
    Released,
    /// <summary>Requests came in while the run held the lock: it keeps the lock and judges the nodes again.</summary>
    JudgeAgain,
    /// <summary>The run no longer held the lock (another run took it over, or the cluster is gone).</summary>
    NotHeld,
}

/// <summary>
/// One remediation at a time per cluster: the run's execution ARN is written into the cluster record by a
/// conditional write (on the version read) before the execution starts, and named from the cluster's uid and
/// run number, so two triggers racing start one run. A lock whose execution no longer runs (it ended, or its
/// start was lost) is taken over. A request that finds a run going is counted on the cluster record, and the run
/// judges the nodes again before it releases the lock: an event that comes after a run's last judgement (a spot
/// warning, with two minutes to act) is not left to the next periodic check. An update or a delete never looks at
/// the lock: the remediation steps stop when they see the cluster is no longer Running, and the last one releases it.
/// </summary>
public sealed class RemediationLock(IClusterStore clusters, StepFunctionsClient stepFunctions, string stateMachineArn) : IRemediationStarter
{
    public static string ExecutionName(Cluster cluster, long run) => $"remediate-{cluster.Uid}-{run}";

    public async Task<RemediationStart> TryStartAsync(Cluster cluster, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await clusters.GetAsync(cluster.Scope, cluster.Name, ct);
            if (current is null || current.Uid != cluster.Uid || current.Status != ClusterStatus.Running)
                return RemediationStart.NotRunning;
            if (current.RemediationExecutionArn is { } held && await IsRunningAsync(held, ct))
            {
                // One noted request makes the run judge again: a burst of events (many spot warnings at once) writes once.
                if (current.RemediationRequests > 0)
                    return RemediationStart.AlreadyRunning;
                try
                {
                    await clusters.UpdateAsync(current with { RemediationRequests = current.RemediationRequests + 1 }, current.Version, ct);
                    return RemediationStart.AlreadyRunning;
                }
                catch (ConflictException) when (attempt < 10)
                {
                    continue;
                }
            }
            var run = current.RemediationRuns + 1;
            var name = ExecutionName(current, run);
            var arn = StepFunctionsWorkflowStarter.ExecutionArn(stateMachineArn, name);
            Cluster locked;
            try
            {
                locked = await clusters.UpdateAsync(current with { RemediationRuns = run, RemediationExecutionArn = arn, RemediationRequests = 0 }, current.Version, ct);
            }
            catch (ConflictException) when (attempt < 10)
            {
                continue;
            }
            try
            {
                await stepFunctions.StartExecutionAsync(stateMachineArn, name, StepFunctionsWorkflowStarter.Input(locked, arn), ct);
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "ExecutionAlreadyExists")
            {
                // Ours: the name is this run's alone.
            }
            Observability.JsonLog.Metric($"cluster {locked.Name}: remediation run {run} started",
                new Dictionary<string, double> { [Manifest.ProductMetrics.RemediationsStarted] = 1 }, Observability.JsonLog.Of(locked, arn));
            return RemediationStart.Started;
        }
    }

    /// <summary>
    /// A run's end: releases the lock if <paramref name="executionArn"/> still holds it, unless requests came in
    /// meanwhile and <paramref name="mayJudgeAgain"/> (the run ended normally, within its bounds): then the run keeps
    /// the lock, the requests are taken in, and it judges the nodes again.
    /// </summary>
    public static async Task<RemediationFinish> FinishAsync(IClusterStore clusters, Cluster cluster, string executionArn, bool mayJudgeAgain, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await clusters.GetAsync(cluster.Scope, cluster.Name, ct);
            if (current is null || current.Uid != cluster.Uid || current.RemediationExecutionArn != executionArn)
                return RemediationFinish.NotHeld;
            var again = mayJudgeAgain && current.RemediationRequests > 0 && current.Status == ClusterStatus.Running;
            try
            {
                await clusters.UpdateAsync(again
                    ? current with { RemediationRequests = 0 }
                    : current with { RemediationExecutionArn = null, RemediationRequests = 0 }, current.Version, ct);
                return again ? RemediationFinish.JudgeAgain : RemediationFinish.Released;
            }
            catch (ConflictException) when (attempt < 10)
            {
            }
        }
    }

    private async Task<bool> IsRunningAsync(string executionArn, CancellationToken ct)
    {
        try
        {
            return (await stepFunctions.DescribeExecutionAsync(executionArn, ct)).Status == "RUNNING";
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ExecutionDoesNotExist")
        {
            // The start after the lock was lost: the lock is stale.
            return false;
        }
    }
}
