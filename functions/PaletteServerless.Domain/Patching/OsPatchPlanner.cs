using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Patching;

/// <summary>A running node of the cluster as EC2 describes it: its pool and its patch report tag (<see cref="OsPatchReport.TagKey"/>), if any.</summary>
public sealed record PatchNodeObservation(string InstanceId, string Pool, string? Report);

/// <summary>One pass of a patch run: the run as it now stands, the nodes asked to patch now, and whether it is over.</summary>
public sealed record OsPatchPass(OsPatchRun Run, IReadOnlyList<string> Requested, bool Done);

/// <summary>
/// Patching in place, node by node, within each pool's update strategy: the control-plane pool first and one node at
/// a time (etcd keeps its quorum through a reboot), then the worker pools (in parallel when the cluster updates its
/// worker pools in parallel, else one after another), each with at most <c>maxUnavailable</c> nodes patching at once
/// (at least one: a pool whose strategy surges instead, maxUnavailable 0, patches one node at a time, as nothing can
/// be patched in place without taking a node). A node is done when it reports the run patched or failed; one that
/// reports nothing for <see cref="NodeTimeout"/> has failed. After a failure no further node starts: the run ends
/// when the nodes under way have ended, and names every failed node with why.
/// </summary>
public static class OsPatchPlanner
{
    /// <summary>How long a node may take to patch, reboot and report (unattended-upgrade, a drain, a reboot, the kubelet Ready again).</summary>
    public static readonly TimeSpan NodeTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The run's start: every running node, control planes first, then the pools in the spec's order.</summary>
    public static OsPatchRun Begin(string id, string trigger, DateTimeOffset now, IEnumerable<PatchNodeObservation> running, ClusterDefinition definition)
    {
        var order = definition.NodePools.OrderBy(p => p.IsControlPlane ? 0 : 1).Select(p => p.Name).ToList();
        return new OsPatchRun
        {
            Id = id,
            Trigger = trigger,
            StartedAt = now,
            Result = OsPatchRun.Running,
            Nodes = [.. running.OrderBy(n => order.IndexOf(n.Pool) is var i and >= 0 ? i : order.Count).ThenBy(n => n.InstanceId, StringComparer.Ordinal)
                .Select(n => new OsPatchNode { InstanceId = n.InstanceId, Pool = n.Pool, State = OsPatchNode.Waiting })],
        };
    }

    public static OsPatchPass Next(OsPatchRun run, IReadOnlyList<PatchNodeObservation> running, ClusterDefinition definition, DateTimeOffset now)
    {
        var seen = running.ToDictionary(n => n.InstanceId, StringComparer.Ordinal);
        var nodes = run.Nodes.Select(n => Observe(run.Id, n, seen.GetValueOrDefault(n.InstanceId), now)).ToList();
        if (!nodes.Any(n => n.State == OsPatchNode.Failed))
            Start(nodes, definition, now);
        var requested = nodes.Where(n => n.State == OsPatchNode.Patching).Select(n => n.InstanceId).ToList();
        var failed = nodes.Where(n => n.State == OsPatchNode.Failed).ToList();
        var done = requested.Count == 0 && (failed.Count > 0 || nodes.All(n => n.State != OsPatchNode.Waiting));
        var next = run with { Nodes = nodes };
        if (done)
        {
            next = next with
            {
                CompletedAt = now,
                Result = failed.Count == 0 ? OsPatchRun.Completed : OsPatchRun.Failed,
                Message = failed.Count == 0
                    ? $"{nodes.Count(n => n.State == OsPatchNode.Patched)} node(s) patched" + Skipped(nodes)
                    : $"{failed.Count} node(s) failed to patch: " + string.Join("; ", failed.Select(n => $"{n.InstanceId} ({n.Pool}): {n.Message}"))
                        + $"; {nodes.Count(n => n.State == OsPatchNode.Patched)} patched, {nodes.Count(n => n.State == OsPatchNode.Waiting)} not started",
            };
        }
        return new OsPatchPass(next, requested, done);
    }

    private static string Skipped(List<OsPatchNode> nodes) =>
        nodes.Count(n => n.State == OsPatchNode.Gone) is var gone and > 0 ? $", {gone} gone during the run" : "";

    private static OsPatchNode Observe(string run, OsPatchNode node, PatchNodeObservation? seen, DateTimeOffset now)
    {
        if (node.State is not (OsPatchNode.Waiting or OsPatchNode.Patching))
            return node;
        if (seen is null)
            return node with { State = OsPatchNode.Gone, CompletedAt = now, Message = "no longer running" };
        if (node.State == OsPatchNode.Waiting)
            return node;
        if (OsPatchReport.Parse(seen.Report) is { } report && report.Run == run)
            return node with { State = report.Patched ? OsPatchNode.Patched : OsPatchNode.Failed, CompletedAt = now, Message = report.Detail };
        if (node.StartedAt is { } started && now - started >= NodeTimeout)
            return node with { State = OsPatchNode.Failed, CompletedAt = now, Message = $"reported nothing within {NodeTimeout.TotalMinutes:0} minutes" };
        return node;
    }

    private static void Start(List<OsPatchNode> nodes, ClusterDefinition definition, DateTimeOffset now)
    {
        var pools = definition.NodePools.ToDictionary(p => p.Name, StringComparer.Ordinal);
        bool Unfinished(string pool) => nodes.Any(n => n.Pool == pool && n.State is OsPatchNode.Waiting or OsPatchNode.Patching);
        bool IsControlPlane(string pool) => pools.GetValueOrDefault(pool)?.IsControlPlane ?? false;
        var order = nodes.Select(n => n.Pool).Distinct().ToList();
        var active = order.Where(IsControlPlane).Where(Unfinished).ToList();
        if (active.Count == 0)
        {
            var workers = order.Where(p => !IsControlPlane(p) && Unfinished(p)).ToList();
            active = definition.UpdateWorkerPoolsInParallel ? workers : [.. workers.Take(1)];
        }
        foreach (var pool in active)
        {
            var spec = pools.GetValueOrDefault(pool);
            var allowed = spec is null || spec.IsControlPlane ? 1 : Math.Max(1, spec.UpdateStrategy.MaxUnavailable.Resolve(spec.Count, roundUp: false));
            var underWay = nodes.Count(n => n.Pool == pool && n.State == OsPatchNode.Patching);
            for (var i = 0; i < nodes.Count && underWay < allowed; i++)
            {
                if (nodes[i].Pool != pool || nodes[i].State != OsPatchNode.Waiting)
                    continue;
                nodes[i] = nodes[i] with { State = OsPatchNode.Patching, StartedAt = now };
                underWay++;
            }
        }
    }
}

/// <summary>
/// What a node reports of a patch run, by tagging its own instance with <see cref="TagKey"/>: <c>RUN patched DETAIL</c>
/// or <c>RUN failed: DETAIL</c>; and with <see cref="LevelTagKey"/> when it last applied every security update (UTC,
/// <c>yyyy-MM-ddTHH:mmZ</c>), at boot (<c>settings.osPatchOnBoot</c>) or in a run.
/// </summary>
public sealed record OsPatchReport(string Run, bool Patched, string Detail)
{
    public const string TagKey = "palette.serverless/os-patch";
    public const string LevelTagKey = "palette.serverless/os-patch-level";

    public static OsPatchReport? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var parts = value.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
            return null;
        var outcome = parts[1].TrimEnd(':');
        if (outcome is not ("patched" or "failed"))
            return null;
        var detail = parts.Length > 2 ? parts[2] : "";
        return new OsPatchReport(parts[0], outcome == "patched", outcome == "patched" ? "patched " + detail : detail);
    }
}
