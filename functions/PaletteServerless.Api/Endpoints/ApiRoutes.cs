using System.Text.Json;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Http;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.Validation;
using PaletteServerless.Domain.VirtualClusters;
using PaletteServerless.Manifest;

namespace PaletteServerless.Api.Endpoints;

/// <summary>
/// The public contract: every route of the API. Each handler parses, calls the domain and maps the
/// result; rules live in the domain. The routes themselves are the manifest's; tests hold this
/// list and openapi.json to it.
/// </summary>
public sealed partial class ApiRoutes(
    ClusterService clusters, CloudAccountService accounts, ProfileService profiles, OrphanService orphans, KubeconfigService kubeconfigs, TimeProvider clock,
    ClusterChangeService changes, CloudAccountResourceService cloud, ClusterNodeService nodes, VirtualClusterService virtualClusters,
    BackupService? backups = null, ScanService? scans = null)
{
    private readonly VirtualClusterService _virtualClusters = virtualClusters;

    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 100;

    /// <summary>Every route of <see cref="ApiRouteCatalog"/>, each with its handler.</summary>
    public IReadOnlyList<Route> All() =>
    [
        new(ApiRouteCatalog.OpenApiDocument, (_, _) => Task.FromResult(ApiResult.Ok(OpenApiDocument.Load()))),

        new(ApiRouteCatalog.CreateCloudAccount, CreateAccount),
        new(ApiRouteCatalog.ListCloudAccounts, ListAccounts),
        new(ApiRouteCatalog.GetCloudAccount, GetAccount),
        new(ApiRouteCatalog.DeleteCloudAccount, DeleteAccount),

        new(ApiRouteCatalog.ListKeyPairs, ListKeyPairs),
        new(ApiRouteCatalog.ListAvailabilityZones, ListAvailabilityZones),
        new(ApiRouteCatalog.ListInstanceTypes, ListInstanceTypes),
        new(ApiRouteCatalog.ListVpcs, ListVpcs),
        new(ApiRouteCatalog.ListSubnets, ListSubnets),

        new(ApiRouteCatalog.CreateClusterProfile, CreateProfile),
        new(ApiRouteCatalog.ListClusterProfiles, ListProfiles),
        new(ApiRouteCatalog.GetClusterProfile, GetProfile),
        new(ApiRouteCatalog.DeleteClusterProfile, DeleteProfile),

        new(ApiRouteCatalog.CreateCluster, CreateCluster),
        new(ApiRouteCatalog.ListClusters, ListClusters),
        new(ApiRouteCatalog.GetCluster, GetCluster),
        new(ApiRouteCatalog.DeleteCluster, DeleteCluster),
        new(ApiRouteCatalog.ListClusterEvents, ListClusterEvents),
        new(ApiRouteCatalog.GetClusterKubeconfig, GetClusterKubeconfig),
        new(ApiRouteCatalog.ListClusterKubeconfigs, ListClusterKubeconfigs),
        new(ApiRouteCatalog.ForceDeleteCluster, ForceDeleteCluster),

        new(ApiRouteCatalog.UpdateCluster, UpdateCluster),
        new(ApiRouteCatalog.RetryClusterUpdate, RetryClusterUpdate),
        new(ApiRouteCatalog.ListNodePools, ListNodePools),
        new(ApiRouteCatalog.AddNodePool, AddNodePool),
        new(ApiRouteCatalog.ReplaceNodePool, ReplaceNodePool),
        new(ApiRouteCatalog.RemoveNodePool, RemoveNodePool),

        new(ApiRouteCatalog.ListVirtualClusters, ListVirtualClusters),
        new(ApiRouteCatalog.CreateVirtualCluster, CreateVirtualCluster),
        new(ApiRouteCatalog.GetVirtualCluster, GetVirtualCluster),
        new(ApiRouteCatalog.DeleteVirtualCluster, DeleteVirtualCluster),
        new(ApiRouteCatalog.GetVirtualClusterKubeconfig, GetVirtualClusterKubeconfig),
        .. new BackupRoutes(backups, scans).All(),

        new(ApiRouteCatalog.FindOrphans, FindOrphans),
        new(ApiRouteCatalog.RemoveOrphans, RemoveOrphans),
        new(ApiRouteCatalog.GetOrphanSweep, GetOrphanSweep),
    ];

    // ---- orphans ----

    private async Task<ApiResult> FindOrphans(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        return ApiResult.Ok(JsonSerializer.SerializeToNode(await orphans.FindAsync(caller, scope, ct), ApiJsonContext.Default.LeftoverReport)!);
    }

    /// <summary>Starts a sweep (a workflow: a large project outlasts the request) and answers where to watch it.</summary>
    private async Task<ApiResult> RemoveOrphans(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var id = await orphans.StartSweepAsync(caller, scope, ct);
        var location = $"{request.Path}/sweeps/{id}";
        return ApiResult.Accepted(new JsonObject { ["id"] = id, ["state"] = SweepStates.Running, ["sweep"] = location }, location);
    }

    private async Task<ApiResult> GetOrphanSweep(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var sweep = await orphans.GetSweepAsync(caller, scope, request.PathParameters["sweep"], ct);
        return ApiResult.Ok(JsonSerializer.SerializeToNode(sweep, ApiJsonContext.Default.OrphanSweep)!);
    }

    // ---- cloud accounts ----

    private async Task<ApiResult> CreateAccount(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var registered = await accounts.CreateAsync(caller, scope, request.ReadJson(ApiJsonContext.Default.CloudAccount), ct);
        var body = Render(registered.Account);
        // The external id is in the body once, with the trust policy to give the role (the target-account stack makes it).
        if (registered.TrustPolicy is { } trust)
            body["trustPolicy"] = trust;
        return ApiResult.Created(body, $"{request.Path}/{registered.Account.Name}");
    }

    private async Task<ApiResult> ListAccounts(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var page = await accounts.ListAsync(caller, scope, request.Query("cursor"), PageSize(request), ct);
        return ApiResult.Ok(Views.List(page, Render));
    }

    private async Task<ApiResult> GetAccount(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        return ApiResult.Ok(Render(await accounts.GetAsync(caller, scope, Name(request), ct)));
    }

    private async Task<ApiResult> DeleteAccount(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        await accounts.DeleteAsync(caller, scope, Name(request), ct);
        return ApiResult.NoContent();
    }

    // ---- what a cloud account has in a region ----

    private async Task<ApiResult> ListKeyPairs(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        return ApiResult.Ok(Views.Items(await cloud.KeyPairsAsync(caller, scope, Name(request), Region(request), ct), Views.KeyPair));
    }

    private async Task<ApiResult> ListAvailabilityZones(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        return ApiResult.Ok(Views.Items(await cloud.AvailabilityZonesAsync(caller, scope, Name(request), Region(request), ct), Views.Zone));
    }

    private async Task<ApiResult> ListInstanceTypes(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var types = await cloud.InstanceTypesAsync(caller, scope, Name(request), Region(request), request.Query("zone"), ct);
        return ApiResult.Ok(Views.Items(types, Views.InstanceType));
    }

    private async Task<ApiResult> ListVpcs(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        return ApiResult.Ok(Views.Items(await cloud.VpcsAsync(caller, scope, Name(request), Region(request), ct), Views.Vpc));
    }

    private async Task<ApiResult> ListSubnets(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var subnets = await cloud.SubnetsAsync(caller, scope, Name(request), Region(request), request.PathParameters["vpcId"], ct);
        return ApiResult.Ok(Views.Items(subnets, Views.Subnet));
    }

    private static string Region(ApiRequest request) => request.PathParameters["region"];

    // ---- cluster profiles ----

    private async Task<ApiResult> CreateProfile(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var profile = await profiles.CreateAsync(caller, scope, request.ReadJson(ApiJsonContext.Default.ClusterProfile), ct);
        return ApiResult.Created(Render(profile), $"{request.Path}/{profile.Name}?version={Uri.EscapeDataString(profile.Version!)}");
    }

    private async Task<ApiResult> ListProfiles(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var page = await profiles.ListAsync(caller, scope, request.Query("cursor"), PageSize(request), ct);
        return ApiResult.Ok(Views.List(page, Render));
    }

    private async Task<ApiResult> GetProfile(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        // ?version= reads one version; without it the newest, with every version listed.
        return ApiResult.Ok(Render(request.Query("version") is { } version
            ? await profiles.GetVersionAsync(caller, scope, Name(request), version, ct)
            : await profiles.GetAsync(caller, scope, Name(request), ct)));
    }

    private async Task<ApiResult> DeleteProfile(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        // ?version= removes that version only; without it, every version.
        await profiles.DeleteAsync(caller, scope, Name(request), request.Query("version"), ct);
        return ApiResult.NoContent();
    }

    // ---- clusters ----

    private async Task<ApiResult> CreateCluster(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var dryRun = request.QueryFlag("dryRun");
        var spec = request.ReadJson(ApiJsonContext.Default.ClusterSpec);
        if (dryRun)
        {
            var result = await clusters.DryRunAsync(caller, scope, spec, ct);
            return ApiResult.Ok(new JsonObject
            {
                ["valid"] = result.PreflightProblems.Count == 0,
                ["spec"] = JsonSerializer.SerializeToNode(result.Spec, ApiJsonContext.Default.ClusterSpec),
                ["preflight"] = new JsonArray(result.PreflightProblems.Select(p => (JsonNode)p!).ToArray()),
                ["plan"] = JsonSerializer.SerializeToNode(result.Plan, ApiJsonContext.Default.PlanSummary),
            });
        }
        var cluster = await clusters.CreateAsync(caller, scope, spec, ct);
        return ApiResult.Accepted(Views.Cluster(cluster, clock.GetUtcNow()), $"{request.Path}/{cluster.Name}");
    }

    private async Task<ApiResult> ListClusters(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var page = await clusters.ListAsync(caller, scope, request.QueryFlag("includeDeleted"), request.Query("cursor"), PageSize(request), ct);
        var now = clock.GetUtcNow();
        return ApiResult.Ok(Views.List(page, c => Views.Cluster(c, now)));
    }

    private async Task<ApiResult> GetCluster(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var cluster = await clusters.GetAsync(caller, scope, Name(request), ct);
        return new ApiResult(200, Views.Cluster(cluster, clock.GetUtcNow()), new() { ["ETag"] = $"\"{cluster.Version}\"" });
    }

    private async Task<ApiResult> DeleteCluster(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var name = Name(request);
        var confirm = request.Query("confirm");
        if (confirm is null && request.HasBody)
            confirm = request.ReadJson(ApiJsonContext.Default.DeleteRequest).Confirm;
        var cluster = await clusters.DeleteAsync(caller, scope, name, confirm, ExpectedVersion(request, name), ct);
        return ApiResult.Accepted(Views.Cluster(cluster, clock.GetUtcNow()), request.Path);
    }

    private async Task<ApiResult> ListClusterEvents(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var page = await clusters.ListEventsAsync(caller, scope, Name(request), request.Query("cursor"), PageSize(request), ct);
        return ApiResult.Ok(Views.List(page, e => JsonSerializer.SerializeToNode(e, ApiJsonContext.Default.ClusterEvent)));
    }

    private async Task<ApiResult> GetClusterKubeconfig(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var hours = request.Query("ttlHours") is null
            ? (int?)null
            : request.QueryInt("ttlHours", (int)ClusterPki.DefaultClientValidity.TotalHours, 1, (int)ClusterPki.MaxClientValidity.TotalHours);
        var issued = await kubeconfigs.IssueAsync(caller, scope, Name(request), hours, ct);
        return ApiResult.Ok(new JsonObject
        {
            ["kubeconfig"] = issued.Yaml,
            ["subject"] = issued.Subject,
            ["group"] = issued.Group,
            ["expiresAt"] = issued.NotAfter.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["serialNumber"] = issued.SerialNumber,
        });
    }

    private async Task<ApiResult> ListClusterKubeconfigs(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var page = await kubeconfigs.ListAsync(caller, scope, Name(request), request.Query("cursor"), PageSize(request), ct);
        return ApiResult.Ok(Views.List(page, r => JsonSerializer.SerializeToNode(r, ApiJsonContext.Default.KubeconfigRecord)));
    }

    private async Task<ApiResult> ForceDeleteCluster(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var cluster = await clusters.ForceDeleteAsync(caller, scope, Name(request), ct);
        // The report comes in the cluster's events and forceDeleteReport once the workflow ends.
        var clusterPath = request.Path[..request.Path.LastIndexOf('/')];
        return ApiResult.Accepted(new JsonObject
        {
            ["cluster"] = clusterPath,
            ["events"] = clusterPath + "/events",
            ["status"] = cluster.Status,
            ["execution"] = cluster.ForceDeleteExecutionArn,
        }, clusterPath);
    }

    // ---- day 2: changes and node pools ----

    private Task<ApiResult> UpdateCluster(ApiRequest request, CancellationToken ct)
    {
        var patch = request.ReadJson(ApiJsonContext.Default.JsonNode);
        if (patch is not JsonObject)
            throw new ValidationFailedException("body", "a JSON merge patch of the cluster spec must be an object (RFC 7396)");
        return ChangeAsync(request, current => ClusterChanges.Validate(current, Patched(current, patch)));
    }

    private Task<ApiResult> RetryClusterUpdate(ApiRequest request, CancellationToken ct)
    {
        if (request.HasBody && request.ReadJson(ApiJsonContext.Default.JsonNode) is not JsonObject { Count: 0 })
            throw new ValidationFailedException("body", "must be empty (or {}): the update runs the spec as stored");
        return ChangeAsync(request, current => current);
    }

    /// <summary>
    /// The pools' specs (items: what PUT takes back, unchanged) and, apart from them, each pool's nodes
    /// (one EC2 describe; the record alone, with a warning, when EC2 cannot be read).
    /// </summary>
    private async Task<ApiResult> ListNodePools(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = Authenticate(request);
        var listed = await nodes.ListAsync(caller, scope, Name(request), ct);
        return ApiResult.Ok(new JsonObject
        {
            ["items"] = new JsonArray(listed.Pools.Select(p => JsonSerializer.SerializeToNode(p, ApiJsonContext.Default.NodePoolSpec)).ToArray()),
            ["nodes"] = Views.Nodes(listed.Nodes),
        });
    }

    private Task<ApiResult> AddNodePool(ApiRequest request, CancellationToken ct)
    {
        var pool = request.ReadJson(ApiJsonContext.Default.NodePoolSpec);
        return ChangeAsync(request, current => ClusterChanges.AddPool(current, pool));
    }

    private Task<ApiResult> ReplaceNodePool(ApiRequest request, CancellationToken ct)
    {
        var name = PoolName(request);
        var pool = request.ReadJson(ApiJsonContext.Default.NodePoolSpec);
        return ChangeAsync(request, current => ClusterChanges.ReplacePool(current, name, pool));
    }

    private Task<ApiResult> RemoveNodePool(ApiRequest request, CancellationToken ct)
    {
        var name = PoolName(request);
        return ChangeAsync(request, current => ClusterChanges.RemovePool(current, name));
    }

    /// <summary>
    /// Every change route: If-Match, ?dryRun=true (the change plan, 200, nothing stored), else the change stored:
    /// 202 while an update applies it, 200 when it changed nothing.
    /// </summary>
    private async Task<ApiResult> ChangeAsync(ApiRequest request, Func<ClusterSpec, ClusterSpec> change)
    {
        var (caller, scope) = Authenticate(request);
        var name = Name(request);
        var result = await changes.ChangeAsync(caller, scope, name, change, ExpectedVersion(request, name), request.QueryFlag("dryRun"), CancellationToken.None);
        if (result.Plan is { } plan)
            return ApiResult.Ok(JsonSerializer.SerializeToNode(plan, ApiJsonContext.Default.ChangePlan)!);
        var view = Views.Cluster(result.Cluster, clock.GetUtcNow());
        var location = $"/v1/projects/{scope.Project}/clusters/{name}";
        var headers = new Dictionary<string, string> { ["ETag"] = $"\"{result.Cluster.Version}\"" };
        return result.Cluster.Status == ClusterStatus.Updating
            ? new ApiResult(202, view, new(headers) { ["Location"] = location })
            : new ApiResult(200, view, headers);
    }

    /// <summary>The current spec with an RFC 7396 merge patch applied, read as strictly as a create's body.</summary>
    private static ClusterSpec Patched(ClusterSpec current, JsonNode patch)
    {
        var patched = JsonMergePatch.Apply(JsonSerializer.SerializeToNode(current, ApiJsonContext.Default.ClusterSpec), patch);
        try
        {
            return patched.Deserialize(ApiJsonContext.Default.ClusterSpec) ?? throw new ValidationFailedException("body", "the patch removes the whole spec");
        }
        catch (JsonException ex)
        {
            throw new ValidationFailedException(JsonErrors.Field(ex), JsonErrors.Message(ex, ApiJsonContext.Default.ClusterSpec));
        }
    }

    private static string PoolName(ApiRequest request)
    {
        var pool = request.PathParameters["pool"];
        var rules = new Rules();
        rules.DnsLabel("pool", pool, 1, 63);
        rules.ThrowIfInvalid();
        return pool;
    }

    // ---- shared ----

    internal static (Caller Caller, ProjectScope Scope) Authenticate(ApiRequest request)
    {
        var caller = request.Caller;
        var project = request.PathParameters["project"];
        var rules = new Rules();
        rules.DnsLabel("project", project, 1, 63);
        rules.ThrowIfInvalid();
        return (caller, new ProjectScope(caller.Tenant, project));
    }

    /// <summary>
    /// The {name} of the path. Every record's name is a DNS label, so anything else cannot exist; it is
    /// refused here rather than sent to the table, which rejects keys over 1 KiB with a server error.
    /// </summary>
    private static string Name(ApiRequest request)
    {
        var name = request.PathParameters["name"];
        var rules = new Rules();
        rules.DnsLabel("name", name, 1, 63);
        rules.ThrowIfInvalid();
        return name;
    }

    /// <summary>The version an If-Match header asks for: the ETag of GET ("3", W/"3" or 3); "*" or no header asks for none.</summary>
    private static long? ExpectedVersion(ApiRequest request, string name)
    {
        var ifMatch = request.Header("if-match")?.Trim();
        if (ifMatch is null or "*")
            return null;
        var tag = ifMatch.StartsWith("W/", StringComparison.Ordinal) ? ifMatch[2..] : ifMatch;
        if (long.TryParse(tag.Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
            return version;
        throw new ValidationFailedException("If-Match", $"must be the ETag that GET returned for cluster '{name}', such as \"3\"");
    }

    private static int PageSize(ApiRequest request) => request.QueryInt("limit", DefaultPageSize, 1, MaxPageSize);

    private static JsonNode Render(CloudAccount account) => JsonSerializer.SerializeToNode(account, ApiJsonContext.Default.CloudAccount)!;

    private static JsonNode Render(ClusterProfile profile) => JsonSerializer.SerializeToNode(profile, ApiJsonContext.Default.ClusterProfile)!;
}
