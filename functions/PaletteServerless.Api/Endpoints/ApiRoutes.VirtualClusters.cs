using System.Text.Json;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Http;

namespace PaletteServerless.Api.Endpoints;

/// <summary>The virtual cluster routes: parse, call <see cref="Domain.VirtualClusters.VirtualClusterService"/>, map.</summary>
public sealed partial class ApiRoutes
{
    private async Task<ApiResult> ListVirtualClusters(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var items = await _virtualClusters.ListAsync(caller, scope, Name(request), ct);
        return ApiResult.Ok(new JsonObject { ["items"] = new JsonArray([.. items.Select(VirtualClusterView)]) });
    }

    /// <summary>202: the record is stored Pending and the in-cluster agent installs it; Location is the virtual cluster.</summary>
    private async Task<ApiResult> CreateVirtualCluster(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var name = Name(request);
        var body = request.ReadJson(ApiJsonContext.Default.VirtualClusterRequest);
        var created = await _virtualClusters.CreateAsync(caller, scope, name, body?.Name, ct);
        return ApiResult.Accepted(VirtualClusterView(created), $"{request.Path}/{created.Name}");
    }

    private async Task<ApiResult> GetVirtualCluster(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        return ApiResult.Ok(VirtualClusterView(await _virtualClusters.GetAsync(caller, scope, Name(request), request.PathParameters["vcluster"], ct)));
    }

    /// <summary>202 while the agent removes it (Deleting); the record goes once the agent reports it gone.</summary>
    private async Task<ApiResult> DeleteVirtualCluster(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var deleting = await _virtualClusters.DeleteAsync(caller, scope, Name(request), request.PathParameters["vcluster"], ct);
        return ApiResult.Accepted(VirtualClusterView(deleting), request.Path);
    }

    private async Task<ApiResult> GetVirtualClusterKubeconfig(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var issued = await _virtualClusters.KubeconfigAsync(caller, scope, Name(request), request.PathParameters["vcluster"], ct);
        return ApiResult.Ok(new JsonObject
        {
            ["cluster"] = issued.Cluster,
            ["virtualCluster"] = issued.VirtualCluster,
            ["kubeconfig"] = issued.Kubeconfig,
        });
    }

    private static JsonNode VirtualClusterView(Domain.VirtualClusters.VirtualCluster record) =>
        JsonSerializer.SerializeToNode(record, ApiJsonContext.Default.VirtualCluster)!;
}
