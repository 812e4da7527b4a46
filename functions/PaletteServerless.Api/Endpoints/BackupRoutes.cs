using System.Text.Json.Nodes;
using PaletteServerless.Api.Http;
using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Manifest;

namespace PaletteServerless.Api.Endpoints;

/// <summary>
/// A cluster's backups and restores (<c>settings.backup</c>): list (viewers), start one now (editors, 202), restore a
/// completed one (editors, 202). Each answers what the operation is called; the cluster's events say how it ended.
/// </summary>
public sealed class BackupRoutes(BackupService? backups, ScanService? scans = null)
{
    private BackupService Backups => backups ?? throw new ServiceUnavailableException("backups are not configured in this deployment");
    private ScanService Scans => scans ?? throw new ServiceUnavailableException("security scans are not configured in this deployment");

    public IReadOnlyList<Route> All() =>
    [
        new(ApiRouteCatalog.ListBackups, ListBackups),
        new(ApiRouteCatalog.CreateBackup, CreateBackup),
        new(ApiRouteCatalog.CreateRestore, CreateRestore),
        new(ApiRouteCatalog.ListScans, ListScans),
        new(ApiRouteCatalog.CreateScan, CreateScan),
    ];

    private async Task<ApiResult> ListScans(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = ApiRoutes.Authenticate(request);
        var list = await Scans.ListAsync(caller, scope, request.PathParameters["name"], ct);
        return ApiResult.Ok(new JsonObject { ["items"] = new JsonArray([.. list.Select(Render)]) });
    }

    private async Task<ApiResult> CreateScan(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = ApiRoutes.Authenticate(request);
        var operation = await Scans.StartAsync(caller, scope, request.PathParameters["name"], ct);
        return ApiResult.Accepted(Render(operation), request.Path);
    }

    private static JsonObject Render(ScanRecord scan) => new()
    {
        ["name"] = scan.Name,
        ["phase"] = scan.Phase,
        ["completedAt"] = scan.CompletedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["pass"] = scan.Pass,
        ["fail"] = scan.Fail,
        ["warn"] = scan.Warn,
        ["nodeRoles"] = new JsonArray([.. scan.NodeRoles.Select(r => (JsonNode)r)]),
        ["failed"] = new JsonArray([.. scan.Failed.Select(f => (JsonNode)new JsonObject { ["id"] = f.Id, ["title"] = f.Title, ["nodeRole"] = f.NodeRole })]),
        ["location"] = scan.Location,
    };

    private async Task<ApiResult> ListBackups(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = ApiRoutes.Authenticate(request);
        var list = await Backups.ListAsync(caller, scope, request.PathParameters["name"], ct);
        return ApiResult.Ok(new JsonObject { ["items"] = new JsonArray([.. list.Select(Render)]) });
    }

    private async Task<ApiResult> CreateBackup(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = ApiRoutes.Authenticate(request);
        var name = request.PathParameters["name"];
        var operation = await Backups.StartBackupAsync(caller, scope, name, ct);
        return ApiResult.Accepted(Render(operation), request.Path);
    }

    private async Task<ApiResult> CreateRestore(ApiRequest request, CancellationToken ct)
    {
        var (caller, scope) = ApiRoutes.Authenticate(request);
        var name = request.PathParameters["name"];
        var body = request.HasBody ? request.ReadJson(ApiJsonContext.Default.JsonObject) : null;
        if (body?["backup"] is { } value && value.GetValueKind() != System.Text.Json.JsonValueKind.String)
            throw new ValidationFailedException("backup", "must be the name of a backup of the cluster (a string)");
        var operation = await Backups.StartRestoreAsync(caller, scope, name, body?["backup"]?.GetValue<string>(), ct);
        return ApiResult.Accepted(Render(operation), request.Path.Replace("/restores", "/events", StringComparison.Ordinal));
    }

    private static JsonObject Render(BackupRecord backup) => new()
    {
        ["name"] = backup.Name,
        ["phase"] = backup.Phase,
        ["startedAt"] = backup.StartedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["completedAt"] = backup.CompletedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["location"] = backup.Location,
    };

    private static JsonObject Render(BackupOperation operation) => new()
    {
        ["kind"] = operation.Kind,
        ["name"] = operation.Name,
        ["backup"] = operation.Backup,
        ["phase"] = BackupPhases.New,
        ["requestedAt"] = operation.RequestedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    };
}
