using System.Text.Json.Nodes;
using PaletteServerless.Testing;
using PaletteServerless.Api.Tests.Support;

namespace PaletteServerless.Api.Tests;

/// <summary>
/// Every route x every role x the caller's own project, another project of its tenant, and the same
/// project name in another tenant: the expected status, and no change where the call was refused.
/// </summary>
public class PermissionMatrixTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private enum Need
    {
        Public,
        Read,
        Write,
        /// <summary>project-admin or tenant-admin: force delete, and managing cloud accounts (where money is spent, with whose role).</summary>
        Admin,
    }

    private enum Target
    {
        OwnProject,
        OtherProject,
        OtherTenant,
    }

    /// <summary>One route: what it needs, what it answers on success, and how to build a call on a project (seeding what it acts on).</summary>
    private sealed record RouteCase(string Method, string Template, Need Need, int Success, Func<string, Task<(ApiCall Call, string? Resource)>> Prepare)
    {
        public bool Named => Template.Contains("{name}", StringComparison.Ordinal) || Template.Contains("{sweep}", StringComparison.Ordinal);
        public bool CreatesCluster => Method == "POST" && Template.EndsWith("/clusters", StringComparison.Ordinal);
        public override string ToString() => $"{Method} {Template}";
    }

    private static readonly string[] Roles = ["tenant-admin", "project-admin", "project-editor", "project-viewer", "none"];

    private readonly ApiHarness _api = new(fixture);
    private int _sequence;

    private string Unique(string prefix) => $"{prefix}-{Interlocked.Increment(ref _sequence)}";

    private IReadOnlyList<RouteCase> Routes()
    {
        const string p = "/v1/projects/{0}";
        Task<(ApiCall, string?)> Ready(ApiCall call, string? resource = null) => Task.FromResult((call, resource));
        return
        [
            new("GET", "/v1/openapi.json", Need.Public, 200, _ => Ready(ApiCall.Get("/v1/openapi.json"))),

            new("POST", "/v1/projects/{project}/cloudaccounts", Need.Admin, 201,
                project => Ready(ApiCall.Post(Path(p + "/cloudaccounts", project)).WithJson(ApiHarness.AccountJson(Unique("acct"))))),
            new("GET", "/v1/projects/{project}/cloudaccounts", Need.Read, 200, project => Ready(ApiCall.Get(Path(p + "/cloudaccounts", project)))),
            new("GET", "/v1/projects/{project}/cloudaccounts/{name}", Need.Read, 200, project => Ready(ApiCall.Get(Path(p + "/cloudaccounts/prod", project)))),
            new("DELETE", "/v1/projects/{project}/cloudaccounts/{name}", Need.Admin, 204, async project =>
            {
                var name = Unique("unused");
                await SendOkAsync(ApiCall.Post(Path(p + "/cloudaccounts", project)).By(_api.Admin).WithJson(ApiHarness.AccountJson(name)));
                return (ApiCall.Delete(Path(p + "/cloudaccounts/" + name, project)), Path(p + "/cloudaccounts/" + name, project));
            }),

            new("GET", "/v1/projects/{project}/cloudaccounts/{name}/regions/{region}/keypairs", Need.Read, 200,
                project => Ready(ApiCall.Get(Path(p + "/cloudaccounts/prod/regions/us-east-1/keypairs", project)))),
            new("GET", "/v1/projects/{project}/cloudaccounts/{name}/regions/{region}/availabilityzones", Need.Read, 200,
                project => Ready(ApiCall.Get(Path(p + "/cloudaccounts/prod/regions/us-east-1/availabilityzones", project)))),
            new("GET", "/v1/projects/{project}/cloudaccounts/{name}/regions/{region}/instancetypes", Need.Read, 200,
                project => Ready(ApiCall.Get(Path(p + "/cloudaccounts/prod/regions/us-east-1/instancetypes", project)).WithQuery("zone", "us-east-1a"))),
            new("GET", "/v1/projects/{project}/cloudaccounts/{name}/regions/{region}/vpcs", Need.Read, 200,
                project => Ready(ApiCall.Get(Path(p + "/cloudaccounts/prod/regions/us-east-1/vpcs", project)))),
            new("GET", "/v1/projects/{project}/cloudaccounts/{name}/regions/{region}/vpcs/{vpcId}/subnets", Need.Read, 200,
                project => Ready(ApiCall.Get(Path(p + "/cloudaccounts/prod/regions/us-east-1/vpcs/" + ScriptedCloudAccountReader.VpcId + "/subnets", project)))),

            new("POST", "/v1/projects/{project}/clusterprofiles", Need.Write, 201,
                project => Ready(ApiCall.Post(Path(p + "/clusterprofiles", project)).WithJson(ApiHarness.ProfileJson(Unique("prof"))))),
            new("GET", "/v1/projects/{project}/clusterprofiles", Need.Read, 200, project => Ready(ApiCall.Get(Path(p + "/clusterprofiles", project)))),
            new("GET", "/v1/projects/{project}/clusterprofiles/{name}", Need.Read, 200, project => Ready(ApiCall.Get(Path(p + "/clusterprofiles/ubuntu-k8s", project)))),
            new("DELETE", "/v1/projects/{project}/clusterprofiles/{name}", Need.Write, 204, async project =>
            {
                var name = Unique("unused");
                await SendOkAsync(ApiCall.Post(Path(p + "/clusterprofiles", project)).By(_api.Admin).WithJson(ApiHarness.ProfileJson(name)));
                return (ApiCall.Delete(Path(p + "/clusterprofiles/" + name, project)), Path(p + "/clusterprofiles/" + name, project));
            }),

            new("POST", "/v1/projects/{project}/clusters", Need.Write, 202,
                project => Ready(ApiCall.Post(Path(p + "/clusters", project)).WithJson(ApiHarness.ClusterJson(Unique("new"))))),
            new("GET", "/v1/projects/{project}/clusters", Need.Read, 200, project => Ready(ApiCall.Get(Path(p + "/clusters", project)))),
            new("GET", "/v1/projects/{project}/clusters/{name}", Need.Read, 200, project => Ready(ApiCall.Get(Path(p + "/clusters/base", project)))),
            new("DELETE", "/v1/projects/{project}/clusters/{name}", Need.Write, 202, async project =>
            {
                var name = Unique("doomed");
                await _api.CreateClusterAsync(project, name);
                return (ApiCall.Delete(Path(p + "/clusters/" + name, project)).WithQuery("confirm", name), Path(p + "/clusters/" + name, project));
            }),
            new("GET", "/v1/projects/{project}/clusters/{name}/events", Need.Read, 200, project => Ready(ApiCall.Get(Path(p + "/clusters/base/events", project)))),
            new("GET", "/v1/projects/{project}/clusters/{name}/kubeconfig", Need.Read, 200, async project =>
            {
                var name = Unique("live");
                await _api.CreateRunningClusterAsync(project, name);
                return (ApiCall.Get(Path(p + "/clusters/" + name + "/kubeconfig", project)), Path(p + "/clusters/" + name, project));
            }),
            new("GET", "/v1/projects/{project}/clusters/{name}/kubeconfigs", Need.Read, 200, project => Ready(ApiCall.Get(Path(p + "/clusters/base/kubeconfigs", project)))),
            new("POST", "/v1/projects/{project}/clusters/{name}/force-delete", Need.Admin, 202, async project =>
            {
                var name = Unique("stuck");
                await _api.CreateClusterAsync(project, name);
                await _api.DeleteClusterAsync(project, name);
                _api.Clock.Advance(TimeSpan.FromMinutes(15));
                return (ApiCall.Post(Path(p + "/clusters/" + name + "/force-delete", project)), Path(p + "/clusters/" + name, project));
            }),
            new("PATCH", "/v1/projects/{project}/clusters/{name}", Need.Write, 202, async project =>
            {
                var name = Unique("patched");
                await _api.RunningClusterAsync(project, name);
                return (ApiCall.Patch(Path(p + "/clusters/" + name, project)).WithJson(new JsonObject { ["description"] = "changed" }), Path(p + "/clusters/" + name, project));
            }),
            new("POST", "/v1/projects/{project}/clusters/{name}/update", Need.Write, 200, async project =>
            {
                var name = Unique("retried");
                await _api.RunningClusterAsync(project, name);
                return (ApiCall.Post(Path(p + "/clusters/" + name + "/update", project)), Path(p + "/clusters/" + name, project));
            }),
            new("GET", "/v1/projects/{project}/clusters/{name}/nodepools", Need.Read, 200, project => Ready(ApiCall.Get(Path(p + "/clusters/base/nodepools", project)))),
            new("POST", "/v1/projects/{project}/clusters/{name}/nodepools", Need.Write, 202, async project =>
            {
                var name = Unique("grown");
                await _api.RunningClusterAsync(project, name);
                return (ApiCall.Post(Path(p + "/clusters/" + name + "/nodepools", project)).WithJson(ApiHarness.WorkerPoolJson("extra")), Path(p + "/clusters/" + name, project));
            }),
            new("PUT", "/v1/projects/{project}/clusters/{name}/nodepools/{pool}", Need.Write, 202, async project =>
            {
                var name = Unique("edited");
                await _api.RunningClusterAsync(project, name);
                return (ApiCall.Put(Path(p + "/clusters/" + name + "/nodepools/workers", project)).WithJson(ApiHarness.WorkerPoolJson("workers", 3)),
                    Path(p + "/clusters/" + name, project));
            }),
            new("DELETE", "/v1/projects/{project}/clusters/{name}/nodepools/{pool}", Need.Write, 202, async project =>
            {
                var name = Unique("shrunk");
                await _api.RunningClusterAsync(project, name);
                await SendOkAsync(ApiCall.Post(Path(p + "/clusters/" + name + "/nodepools", project)).By(_api.Admin).WithJson(ApiHarness.WorkerPoolJson("extra")));
                return (ApiCall.Delete(Path(p + "/clusters/" + name + "/nodepools/extra", project)), Path(p + "/clusters/" + name, project));
            }),
            new("GET", "/v1/projects/{project}/clusters/{name}/virtualclusters", Need.Read, 200, async project =>
            {
                var (host, _) = await VirtualClusterAsync(project);
                return (ApiCall.Get(Path(p + "/clusters/" + host + "/virtualclusters", project)), null);
            }),
            new("POST", "/v1/projects/{project}/clusters/{name}/virtualclusters", Need.Write, 202, async project =>
            {
                var host = Unique("vhost");
                await _api.VirtualClusterHostAsync(project, host);
                return (ApiCall.Post(Path(p + "/clusters/" + host + "/virtualclusters", project)).WithJson(new JsonObject { ["name"] = Unique("vc") }),
                    Path(p + "/clusters/" + host, project));
            }),
            new("GET", "/v1/projects/{project}/clusters/{name}/virtualclusters/{vcluster}", Need.Read, 200, async project =>
            {
                var (host, vc) = await VirtualClusterAsync(project);
                return (ApiCall.Get(Path(p + "/clusters/" + host + "/virtualclusters/" + vc, project)), null);
            }),
            new("DELETE", "/v1/projects/{project}/clusters/{name}/virtualclusters/{vcluster}", Need.Write, 202, async project =>
            {
                var (host, vc) = await VirtualClusterAsync(project);
                var path = Path(p + "/clusters/" + host + "/virtualclusters/" + vc, project);
                return (ApiCall.Delete(path), path);
            }),
            new("GET", "/v1/projects/{project}/clusters/{name}/virtualclusters/{vcluster}/kubeconfig", Need.Write, 200, async project =>
            {
                var (host, vc) = await VirtualClusterAsync(project);
                _api.VirtualClusterCloud.Reports[vc] = new() { Status = "Running", Kubeconfig = "apiVersion: v1\nkind: Config\n" };
                return (ApiCall.Get(Path(p + "/clusters/" + host + "/virtualclusters/" + vc + "/kubeconfig", project)), null);
            }),
            new("GET", "/v1/projects/{project}/clusters/{name}/backups", Need.Read, 200, project => Ready(ApiCall.Get(Path(p + "/clusters/base/backups", project)))),
            new("POST", "/v1/projects/{project}/clusters/{name}/backups", Need.Write, 202, async project =>
            {
                var name = Unique("saved");
                await _api.BackedUpClusterAsync(project, name);
                return (ApiCall.Post(Path(p + "/clusters/" + name + "/backups", project)), Path(p + "/clusters/" + name, project));
            }),
            new("POST", "/v1/projects/{project}/clusters/{name}/restores", Need.Write, 202, async project =>
            {
                var name = Unique("restored");
                await _api.BackedUpClusterAsync(project, name);
                return (ApiCall.Post(Path(p + "/clusters/" + name + "/restores", project)).WithJson(new JsonObject { ["backup"] = RecordingBackups.Completed }),
                    Path(p + "/clusters/" + name, project));
            }),
            new("GET", "/v1/projects/{project}/clusters/{name}/scans", Need.Read, 200, project => Ready(ApiCall.Get(Path(p + "/clusters/base/scans", project)))),
            new("POST", "/v1/projects/{project}/clusters/{name}/scans", Need.Write, 202, async project =>
            {
                var name = Unique("scanned");
                await _api.BackedUpClusterAsync(project, name);
                return (ApiCall.Post(Path(p + "/clusters/" + name + "/scans", project)), Path(p + "/clusters/" + name, project));
            }),
            new("GET", "/v1/projects/{project}/orphans", Need.Read, 200, project => Ready(ApiCall.Get(Path(p + "/orphans", project)))),
            new("POST", "/v1/projects/{project}/orphans", Need.Write, 202, project => Ready(ApiCall.Post(Path(p + "/orphans", project)))),
            new("GET", "/v1/projects/{project}/orphans/sweeps/{sweep}", Need.Read, 200, async project =>
            {
                var started = await _api.SendAsync(ApiCall.Post(Path(p + "/orphans", project)).By(_api.Admin));
                started.Status.Should().Be(202, started.ToString());
                return (ApiCall.Get(started.Headers["Location"]), null);
            }),
        ];
    }

    /// <summary>A Running host cluster with virtual clusters on, and one virtual cluster in it (created by an admin).</summary>
    private async Task<(string Host, string VirtualCluster)> VirtualClusterAsync(string project)
    {
        var host = Unique("vhost");
        var vc = Unique("vc");
        await _api.VirtualClusterHostAsync(project, host);
        await SendOkAsync(ApiCall.Post($"/v1/projects/{project}/clusters/{host}/virtualclusters").By(_api.Admin).WithJson(new JsonObject { ["name"] = vc }));
        return (host, vc);
    }

    private static string Path(string format, string project) => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, project);

    private async Task SendOkAsync(ApiCall call)
    {
        var response = await _api.SendAsync(call);
        response.Status.Should().BeInRange(200, 299, response.ToString());
    }

    private static HashSet<Need> Granted(string role, Target target) => role switch
    {
        "tenant-admin" => [Need.Read, Need.Write, Need.Admin],
        _ when target == Target.OtherProject => [],
        "project-admin" => [Need.Read, Need.Write, Need.Admin],
        "project-editor" => [Need.Read, Need.Write],
        "project-viewer" => [Need.Read],
        _ => [],
    };

    private static int Expected(RouteCase route, string role, Target target)
    {
        if (route.Need == Need.Public)
            return route.Success;
        var granted = Granted(role, target);
        if (granted.Count == 0)
            return 404;
        // Admin routes on a named record (force delete, removing a cloud account) look it up before they check the
        // admin role, and another tenant has no such record; registering an account names none.
        if (route.Need == Need.Admin && !granted.Contains(Need.Admin))
            return target == Target.OtherTenant && route.Named ? 404 : 403;
        if (!granted.Contains(route.Need))
            return 403;
        if (target != Target.OtherTenant)
            return route.Success;
        // The caller acts in its own tenant's project of that name, which holds none of the other tenant's records.
        if (route.Named)
            return 404;
        return route.CreatesCluster ? 400 : route.Success;
    }

    private Identity Caller(string role, Target target)
    {
        var tenant = target == Target.OtherTenant ? "x" + _api.Tenant : _api.Tenant;
        var roles = role switch
        {
            "none" => Array.Empty<string>(),
            "tenant-admin" => ["tenant-admin"],
            _ => [$"{role}:web"],
        };
        return new Identity(tenant, roles, "matrix-user");
    }

    [Fact]
    public async Task Every_route_answers_every_role_in_every_place_as_expected()
    {
        foreach (var project in new[] { "web", "api" })
        {
            await _api.SeedProjectAsync(project);
            await _api.CreateClusterAsync(project, "base");
        }

        var routes = Routes();
        routes.Select(r => $"{r.Method} {r.Template}").Should().BeEquivalentTo(
            new ApiFunction(new Endpoints.ApiRoutes(null!, null!, null!, null!, null!, TimeProvider.System, null!, null!, null!, null!)).Routes.Select(r => $"{r.Method} {r.Template}"),
            "the matrix must cover every route");

        var mismatches = new List<string>();
        var createdByOtherTenant = new HashSet<string>();
        var cases = 0;
        foreach (var route in routes)
        {
            foreach (var role in Roles)
            {
                foreach (var target in Enum.GetValues<Target>())
                {
                    // The caller's role is on project "web"; "other project" addresses "api" of the same tenant.
                    var project = target == Target.OtherProject ? "api" : "web";
                    var (call, resource) = await route.Prepare(project);
                    var response = await _api.SendAsync(call.By(Caller(role, target)));
                    var expected = Expected(route, role, target);
                    cases++;
                    if (response.Status != expected)
                        mismatches.Add($"{route} as {role} on {target}: expected {expected}, got {response}");
                    else if (response.Status >= 400 && response.ContentType != "application/problem+json")
                        mismatches.Add($"{route} as {role} on {target}: {response.Status} is not problem+json");
                    else if (target == Target.OtherTenant && response.Status == 200 && response.Body?["items"] is not null
                             && response.ItemNames.Except(createdByOtherTenant).Any())
                        mismatches.Add($"{route} as {role} on {target}: lists another tenant's records {response}");
                    if (target == Target.OtherTenant && response.Status is 201 or 202 && response.Body?["name"] is { } created)
                        createdByOtherTenant.Add(created.GetValue<string>());
                    if (resource is not null && response.Status >= 400)
                    {
                        // A refused call changed nothing: what it aimed at is still there, unchanged in status.
                        var after = await _api.SendAsync(ApiCall.Get(resource).By(_api.Admin));
                        if (after.Status != 200 || after.Body?["status"]?.GetValue<string>() is "Deleted")
                            mismatches.Add($"{route} as {role} on {target}: refused with {response.Status} but changed {resource}: {after}");
                    }
                }
            }
        }

        cases.Should().Be(routes.Count * Roles.Length * 3);
        mismatches.Should().BeEmpty();
    }
}
