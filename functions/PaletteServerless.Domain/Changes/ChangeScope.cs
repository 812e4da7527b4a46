using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Domain.Changes;

/// <summary>
/// Where a change of a cluster's packs or settings is applied. <see cref="Nodes"/>: what a node is launched
/// with changes (its OS or Kubernetes pack: the image, kubeadm, the kubelet), so the nodes are repaved;
/// <see cref="InCluster"/>: only what runs inside the cluster changes (the network, storage and addon packs,
/// their values, the RBAC bindings), applied in place by the in-cluster agent with no node replaced.
/// </summary>
public static class ChangeScope
{
    public const string None = "None";
    public const string InCluster = "InCluster";
    public const string Nodes = "Nodes";

    /// <summary>The layers a node is launched with: a change of their pack (name, version or values) repaves.</summary>
    public static readonly IReadOnlyList<string> NodeLayers = [PackLayers.Os, PackLayers.Kubernetes];

    /// <summary>Whether the pack named <paramref name="pack"/> is one a node is launched with (by its catalog layer: pack names are the catalog's).</summary>
    public static bool IsNodePack(string pack) =>
        PackCatalog.Packs.FirstOrDefault(p => p.Name == pack) is { } known && NodeLayers.Contains(known.Layer);

    /// <summary>
    /// How moving from one profile (with the cluster's pack values) to another is applied: a different OS or
    /// Kubernetes pack (name, version, or merged values) is <see cref="Nodes"/>; otherwise any other difference
    /// in the packs (added, removed, another version, other values) is <see cref="InCluster"/>. A profile version
    /// change is judged by what it changes, not by its number.
    /// </summary>
    public static string OfProfiles(ClusterProfile was, IReadOnlyDictionary<string, string> wasValues, ClusterProfile now, IReadOnlyDictionary<string, string> nowValues)
    {
        // The nodes' side is exactly what the launch fingerprint sees of the profile (NodePacksOf).
        if (NodePacksOf(was, wasValues) != NodePacksOf(now, nowValues))
            return Nodes;
        var before = Packs(was, wasValues);
        var after = Packs(now, nowValues);
        var keys = before.Keys.Union(after.Keys).Where(k => !NodeLayers.Contains(k));
        return keys.Any(k => !Equals(before.GetValueOrDefault(k), after.GetValueOrDefault(k))) ? InCluster : None;
    }

    /// <summary>
    /// What nodes are launched with from <paramref name="profile"/>: its OS and Kubernetes packs as name@version,
    /// and a hash of their merged values (<see cref="ProfileReference.NodePacks"/>).
    /// </summary>
    public static string NodePacksOf(ClusterProfile profile, IReadOnlyDictionary<string, string> values)
    {
        var packs = Packs(profile, values);
        var nodePacks = NodeLayers.Where(packs.ContainsKey).Select(layer => packs[layer]).ToList();
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", nodePacks.Select(p => p.Values))));
        return string.Join(",", nodePacks.Select(p => $"{p.Name}@{p.Version}")) + "#" + Convert.ToHexStringLower(hash)[..12];
    }

    /// <summary>The spec with <see cref="ProfileReference.NodePacks"/> set from the profile it names.</summary>
    public static ClusterSpec WithNodePacks(ClusterSpec spec, ClusterProfile profile) => spec with
    {
        Profile = spec.Profile! with { NodePacks = NodePacksOf(profile, spec.Profile.PackValues ?? []) },
    };

    /// <summary>The scope of a change of <c>settings.rbac</c> alone: in the cluster, or nothing.</summary>
    public static string OfRbac(IReadOnlyList<RbacBinding>? was, IReadOnlyList<RbacBinding>? now) =>
        Provisioning.KubernetesGroups.RbacBindingsManifest(was) == Provisioning.KubernetesGroups.RbacBindingsManifest(now) ? None : InCluster;

    /// <summary>The wider of two scopes (Nodes over InCluster over None).</summary>
    public static string Widest(string a, string b) => Rank(a) >= Rank(b) ? a : b;

    private static int Rank(string scope) => scope switch { Nodes => 2, InCluster => 1, _ => 0 };

    /// <summary>Each pack by a key (its layer for the node layers, which have one pack each; its name otherwise) with its version and merged values.</summary>
    private static Dictionary<string, (string Name, string Version, string Values)> Packs(ClusterProfile profile, IReadOnlyDictionary<string, string> values)
    {
        var merged = Provisioning.UserData.MergedPackValues(profile, values);
        return (profile.Packs ?? []).ToDictionary(
            p => NodeLayers.Contains(p.Layer!) ? p.Layer! : "pack:" + p.Name,
            p => (p.Name!, p.Version!.TrimStart('v'), merged.GetValueOrDefault(p.Name!) ?? ""),
            StringComparer.Ordinal);
    }
}
