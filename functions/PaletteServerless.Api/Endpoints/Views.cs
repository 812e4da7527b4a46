using System.Text.Json;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Http;
using PaletteServerless.Domain;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Api.Endpoints;

/// <summary>How records look on the wire. A cluster is its spec plus its life cycle, flat, so GET returns what POST took and more.</summary>
internal static class Views
{
    public static JsonObject Cluster(Cluster cluster, DateTimeOffset now)
    {
        var view = JsonSerializer.SerializeToNode(cluster.Spec, ApiJsonContext.Default.ClusterSpec)!.AsObject();
        view["uid"] = cluster.Uid;
        view["status"] = cluster.Status;
        view["statusReason"] = cluster.StatusReason;
        view["conditions"] = new JsonArray(cluster.Conditions.Select(c => JsonSerializer.SerializeToNode(c, ApiJsonContext.Default.ClusterCondition)).ToArray());
        view["createdAt"] = cluster.CreatedAt;
        view["updatedAt"] = cluster.UpdatedAt;
        view["version"] = cluster.Version;
        view["generation"] = cluster.Generation;
        view["observedGeneration"] = cluster.ObservedGeneration;
        view["forceDeleteAvailableAt"] = cluster.ForceDeleteAvailableAt;
        if (cluster.Status == ClusterStatus.Deleting && cluster.ForceDeleteAvailableAt is { } at)
            view["forceDeleteSecondsLeft"] = (long)Math.Ceiling(Math.Max(0, (at - now).TotalSeconds));
        if (cluster.DeletedAt is { } deletedAt)
            view["deletedAt"] = deletedAt;
        if (cluster.ForceDeleteReport is { } report)
            view["forceDeleteReport"] = JsonSerializer.SerializeToNode(report, ApiJsonContext.Default.ForceDeleteReport);
        return view;
    }

    public static JsonObject List<T>(Page<T> page, Func<T, JsonNode?> render) => new()
    {
        ["items"] = new JsonArray(page.Items.Select(render).ToArray()),
        ["nextCursor"] = page.NextCursor,
    };
}
