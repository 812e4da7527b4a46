using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Changes;

/// <summary>The day-2 life cycle rules that sit between an accepted spec change and the update workflow (pure).</summary>
public static class ClusterUpdates
{
    /// <summary>Every pool's launch fingerprint in a spec.</summary>
    public static Dictionary<string, string> Fingerprints(ClusterSpec spec) => Fingerprints(ClusterDefinition.From(spec));

    /// <summary>Every pool's launch fingerprint in a cluster definition.</summary>
    public static Dictionary<string, string> Fingerprints(ClusterDefinition cluster) =>
        cluster.NodePools.ToDictionary(p => p.Name, p => LaunchFingerprint.Of(cluster, p), StringComparer.Ordinal);

    /// <summary>
    /// The fingerprint a node was launched with: the one it recorded, else (launched before fingerprints were
    /// recorded) its pool's fingerprint as last applied, so an update that changes nothing in a pool's launch
    /// never rolls it. A node of a pool with neither is unknown ("") and is rolled.
    /// </summary>
    public static string NodeFingerprint(Cluster cluster, string pool, string? recorded) =>
        recorded is { Length: > 0 } ? recorded : cluster.AppliedFingerprints?.GetValueOrDefault(pool) ?? "";

    /// <summary>True when the cloud has not reached the spec: an update has work to do (or a failed one to retry).</summary>
    public static bool IsPending(Cluster cluster) => cluster.ObservedGeneration < cluster.Generation;

    /// <summary>
    /// A Running cluster with an accepted change becomes Updating, under a new update run. The fingerprints of
    /// the spec the cloud last reached are kept first (the spec is still the applied one when nothing was
    /// recorded yet: only a Running cluster starts an update).
    /// </summary>
    public static Cluster Begin(Cluster current, Cluster accepted, string reason) => accepted with
    {
        Status = ClusterStatus.Updating,
        PreviousStatus = current.Status,
        StatusReason = reason,
        UpdateRuns = current.UpdateRuns + 1,
        UpdateExecutionArn = null,
        AppliedFingerprints = current.AppliedFingerprints ?? Fingerprints(current.Definition),
        AppliedTags = current.AppliedTags ?? new Dictionary<string, string>(current.Definition.Tags, StringComparer.Ordinal),
        AppliedPackValues = current.AppliedPackValues ?? PackValuesOf(current),
    };

    /// <summary>The cluster's own pack values (its overrides of the profile's), as <see cref="Cluster.AppliedPackValues"/> records them.</summary>
    public static Dictionary<string, string> PackValuesOf(Cluster cluster) =>
        new(cluster.Definition.Profile.PackValues, StringComparer.Ordinal);

    /// <summary>The cluster as it was with its last applied pack values (the same cluster when none were recorded).</summary>
    public static Cluster WithAppliedPackValues(Cluster cluster) => cluster.AppliedPackValues is { } applied
        ? cluster with { Spec = cluster.Spec with { Profile = cluster.Spec.Profile! with { PackValues = applied } } }
        : cluster;

    /// <summary>
    /// What a tag change does to the resources: the user's tags to set (new or changed) and the keys to remove.
    /// The product's own tags (ownership, discovery, Name, pool, fingerprint) are never touched.
    /// </summary>
    public static (Dictionary<string, string> Set, List<string> Remove) TagChanges(IReadOnlyDictionary<string, string>? applied, IReadOnlyDictionary<string, string>? wanted)
    {
        applied ??= new Dictionary<string, string>();
        wanted ??= new Dictionary<string, string>();
        static bool Ours(string key) => key == "Name" || key.StartsWith("palette.serverless/", StringComparison.Ordinal)
            || key.StartsWith(Provisioning.ResourceTags.CapaClusterPrefix, StringComparison.Ordinal) || key == Provisioning.ResourceTags.CapaRole
            || key.StartsWith(Provisioning.ResourceTags.KubernetesClusterPrefix, StringComparison.Ordinal);
        var set = wanted.Where(t => !Ours(t.Key) && (!applied.TryGetValue(t.Key, out var was) || was != t.Value))
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        var remove = applied.Keys.Where(k => !Ours(k) && !wanted.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        return (set, remove);
    }

    /// <summary>The name of an update run's workflow execution (one per run; a retried start finds the same one).</summary>
    public static string ExecutionName(Cluster cluster) => $"update-{cluster.Uid}-{cluster.UpdateRuns}";
}
