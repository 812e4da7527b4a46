using PaletteServerless.Testing;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Tests.Support;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;

namespace PaletteServerless.Api.Tests;

/// <summary>
/// settings.rbac within the caller's power, on every route that takes a spec: create, dry run, PATCH and the node
/// pool routes. A refusal is a 403 problem naming the binding's field; a Kubernetes-reserved subject a 400 for anyone.
/// </summary>
public class RbacSettingsRouteTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private const string Project = "rbac";
    private readonly ApiHarness _api = new(fixture);

    private Identity Editor => _api.As($"project-editor:{Project}");

    private static string Clusters => $"/v1/projects/{Project}/clusters";

    private static JsonObject WithRbac(string name, string bindingsJson)
    {
        var spec = ApiHarness.ClusterJson(name);
        spec["settings"]!["rbac"] = JsonNode.Parse(bindingsJson);
        return spec;
    }

    private const string ClusterAdmin = """[{"type":"ClusterRoleBinding","role":"cluster-admin","subjects":[{"kind":"Group","name":"platform"}]}]""";

    private const string AddClusterAdmin = """{"settings":{"rbac":""" + ClusterAdmin + "}}";

    private Task<ApiResponse> CreateAsync(JsonObject spec, Identity by, bool dryRun = false)
    {
        var call = ApiCall.Post(Clusters).By(by).WithJson(spec);
        return _api.SendAsync(dryRun ? call.WithQuery("dryRun", "true") : call);
    }

    private Task<ApiResponse> PatchAsync(string name, string patch, Identity by) =>
        _api.SendAsync(ApiCall.Patch($"{Clusters}/{name}").By(by).WithText(patch, "application/merge-patch+json"));

    private async Task<Cluster?> StoredAsync(string name) =>
        await _api.Clusters.GetAsync(new ProjectScope(_api.Tenant, Project), name, CancellationToken.None);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_editor_binding_cluster_admin_through_settings_rbac_is_refused_naming_rbac(bool dryRun)
    {
        await _api.SeedProjectAsync(Project);

        var response = await CreateAsync(WithRbac("grab", ClusterAdmin), Editor, dryRun);

        response.Status.Should().Be(403, response.ToString());
        response.Headers["Content-Type"].Should().Be("application/problem+json");
        response.ErrorFields.Should().Equal("settings.rbac[0].type", "settings.rbac[0].role");
        response.Body!["detail"]!.GetValue<string>().Should().Contain("settings.rbac");
        response.Body["errors"]![1]!["message"]!.GetValue<string>().Should().Contain("cluster-admin").And.Contain("project-admin or tenant-admin");
        (await StoredAsync("grab")).Should().BeNull();
        _api.Workflows.Started.Should().BeEmpty();
    }

    [Fact]
    public async Task An_editor_may_bind_edit_in_a_namespace_and_an_admin_may_bind_cluster_admin()
    {
        await _api.SeedProjectAsync(Project);

        var editor = await CreateAsync(WithRbac("team", """[{"type":"RoleBinding","namespace":"team-a","role":"edit","subjects":[{"kind":"ServiceAccount","name":"ci","namespace":"team-a"}]}]"""), Editor);
        var admin = await CreateAsync(WithRbac("owned", ClusterAdmin), _api.As($"project-admin:{Project}"));

        editor.Status.Should().Be(202, editor.ToString());
        admin.Status.Should().Be(202, admin.ToString());
    }

    [Fact]
    public async Task A_kubernetes_reserved_subject_is_a_400_even_for_a_tenant_admin()
    {
        await _api.SeedProjectAsync(Project);

        var response = await CreateAsync(WithRbac("anon", """[{"type":"ClusterRoleBinding","role":"view","subjects":[{"kind":"Group","name":"system:unauthenticated"}]}]"""), _api.Admin);

        response.Status.Should().Be(400, response.ToString());
        response.ErrorFields.Should().Equal("settings.rbac[0].subjects[0].name");
    }

    [Fact]
    public async Task A_day_2_patch_by_an_editor_that_adds_cluster_admin_is_refused_and_nothing_is_stored()
    {
        await _api.SeedProjectAsync(Project);
        await _api.RunningClusterAsync(Project, "patched");

        var response = await PatchAsync("patched", AddClusterAdmin, Editor);
        var dryRun = await _api.SendAsync(ApiCall.Patch($"{Clusters}/patched").By(Editor).WithQuery("dryRun", "true")
            .WithText(AddClusterAdmin, "application/merge-patch+json"));

        response.Status.Should().Be(403, response.ToString());
        response.ErrorFields.Should().Contain("settings.rbac[0].role");
        dryRun.Status.Should().Be(403, dryRun.ToString());
        var stored = await StoredAsync("patched");
        stored!.Generation.Should().Be(1);
        stored.Spec.Settings!.Rbac!.Should().ContainSingle().Which.Role.Should().Be("edit");
    }

    [Fact]
    public async Task An_editor_s_change_that_keeps_an_admin_s_binding_is_accepted_and_one_that_alters_it_is_not()
    {
        await _api.SeedProjectAsync(Project);
        (await CreateAsync(WithRbac("shared", ClusterAdmin), _api.Admin)).Status.Should().Be(202);
        var cluster = (await StoredAsync("shared"))!;
        await _api.Clusters.UpdateAsync(cluster with
        {
            Status = ClusterStatus.Running,
            ObservedGeneration = cluster.Generation,
            AppliedFingerprints = PaletteServerless.Domain.Changes.ClusterUpdates.Fingerprints(cluster.Spec),
        }, cluster.Version, CancellationToken.None);

        // A scale through the node pool route carries the stored settings along unchanged.
        var scale = await _api.SendAsync(ApiCall.Put($"{Clusters}/shared/nodepools/workers").By(Editor).WithJson(ApiHarness.WorkerPoolJson("workers", 3)));
        var alter = await PatchAsync("shared", """{"settings":{"rbac":[{"type":"ClusterRoleBinding","role":"cluster-admin","subjects":[{"kind":"User","name":"mallory"}]}]}}""", Editor);

        scale.Status.Should().Be(202, scale.ToString());
        alter.Status.Should().Be(403, alter.ToString());
        alter.ErrorFields.Should().Equal("settings.rbac[0].type", "settings.rbac[0].role");
    }

    [Fact]
    public async Task An_editor_may_not_bind_the_product_s_own_groups()
    {
        await _api.SeedProjectAsync(Project);

        var response = await CreateAsync(WithRbac("raise", """[{"type":"RoleBinding","namespace":"apps","role":"edit","subjects":[{"kind":"Group","name":"palette:viewers"}]}]"""), Editor);

        response.Status.Should().Be(403, response.ToString());
        response.ErrorFields.Should().Equal("settings.rbac[0].subjects[0].name");
    }
}
