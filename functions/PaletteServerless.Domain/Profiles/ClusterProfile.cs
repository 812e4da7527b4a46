using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Profiles;

/// <summary>An infrastructure cluster profile: the OS, Kubernetes, network and storage packs a cluster runs.</summary>
public sealed record ClusterProfile
{
    public string? Name { get; init; }
    public string? Version { get; init; }
    public string? Description { get; init; }
    public List<Pack>? Packs { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Only in the answer of GET .../clusterprofiles/{name}: every version of the profile, oldest first.</summary>
    public List<ClusterProfile>? Versions { get; init; }

    /// <summary>The profile's Kubernetes version (its k8s pack's), or null when it has none.</summary>
    public string? KubernetesVersionOf() => PackOfLayer(PackLayers.Kubernetes)?.Version;

    public Pack? PackOfLayer(string layer) => Packs?.FirstOrDefault(p => p.Layer == layer);
}

public sealed record Pack
{
    /// <summary>os, k8s, cni, csi or addon.</summary>
    public string? Layer { get; init; }
    public string? Name { get; init; }
    public string? Version { get; init; }
    /// <summary>The pack's values as YAML text.</summary>
    public string? Values { get; init; }
}

public static class PackLayers
{
    public const string Os = "os";
    public const string Kubernetes = "k8s";
    public const string Network = "cni";
    public const string Storage = "csi";
    public const string Addon = "addon";

    /// <summary>Packs no profile names: every cluster gets them (<see cref="PackCatalog.ImpliedBy"/>).</summary>
    public const string Cloud = "cloud";

    public static readonly string[] All = [Os, Kubernetes, Network, Storage, Addon];
    public static readonly string[] ExactlyOne = [Os, Kubernetes, Network, Storage];
}

public static class ClusterProfileValidator
{
    public const int MaxPacks = 50;

    public static ClusterProfile Validate(ClusterProfile profile)
    {
        var rules = new Rules();
        rules.DnsLabel("name", profile.Name, 1, 63);
        rules.SemVer("version", profile.Version);
        rules.MaxLength("description", profile.Description, 1024);
        var packs = profile.Packs ?? [];
        if (packs.Count > MaxPacks)
            rules.Add("packs", $"must have at most {MaxPacks} packs");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < packs.Count; i++)
        {
            var at = $"packs[{i}]";
            var pack = packs[i];
            if (!rules.Required(at, pack))
                continue;
            var errorsBefore = rules.Errors.Count;
            if (rules.Required($"{at}.layer", pack.Layer))
                rules.OneOf($"{at}.layer", pack.Layer, PackLayers.All);
            rules.DnsLabel($"{at}.name", pack.Name, 1, 63);
            if (pack.Name is not null && !names.Add(pack.Name))
                rules.Add($"{at}.name", $"must be unique: another pack is already named '{pack.Name}'");
            if (rules.Required($"{at}.version", pack.Version))
                rules.MaxLength($"{at}.version", pack.Version, 64);
            // The catalog is asked only about a pack that is well formed, so each field gets one clear error.
            if (rules.Errors.Count == errorsBefore)
                CheckCatalog(rules, at, pack);
            // Values are read further only once they are plain YAML: nothing expands an alias bomb.
            if (rules.Yaml($"{at}.values", pack.Values, $"the values of pack '{pack.Name}'"))
            {
                foreach (var error in PackNetworkRequirements.ValueErrors(pack.Name, pack.Values))
                    rules.Add($"{at}.values", error);
            }
            if (pack.Values is { Length: > 32 * 1024 })
                rules.Add($"{at}.values", "must be at most 32 KiB");
        }
        foreach (var layer in PackLayers.ExactlyOne)
        {
            var count = packs.Count(p => p?.Layer == layer);
            if (count != 1)
                rules.Add("packs", $"must have exactly one pack of layer '{layer}' (found {count})");
        }
        if (packs.FirstOrDefault(p => p?.Layer == PackLayers.Kubernetes) is { Version: { } k8s } && !KubernetesVersion.IsValid(k8s))
            rules.Add($"packs[{packs.FindIndex(p => p?.Layer == PackLayers.Kubernetes)}].version", "must be a Kubernetes version such as 1.30.4");
        else if (rules.IsValid)
            CheckSupport(rules, packs);
        rules.ThrowIfInvalid();
        return profile with { Packs = packs };
    }

    /// <summary>Every network and storage pack must support the profile's Kubernetes minor, as its compatibility matrix says.</summary>
    private static void CheckSupport(Rules rules, List<Pack> packs)
    {
        var minor = PackCatalog.MinorOf(packs.First(p => p.Layer == PackLayers.Kubernetes).Version!);
        for (var i = 0; i < packs.Count; i++)
        {
            if (PackCatalog.Find(packs[i].Name!, packs[i].Version!) is { SupportedMinors: { } range } entry && !entry.Supports(minor))
            {
                var fits = PackCatalog.Packs.Where(p => p.Name == entry.Name && p.SupportedMinors is not null && p.Supports(minor)).Select(p => p.Version);
                rules.Add($"packs[{i}].version",
                    $"{entry.Name} {entry.Version} supports Kubernetes {range.Oldest} to {range.Newest}, not {minor}; versions that support {minor}: {string.Join(", ", fits)}");
            }
        }
    }

    /// <summary>The pack must be one <see cref="PackCatalog"/> has, of its layer, at a version it has.</summary>
    private static void CheckCatalog(Rules rules, string at, Pack pack)
    {
        var sameName = PackCatalog.Packs.Where(p => p.Name == pack.Name).ToList();
        if (sameName.Count == 0)
        {
            var ofLayer = PackCatalog.Packs.Where(p => p.Layer == pack.Layer).Select(p => p.Name).Distinct();
            rules.Add($"{at}.name", $"'{pack.Name}' is not a pack of the catalog; the packs of layer '{pack.Layer}' are: {string.Join(", ", ofLayer)}");
            return;
        }
        if (sameName[0].KubernetesMinor is not null)
        {
            rules.Add($"{at}.name", $"'{pack.Name}' is part of every cluster (the catalog pins it per Kubernetes minor); a profile does not name it");
            return;
        }
        if (sameName[0].Layer != pack.Layer)
        {
            rules.Add($"{at}.layer", $"pack '{pack.Name}' is of layer '{sameName[0].Layer}'");
            return;
        }
        // A Kubernetes version that is not MAJOR.MINOR.PATCH is reported by the Kubernetes rule below.
        if (sameName[0].MatchesAnyPatch && !KubernetesVersion.IsValid(pack.Version!))
            return;
        if (PackCatalog.Find(pack.Name!, pack.Version!) is null)
        {
            rules.Add($"{at}.version",
                $"pack '{pack.Name}' has no version '{pack.Version}' in the catalog; supported versions: {string.Join(", ", PackCatalog.VersionsOf(pack.Name!))}");
        }
    }
}

public static class KubernetesVersion
{
    /// <summary>MAJOR.MINOR.PATCH with an optional leading 'v': what kubeadm's --kubernetes-version takes.</summary>
    public static bool IsValid(string version) =>
        System.Text.RegularExpressions.Regex.IsMatch(version, @"^v?1\.[0-9]{1,3}\.[0-9]{1,3}\z");

    /// <summary>The numbers of a version (1.31.2, v1.31.2 or a minor such as 1.31), for comparing.</summary>
    public static int[] Parts(string version) =>
        [.. version.TrimStart('v').Split('.').Select(p => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0)];

    /// <summary>Orders two versions by their numbers, minor by minor then patch.</summary>
    public static int Compare(string a, string b)
    {
        var (x, y) = (Parts(a), Parts(b));
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var c = (i < x.Length ? x[i] : 0).CompareTo(i < y.Length ? y[i] : 0);
            if (c != 0)
                return c;
        }
        return 0;
    }

    /// <summary>Orders two versions by their minor release only (1.31.2 and 1.31.9 are equal).</summary>
    public static int CompareMinor(string a, string b) => Compare(PackCatalog.MinorOf(a), PackCatalog.MinorOf(b));

    /// <summary>How many minors <paramref name="to"/> is past <paramref name="from"/> (negative when older); majors are all 1.</summary>
    public static int MinorsBetween(string from, string to) => Parts(to)[1] - Parts(from)[1];
}
