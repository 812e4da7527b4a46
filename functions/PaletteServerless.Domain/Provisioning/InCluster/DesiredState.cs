using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// One pack as the in-cluster agent applies it. <see cref="Kind"/> <c>helm</c>: <c>helm upgrade --install NAME
/// CHART --repo REPOSITORY --version CHARTVERSION --namespace NAMESPACE --values VALUES</c>; <c>manifest</c>:
/// <c>kubectl apply -f URL</c>, Calico's with the edits of <see cref="Calico"/> (what its values chose).
/// Removed from the document, a pack is uninstalled (<c>helm uninstall</c>, <c>kubectl delete -f</c>).
/// </summary>
public sealed record DesiredPack
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required string Layer { get; init; }
    public required string Kind { get; init; }
    public string? Repository { get; init; }
    public string? Chart { get; init; }
    public string? ChartVersion { get; init; }
    public string? Namespace { get; init; }
    public string? Url { get; init; }
    public CalicoEdits? Calico { get; init; }
    /// <summary>The pack's values (the profile's with the cluster's merged on top), YAML.</summary>
    public string Values { get; init; } = "";
}

/// <summary>The edits Calico documents for a manifest install: the default pool's IP-in-IP and VXLAN modes, and BGP (BIRD) on or off.</summary>
public sealed record CalicoEdits(string Ipip, string Vxlan, bool Bgp);

/// <summary>The RBAC manifest the agent applies, and the bindings it holds (what a later generation prunes when they are gone).</summary>
public sealed record DesiredRbac(string Manifest, IReadOnlyList<string> Bindings);

/// <summary>
/// A cluster's desired in-cluster state, as the product writes it to the cluster's SSM path
/// (<see cref="ParameterName"/>) and the in-cluster agent on the control planes reads it: the generation of
/// the spec it comes from, the packs that run inside the cluster (the implied cloud controller manager, then the
/// profile's network, storage and addon packs, with their merged values) and the RBAC bindings of the API's
/// groups and of <c>settings.rbac</c>. The OS and Kubernetes packs are not in it: a node is launched with them
/// (<see cref="ChangeScope.NodeLayers"/>). More kinds of desired state (backups, scans, virtual clusters) join
/// as fields of their own; an agent ignores fields it does not know and reports the generation it applied.
/// </summary>
public sealed record DesiredState
{
    /// <summary>The document's format; an agent refuses a schema newer than its own (reported as its error).</summary>
    public const int CurrentSchema = 1;

    /// <summary>The parameter's name below the cluster's path.</summary>
    public const string Parameter = "desired-state";

    /// <summary>SSM's advanced tier holds 8 KB per value: the compressed document must fit.</summary>
    public const int MaxParameterChars = 8192;

    public int Schema { get; init; } = CurrentSchema;
    public required string Cluster { get; init; }
    public required long Generation { get; init; }
    public required IReadOnlyList<DesiredPack> Packs { get; init; }
    public required DesiredRbac Rbac { get; init; }
    /// <summary>Velero's location, schedule and on-demand operations when <c>settings.backup</c> is on (<see cref="DesiredBackup"/>).</summary>
    public DesiredBackup? Backup { get; init; }
    /// <summary>kube-bench's image, the results' bucket and the on-demand scans when <c>settings.securityScans</c> is on (<see cref="DesiredScans"/>).</summary>
    public DesiredScans? Scans { get; init; }

    /// <summary>Where a cluster's desired state lives: beside its secrets, under its path.</summary>
    public static string ParameterName(Cluster cluster) => SecretParameters.NameOf(cluster, Parameter);

    /// <summary>
    /// The desired state of a cluster at its current generation, with its profile; with <paramref name="backup"/> (backups
    /// on) Velero joins the packs and the backup section carries its location and <paramref name="operations"/>.
    /// </summary>
    public static DesiredState Of(Cluster cluster, ClusterProfile profile, Backups.BackupLocation? backup = null, IReadOnlyList<Backups.BackupOperation>? operations = null,
        string? scanBucket = null)
    {
        var values = UserData.MergedPackValues(cluster, profile);
        var packs = new List<DesiredPack>();
        foreach (var (name, version, layer, catalog) in UserData.InstalledPacks(profile))
        {
            var packValues = catalog is not null && catalog.Layer == PackLayers.Cloud
                ? UserData.ImpliedPackValues(cluster, catalog)
                : values.GetValueOrDefault(name) ?? "";
            packs.Add(catalog?.Install switch
            {
                HelmChartInstall chart => new DesiredPack
                {
                    Name = name, Version = version, Layer = layer, Kind = "helm", Values = packValues,
                    Repository = chart.Repository, Chart = chart.Chart, ChartVersion = chart.ChartVersion, Namespace = chart.Namespace,
                },
                ManifestInstall manifest when name == "calico" => CalicoPack(name, version, layer, manifest.Url, packValues),
                ManifestInstall manifest => new DesiredPack { Name = name, Version = version, Layer = layer, Kind = "manifest", Url = manifest.Url, Values = packValues },
                // Profile validation admits only catalog packs; one the catalog cannot install is named, and the agent fails on it.
                _ => new DesiredPack { Name = name, Version = version, Layer = layer, Kind = "unknown", Values = packValues },
            });
        }
        var rbac = cluster.Spec.Settings?.Rbac ?? [];
        var desiredBackup = backup is null ? null : DesiredBackup.Of(cluster, backup, operations?.Where(o => o.Kind != Backups.BackupOperation.ScanKind).ToList());
        var desiredScans = scanBucket is null ? null : new DesiredScans
        {
            Bucket = scanBucket,
            Region = cluster.Definition.Cloud.Region,
            NodeRoles = Backups.ScanLocation.NodeRoles(cluster),
            Operations = [.. (operations ?? []).Where(o => o.Kind == Backups.BackupOperation.ScanKind).OrderBy(o => o.RequestedAt).TakeLast(DesiredBackup.MaxOperations)],
        };
        if (desiredBackup is not null)
            packs.Add(desiredBackup.VeleroPack());
        return new DesiredState
        {
            Backup = desiredBackup,
            Scans = desiredScans,
            Cluster = cluster.Name,
            Generation = Math.Max(cluster.Generation, 1),
            Packs = packs,
            Rbac = new DesiredRbac(KubernetesGroups.RbacBindingsManifest(rbac),
                [.. rbac.Select((b, i) => b.Type == "RoleBinding" ? $"RoleBinding/{b.Namespace}/palette-settings-{i}" : $"ClusterRoleBinding/palette-settings-{i}")]),
        };
    }

    private static DesiredPack CalicoPack(string name, string version, string layer, string url, string values)
    {
        var (encapsulation, bgp, typha) = PackNetworkRequirements.CalicoSettings(values);
        var (ipip, vxlan) = CalicoManifest.PoolModes(encapsulation);
        return new DesiredPack
        {
            Name = name, Version = version, Layer = layer, Kind = "manifest", Values = values,
            Url = typha ? url.Replace("/calico.yaml", "/calico-typha.yaml", StringComparison.Ordinal) : url,
            Calico = new CalicoEdits(ipip, vxlan, bgp),
        };
    }

    /// <summary>The document as JSON (camelCase).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, DesiredStateJsonContext.Default.DesiredState);

    /// <summary>The document from its JSON; null when it is not one.</summary>
    public static DesiredState? FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, DesiredStateJsonContext.Default.DesiredState);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The parameter's value: the JSON gzip-compressed and base64-encoded (pack values may be 32 KiB each;
    /// compressed, a cluster's fit SSM's 8 KB). The agent reads it with <c>base64 -d | gunzip</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Even compressed, the document does not fit one parameter.</exception>
    public string ToParameterValue()
    {
        var value = UserData.Encode(ToJson());
        if (value.Length > MaxParameterChars)
            throw new InvalidOperationException($"the cluster's desired in-cluster state is {value.Length} characters compressed, more than an SSM parameter's {MaxParameterChars}: shorten the pack values");
        return value;
    }

    /// <summary>The document from a parameter's value (<see cref="ToParameterValue"/>); null when it is not one.</summary>
    public static DesiredState? FromParameterValue(string value)
    {
        try
        {
            var bytes = Convert.FromBase64String(value);
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            return FromJson(reader.ReadToEnd());
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DesiredState))]
internal sealed partial class DesiredStateJsonContext : JsonSerializerContext;
