using System.Text;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// EC2 refuses a RunInstances whose user data is over 16 KiB (before base64). A launch is far into a
/// create or an update (the network is built, other nodes run), so a spec whose user data would not
/// fit is refused at validation instead, naming what made it big. The first control plane's user data
/// is the largest (it alone carries the pack values, the RBAC manifest and the packs script), so it is
/// the one measured.
/// </summary>
public static class UserDataLimit
{
    public const int MaxBytes = 16 * 1024;

    /// <summary>
    /// Stand-ins of a real launch's length for what only the create knows: an internet-facing network
    /// load balancer's DNS name at its longest (a 32-character name, its 16-hex-digit id, the region) and
    /// a SHA-256 CA pin.
    /// </summary>
    public const string PlaceholderApiHost = "abcdefghijklmnopqrstuvwxyz012345-0123456789abcdef.elb.ap-southeast-2.amazonaws.com";
    public static readonly string PlaceholderCaCertHash = "sha256:" + new string('0', 64);

    /// <summary>Whether user data can be made of the profile at all: a profile stored before the catalog dropped its Kubernetes minor cannot (and its launch says so).</summary>
    private static bool Launchable(ClusterProfile profile) =>
        profile.PackOfLayer(PackLayers.Kubernetes)?.Version is { } version && PackCatalog.PauseImageOf(version) is not null;

    /// <summary>The name and size in bytes of the largest user data among the cluster's nodes.</summary>
    public static (string Node, int Bytes) Largest(Cluster cluster, ClusterProfile profile)
    {
        var first = ClusterPlan.Build(cluster).Instances.First(i => i.IsFirstControlPlane);
        return (first.Name, UserData.Compress(UserData.Build(cluster, profile, first, PlaceholderApiHost, PlaceholderCaCertHash)).Length);
    }

    /// <summary>
    /// Adds an error when the cluster's largest user data would be over <see cref="MaxBytes"/>: on
    /// <c>profile.packValues.&lt;pack&gt;</c> when one pack's values are given, on <c>profile.packValues</c>
    /// when several are, else on what else makes it big (the profile's own values).
    /// </summary>
    public static void Check(Rules rules, Cluster cluster, ClusterProfile profile)
    {
        if (!Launchable(profile))
            return;
        var overrides = cluster.Definition.Profile.PackValues;
        string node;
        int bytes;
        try
        {
            (node, bytes) = Largest(cluster, profile);
        }
        catch (FormatException ex)
        {
            // The one value the user data computes with (the cluster DNS address from the service CIDR).
            var k8s = profile.PackOfLayer(PackLayers.Kubernetes)!.Name!;
            rules.Add(overrides.ContainsKey(k8s) ? $"profile.packValues.{k8s}" : "profile.name", $"serviceCIDR: {ex.Message}");
            return;
        }
        if (bytes <= MaxBytes)
            return;
        var field = overrides.Count switch
        {
            1 => $"profile.packValues.{overrides.Keys.Single()}",
            > 1 => "profile.packValues",
            _ => "profile.name",
        };
        var what = overrides.Count > 0
            ? "it carries every pack's values: make them smaller"
            : $"it carries the values of profile '{profile.Name}': that profile's packs need smaller values";
        rules.Add(field, $"user data of node {node} would be {bytes} bytes gzip-compressed; EC2 allows {MaxBytes} ({what})");
    }

    /// <summary>
    /// A profile whose own values are too large for any cluster: its user data for the smallest cluster
    /// (one control plane and one worker, no values given, a name of the longest length) over the limit. The error is
    /// on the values of the pack with the most.
    /// </summary>
    public static void CheckProfile(Rules rules, ClusterProfile profile)
    {
        if (!Launchable(profile))
            return;
        var spec = ClusterSpecValidator.Validate(new ClusterSpec
        {
            Name = new string('c', 63),
            CloudAccount = "size-check",
            Profile = new ProfileReference { Name = profile.Name, Version = profile.Version },
            Cloud = new CloudSpec { Region = "ap-southeast-2", SshKeyName = "size-check", VpcCidr = "10.0.0.0/16" },
            NodePools =
            [
                new NodePoolSpec { Name = "control-plane", Role = NodePoolRoles.ControlPlane, Count = 1, InstanceType = "m5.large", AvailabilityZones = ["ap-southeast-2a"] },
                new NodePoolSpec { Name = "workers", Role = NodePoolRoles.Worker, Count = 1, InstanceType = "m5.large", AvailabilityZones = ["ap-southeast-2a"] },
            ],
        });
        var cluster = new Cluster { Scope = new Identity.ProjectScope("size-check", "size-check"), Uid = new string('0', 32), Spec = spec, Status = ClusterStatus.Pending };
        string node;
        int bytes;
        try
        {
            (node, bytes) = Largest(cluster, profile);
        }
        catch (FormatException ex)
        {
            var k8s = (profile.Packs ?? []).FindIndex(p => p.Layer == PackLayers.Kubernetes);
            rules.Add($"packs[{k8s}].values", $"serviceCIDR: {ex.Message}");
            return;
        }
        if (bytes <= MaxBytes)
            return;
        var packs = profile.Packs ?? [];
        var largest = packs.Select((p, i) => (Index: i, Length: Encoding.UTF8.GetByteCount(p.Values ?? ""))).MaxBy(p => p.Length);
        rules.Add($"packs[{largest.Index}].values",
            $"user data of node {node} (the first control plane of the smallest cluster) would be {bytes} bytes; EC2 allows {MaxBytes}: " +
            $"the packs' values make it too big, pack '{packs[largest.Index].Name}' the most ({largest.Length} bytes)");
    }
}
