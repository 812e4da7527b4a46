using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Changes;

/// <summary>How a change touches one pool's nodes.</summary>
public static class PoolChangeKinds
{
    /// <summary>Nothing about the pool changes.</summary>
    public const string None = "None";
    /// <summary>Applied without touching nodes: tags, description, update strategy, health check.</summary>
    public const string InPlace = "InPlace";
    /// <summary>Only the count grows: nodes are added.</summary>
    public const string ScaleOut = "ScaleOut";
    /// <summary>Only the count shrinks: nodes are removed, from the fullest zone, oldest first.</summary>
    public const string ScaleIn = "ScaleIn";
    /// <summary>The launch fingerprint changes: every node is rolled (a count change rides along).</summary>
    public const string Replace = "Replace";
    /// <summary>A new pool: all its nodes are launched.</summary>
    public const string Add = "Add";
    /// <summary>A removed pool: all its nodes are terminated.</summary>
    public const string Remove = "Remove";
}

/// <summary>One pool's change: its kind, the fields that changed (relative to the pool), counts and fingerprints.</summary>
public sealed record PoolChange(
    string Pool, string Role, string Kind, IReadOnlyList<string> ChangedFields,
    int OldCount, int NewCount, string? OldFingerprint, string? NewFingerprint);

/// <summary>
/// The difference between two validated specs: the changed cluster-level fields (JSON paths, outside
/// nodePools) and, pool by pool (matched by name), how the pool's nodes are affected.
/// </summary>
public sealed record SpecDiff(IReadOnlyList<string> ChangedFields, IReadOnlyList<PoolChange> Pools)
{
    public bool IsEmpty => ChangedFields.Count == 0 && Pools.All(p => p.Kind == PoolChangeKinds.None);
}

public static class ClusterDiff
{
    /// <summary>Cluster fields applied in place to every resource the cluster owns.</summary>
    private static readonly string[] RetaggingFields = ["tags", "description"];

    public static SpecDiff Of(ClusterSpec old, ClusterSpec next)
    {
        (old, next) = (WithPoolPolicyDefaults(old), WithPoolPolicyDefaults(next));
        var (oldJson, nextJson) = (ToJson(old), ToJson(next));
        var clusterFields = new List<string>();
        foreach (var name in oldJson.Select(p => p.Key).Union(nextJson.Select(p => p.Key)).Where(n => n != "nodePools"))
            ChangedPaths(oldJson[name], nextJson[name], name, clusterFields);
        var retag = clusterFields.Any(f => RetaggingFields.Any(r => f == r || f.StartsWith(r + ".", StringComparison.Ordinal)));

        var oldPools = (old.NodePools ?? []).ToDictionary(p => p.Name!, StringComparer.Ordinal);
        var nextPools = (next.NodePools ?? []).ToDictionary(p => p.Name!, StringComparer.Ordinal);
        var pools = new List<PoolChange>();
        foreach (var pool in next.NodePools ?? [])
        {
            var fingerprint = LaunchFingerprint.Of(next, pool);
            if (!oldPools.TryGetValue(pool.Name!, out var before))
            {
                pools.Add(new PoolChange(pool.Name!, pool.Role!, PoolChangeKinds.Add, [], 0, pool.Count ?? 0, null, fingerprint));
                continue;
            }
            var changed = new List<string>();
            ChangedPaths(ToJson(before), ToJson(pool), "", changed);
            var oldFingerprint = LaunchFingerprint.Of(old, before);
            var (oldCount, newCount) = (before.Count ?? 0, pool.Count ?? 0);
            var kind = oldFingerprint != fingerprint ? PoolChangeKinds.Replace
                : newCount > oldCount ? PoolChangeKinds.ScaleOut
                : newCount < oldCount ? PoolChangeKinds.ScaleIn
                : changed.Count > 0 || retag ? PoolChangeKinds.InPlace
                : PoolChangeKinds.None;
            pools.Add(new PoolChange(pool.Name!, pool.Role!, kind, changed, oldCount, newCount, oldFingerprint, fingerprint));
        }
        foreach (var pool in (old.NodePools ?? []).Where(p => !nextPools.ContainsKey(p.Name!)))
            pools.Add(new PoolChange(pool.Name!, pool.Role!, PoolChangeKinds.Remove, [], pool.Count ?? 0, 0, LaunchFingerprint.Of(old, pool), null));
        return new SpecDiff(clusterFields, pools);
    }

    /// <summary>Every changed field of two specs as JSON paths, pools named by index in the new spec (or the old one when removed).</summary>
    public static IReadOnlyList<string> Describe(ClusterSpec a, ClusterSpec b)
    {
        var changed = new List<string>();
        ChangedPaths(ToJson(WithPoolPolicyDefaults(a)), ToJson(WithPoolPolicyDefaults(b)), "", changed);
        return changed;
    }

    /// <summary>A spec stored before pools had an update strategy and a health check has their defaults: not a change.</summary>
    private static ClusterSpec WithPoolPolicyDefaults(ClusterSpec spec) => spec.NodePools is null ? spec : spec with
    {
        NodePools = spec.NodePools.Select(p => p with
        {
            UpdateStrategy = ClusterSpecValidator.WithDefaults(p.UpdateStrategy),
            HealthCheck = ClusterSpecValidator.WithDefaults(p.HealthCheck),
        }).ToList(),
    };

    /// <summary>
    /// The order pools are updated in: the control-plane pool alone first, then the worker pools, all in one
    /// stage when updateWorkerPoolsInParallel is true, else one stage per pool in spec order.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Stages(ClusterSpec spec) => Stages(ClusterDefinition.From(spec));

    /// <inheritdoc cref="Stages(ClusterSpec)"/>
    public static IReadOnlyList<IReadOnlyList<string>> Stages(ClusterDefinition cluster)
    {
        var stages = new List<IReadOnlyList<string>>();
        stages.AddRange(cluster.NodePools.Where(p => p.IsControlPlane).Select(p => (IReadOnlyList<string>)[p.Name]));
        var workers = cluster.NodePools.Where(p => p.Role == NodePoolRoles.Worker).Select(p => p.Name).ToList();
        if (cluster.UpdateWorkerPoolsInParallel)
        {
            if (workers.Count > 0)
                stages.Add(workers);
        }
        else
        {
            stages.AddRange(workers.Select(w => (IReadOnlyList<string>)[w]));
        }
        return stages;
    }

    private static JsonObject ToJson(ClusterSpec spec) => JsonSerializer.SerializeToNode(spec, SpecJsonContext.Default.ClusterSpec)!.AsObject();

    private static JsonObject ToJson(NodePoolSpec pool) => JsonSerializer.SerializeToNode(pool, SpecJsonContext.Default.NodePoolSpec)!.AsObject();

    /// <summary>Objects member by member; anything else (arrays included) compared whole, as a merge patch replaces it.</summary>
    private static void ChangedPaths(JsonNode? a, JsonNode? b, string at, List<string> changed)
    {
        if (a is JsonObject objectA && b is JsonObject objectB)
        {
            foreach (var name in objectA.Select(p => p.Key).Union(objectB.Select(p => p.Key)))
                ChangedPaths(objectA[name], objectB[name], at.Length == 0 ? name : $"{at}.{name}", changed);
            return;
        }
        if (!JsonNode.DeepEquals(a, b))
            changed.Add(at);
    }
}

/// <summary>The spec as JSON, for comparisons (source-generated, no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClusterSpec))]
[JsonSerializable(typeof(NodePoolSpec))]
internal sealed partial class SpecJsonContext : JsonSerializerContext;
