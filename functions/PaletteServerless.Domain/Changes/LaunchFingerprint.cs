using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Changes;

/// <summary>
/// A stable hash of exactly what a node of a pool is launched with: instance type, disk, capacity type, spot
/// price, zones, labels, taints and the values of its OS and Kubernetes packs (lf1 also hashed the profile
/// version and every pack's values, which the in-cluster agent now applies in place). A node records the fingerprint it was
/// launched with; a node whose fingerprint differs from its pool's is stale and is rolled. Everything else
/// (count, tags, description, update strategy, health check) leaves the fingerprint alone.
/// </summary>
public static class LaunchFingerprint
{
    /// <summary>Prefixes the hash, so a future change of what is hashed can be told from this one.</summary>
    public const string Scheme = "lf2";

    /// <summary>The EC2 tag a node carries its fingerprint in (set at RunInstances, so it is never missing).</summary>
    public const string TagKey = "palette.serverless/launch-fingerprint";

    /// <summary>The inventory attribute an instance records its fingerprint in, beside <see cref="Provisioning.NodeAttributes"/>.</summary>
    public const string AttributeName = "launchFingerprint";

    /// <summary>The fingerprint of a pool of a validated wire spec (what a diff of two specs compares).</summary>
    public static string Of(ClusterSpec spec, NodePoolSpec pool) =>
        Of(ClusterDefinition.From(spec), NodePoolDefinition.From(pool, $"nodePools[{pool.Name}]"));

    /// <summary>
    /// The fingerprint of a pool of a cluster. Absent values counted as their defaults (the definition has
    /// them), and order that does not matter (zones, maps, taints) is normalised, so a re-ordered but equal
    /// spec rolls nothing.
    /// </summary>
    public static string Of(ClusterDefinition cluster, NodePoolDefinition pool)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("instanceType", pool.InstanceType);
            json.WriteNumber("diskSizeGiB", pool.DiskSizeGiB);
            json.WriteString("capacityType", pool.CapacityType);
            // 0.05 and 0.050 are the same price: the hash sees the value, not the scale it was written with.
            json.WriteString("maxSpotPrice", pool.MaxSpotPrice?.ToString("0.############################", CultureInfo.InvariantCulture));
            WriteSorted(json, "availabilityZones", pool.AvailabilityZones);
            WriteMap(json, "labels", pool.Labels);
            json.WriteStartArray("taints");
            foreach (var taint in pool.Taints.OrderBy(t => t.Key, StringComparer.Ordinal).ThenBy(t => t.Effect, StringComparer.Ordinal).ThenBy(t => t.Value, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("key", taint.Key);
                json.WriteString("value", taint.Value ?? "");
                json.WriteString("effect", taint.Effect);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            // Only the values of the packs a node is launched with (OS, Kubernetes): the other packs run inside
            // the cluster and change in place (ChangeScope). The profile's version is not hashed: a new version
            // repaves only through what it changes on the nodes (their OS and Kubernetes packs).
            WriteMap(json, "nodePackValues", cluster.Profile.PackValues.Where(p => ChangeScope.IsNodePack(p.Key)).ToDictionary(p => p.Key, p => p.Value));
            // The node packs of the profile version (name@version and their merged values): a Kubernetes upgrade
            // or another OS release changes it, a version that changes only in-cluster packs does not.
            json.WriteString("nodePacks", cluster.Profile.NodePacks ?? "");
            json.WriteEndObject();
        }
        return $"{Scheme}-{Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()))[..32]}";
    }

    private static void WriteSorted(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values.Order(StringComparer.Ordinal))
            json.WriteStringValue(value);
        json.WriteEndArray();
    }

    private static void WriteMap(Utf8JsonWriter json, string name, IEnumerable<KeyValuePair<string, string>> map)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
            json.WriteString(key, value);
        json.WriteEndObject();
    }
}
