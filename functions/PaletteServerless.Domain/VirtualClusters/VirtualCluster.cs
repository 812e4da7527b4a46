using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.VirtualClusters;

/// <summary>The states of a virtual cluster: asked for, serving, failed to install, being removed.</summary>
public static class VirtualClusterStatus
{
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Failed = "Failed";
    public const string Deleting = "Deleting";
    /// <summary>Only in an agent's report: the release and its namespace are gone (the record then goes too).</summary>
    public const string Deleted = "Deleted";

    public static readonly IReadOnlyList<string> All = [Pending, Running, Failed, Deleting];
}

/// <summary>
/// One virtual cluster of a host cluster: a release of the pinned vcluster chart (<see cref="VirtualClusterChart"/>) in
/// the namespace <c>vcluster-&lt;name&gt;</c> of the host, kept in the table under the host cluster's uid.
/// </summary>
public sealed record VirtualCluster
{
    public required string Name { get; init; }
    public required string Status { get; init; }
    /// <summary>Why it is in its status (a failure: the agent's error).</summary>
    public string? StatusReason { get; init; }
    /// <summary>The host namespace of its release.</summary>
    public required string Namespace { get; init; }
    /// <summary>The vcluster release it runs (the chart's version).</summary>
    public required string ChartVersion { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>The JWT subject of who created it.</summary>
    public required string CreatedBy { get; init; }
}

/// <summary>What the in-cluster agent last reported for one virtual cluster (its report parameter), kubeconfig included once it runs.</summary>
public sealed record VirtualClusterReport
{
    public string? Status { get; init; }
    public string? Message { get; init; }
    public string? Kubeconfig { get; init; }

    /// <summary>The value the product creates the parameter with, before the agent writes it.</summary>
    public static string Initial => JsonSerializer.Serialize(new VirtualClusterReport { Status = VirtualClusterStatus.Pending }, VirtualClusterJsonContext.Default.VirtualClusterReport);

    /// <summary>The report of a parameter's value; null when it is not one (a value the product cannot read counts as no report).</summary>
    public static VirtualClusterReport? Parse(string value)
    {
        try
        {
            return JsonSerializer.Deserialize(value, VirtualClusterJsonContext.Default.VirtualClusterReport);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One virtual cluster as the agent is asked for it: <c>present</c> (install, report) or <c>absent</c> (uninstall, report Deleted).</summary>
public sealed record DesiredVirtualCluster(string Name, string Namespace, string State, string KubeconfigSecret, string Report);

/// <summary>The pinned chart in the document.</summary>
public sealed record DesiredVirtualClusterChart(string Repository, string Chart, string Version);

/// <summary>
/// The virtual clusters the in-cluster agent is to have, the product's second desired-state parameter
/// (<see cref="ParameterName"/>, beside <see cref="DesiredState"/>): written by the API whenever a virtual cluster is
/// created or deleted, never by the update workflow, so neither writer can undo the other's write and a virtual
/// cluster needs no new spec generation. The agent reads it at every run (it has no generation to wait for).
/// </summary>
public sealed record DesiredVirtualClusters
{
    public const int CurrentSchema = 1;
    /// <summary>The list's parameter below the cluster's path.</summary>
    public const string Parameter = "virtual-clusters";
    /// <summary>The folder of the per-virtual-cluster report parameters below the cluster's path.</summary>
    public const string ReportFolder = "virtual-cluster";

    public int Schema { get; init; } = CurrentSchema;
    public required bool Enabled { get; init; }
    public required DesiredVirtualClusterChart Chart { get; init; }
    public required IReadOnlyList<DesiredVirtualCluster> Items { get; init; }

    public static string ParameterName(Cluster cluster) => SecretParameters.NameOf(cluster, Parameter);

    /// <summary>Where the agent reports one virtual cluster (status, and its kubeconfig once it runs): a SecureString the product creates.</summary>
    public static string ReportName(Cluster cluster, string name) => $"{SecretParameters.PathOf(cluster)}/{ReportFolder}/{name}";

    /// <summary>The document for a cluster's records: Deleting ones are asked absent, every other present.</summary>
    public static DesiredVirtualClusters Of(Cluster cluster, IEnumerable<VirtualCluster> records)
    {
        var chart = VirtualClusterChart.Pinned;
        return new DesiredVirtualClusters
        {
            Enabled = cluster.Spec.Settings?.VirtualClusters?.Enabled == true,
            Chart = new DesiredVirtualClusterChart(chart.Repository, chart.Chart, chart.Version),
            Items = [.. records.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => new DesiredVirtualCluster(
                r.Name, r.Namespace, r.Status == VirtualClusterStatus.Deleting ? "absent" : "present",
                VirtualClusterChart.KubeconfigSecretOf(r.Name), ReportName(cluster, r.Name)))],
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, VirtualClusterJsonContext.Default.DesiredVirtualClusters);

    public static DesiredVirtualClusters? FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, VirtualClusterJsonContext.Default.DesiredVirtualClusters);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DesiredVirtualClusters))]
[JsonSerializable(typeof(VirtualClusterReport))]
internal sealed partial class VirtualClusterJsonContext : JsonSerializerContext;
