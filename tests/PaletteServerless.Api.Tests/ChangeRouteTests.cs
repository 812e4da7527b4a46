using PaletteServerless.Testing;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Tests.Support;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;

namespace PaletteServerless.Api.Tests;

/// <summary>PATCH, the node pool routes and the update retry: what is stored, what starts, and every refusal naming why.</summary>
public class ChangeRouteTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private const string Project = "web";
    private readonly ApiHarness _api = new(fixture);

    private static string ClusterPath(string name) => $"/v1/projects/{Project}/clusters/{name}";

    private async Task<ApiResponse> PatchAsync(string name, string patch, string contentType = "application/merge-patch+json", string? ifMatch = null)
    {
        var call = ApiCall.Patch(ClusterPath(name)).By(_api.Admin).WithText(patch, contentType);
        return await _api.SendAsync(ifMatch is null ? call : call.WithHeader("If-Match", ifMatch));
    }

    private int Updates(string name) => _api.Workflows.Started.Count(s => s.Operation.StartsWith("update", StringComparison.Ordinal) && s.Cluster.Name == name);

    [Fact]
    public async Task A_patch_bumps_the_generation_moves_Running_to_Updating_and_starts_exactly_one_update()
    {
        await _api.SeedProjectAsync(Project);
        await _api.RunningClusterAsync(Project, "patched");

        var response = await PatchAsync("patched", """{"description":"bigger","updateWorkerPoolsInParallel":false}""");

        response.Status.Should().Be(202, response.ToString());
        response.Body!["status"]!.GetValue<string>().Should().Be("Updating");
        response.Body["generation"]!.GetValue<long>().Should().Be(2);
        response.Body["observedGeneration"]!.GetValue<long>().Should().Be(1);
        response.Body["description"]!.GetValue<string>().Should().Be("bigger");
        Updates("patched").Should().Be(1);

        // Accepted while Updating: stored, never a second workflow; the running one converges to it.
        var again = await PatchAsync("patched", """{"description":"bigger still"}""", "application/json");
        again.Status.Should().Be(202, again.ToString());
        again.Body!["generation"]!.GetValue<long>().Should().Be(3);
        Updates("patched").Should().Be(1);
    }

    [Fact]
    public async Task Immutable_fields_are_400s_naming_the_field_and_nothing_is_stored()
    {
        await _api.SeedProjectAsync(Project);
        await _api.RunningClusterAsync(Project, "fixed");

        var response = await PatchAsync("fixed", """{"cloud":{"region":"eu-west-1"},"nodePools":null}""");

        response.Status.Should().Be(400, response.ToString());
        response.ErrorFields.Should().Contain("cloud.region");
        response.Text.Should().Contain("immutable");
        var stored = await _api.Clusters.GetAsync(new ProjectScope(_api.Tenant, Project), "fixed", CancellationToken.None);
        stored!.Generation.Should().Be(1);
        stored.Status.Should().Be(ClusterStatus.Running);
        Updates("fixed").Should().Be(0);
    }

    [Fact]
    public async Task Pack_values_too_big_for_EC2_s_user_data_are_a_400_naming_the_pack_on_create_dry_run_and_patch_and_nothing_is_stored()
    {
        await _api.SeedProjectAsync(Project);
        // About 25 KiB of random values (the user data is gzip-compressed: repeats would shrink to nothing),
        // so the first control plane's user data would pass EC2's 16 KiB.
        var random = new Random(7);
        var big = string.Join('\n', Enumerable.Range(0, 400).Select(i => $"key{i:D5}: {new string([.. Enumerable.Range(0, 54).Select(_ => (char)('a' + random.Next(26)))])}"));

        var spec = ApiHarness.ClusterJson("roomy");
        spec["profile"]!["packValues"] = new JsonObject { ["cilium"] = big };
        foreach (var dryRun in new[] { "false", "true" })
        {
            var created = await _api.SendAsync(ApiCall.Post($"/v1/projects/{Project}/clusters").By(_api.Admin).WithQuery("dryRun", dryRun).WithJson(spec));
            created.Status.Should().Be(400, created.ToString());
            created.ErrorFields.Should().Equal("profile.packValues.cilium");
            created.Text.Should().Contain("user data of node roomy-").And.Contain("EC2 allows 16384");
        }
        (await _api.Clusters.GetAsync(new ProjectScope(_api.Tenant, Project), "roomy", CancellationToken.None)).Should().BeNull();

        await _api.RunningClusterAsync(Project, "grows");
        var patched = await PatchAsync("grows", new JsonObject { ["profile"] = new JsonObject { ["packValues"] = new JsonObject { ["cilium"] = big } } }.ToJsonString());
        patched.Status.Should().Be(400, patched.ToString());
        patched.ErrorFields.Should().Equal("profile.packValues.cilium");
        var stored = await _api.Clusters.GetAsync(new ProjectScope(_api.Tenant, Project), "grows", CancellationToken.None);
        stored!.Generation.Should().Be(1);
        Updates("grows").Should().Be(0);
    }

    [Fact]
    public async Task A_change_while_Provisioning_is_409_and_a_stale_If_Match_is_409()
    {
        await _api.SeedProjectAsync(Project);
        await _api.CreateClusterAsync(Project, "young");
        var provisioning = await PatchAsync("young", """{"description":"too early"}""");
        provisioning.Status.Should().Be(409, provisioning.ToString());
        provisioning.Text.Should().Contain("Running or Updating");

        var running = await _api.RunningClusterAsync(Project, "versioned");
        var stale = await PatchAsync("versioned", """{"description":"late"}""", ifMatch: $"\"{running.Version - 1}\"");
        stale.Status.Should().Be(409, stale.ToString());
        var fresh = await PatchAsync("versioned", """{"description":"on time"}""", ifMatch: $"\"{running.Version}\"");
        fresh.Status.Should().Be(202, fresh.ToString());
    }

    [Fact]
    public async Task A_dry_run_returns_the_plan_with_both_costs_and_stores_nothing()
    {
        await _api.SeedProjectAsync(Project);
        await _api.RunningClusterAsync(Project, "planned");

        var response = await _api.SendAsync(ApiCall.Put(ClusterPath("planned") + "/nodepools/workers").By(_api.Admin)
            .WithQuery("dryRun", "true").WithJson(ApiHarness.WorkerPoolJson("workers", 6)));

        response.Status.Should().Be(200, response.ToString());
        response.Body!["generation"]!.GetValue<long>().Should().Be(2);
        var workers = response.Body["pools"]!.AsArray().Single(p => p!["pool"]!.GetValue<string>() == "workers")!;
        workers["change"]!.GetValue<string>().Should().Be("Replace", "the instance type and zones change");
        workers["launchZones"]!.AsArray().Should().HaveCount(6);
        response.Body["newEstimatedHourlyCostUsd"]!.GetValue<decimal>().Should().NotBe(response.Body["oldEstimatedHourlyCostUsd"]!.GetValue<decimal>());
        (await _api.Clusters.GetAsync(new ProjectScope(_api.Tenant, Project), "planned", CancellationToken.None))!.Generation.Should().Be(1);
        Updates("planned").Should().Be(0);
    }

    [Fact]
    public async Task The_control_plane_pool_and_the_last_worker_pool_cannot_be_removed_and_an_unknown_pool_is_404()
    {
        await _api.SeedProjectAsync(Project);
        await _api.RunningClusterAsync(Project, "pools");

        var controlPlane = await _api.SendAsync(ApiCall.Delete(ClusterPath("pools") + "/nodepools/control-plane").By(_api.Admin));
        controlPlane.Status.Should().Be(409, controlPlane.ToString());
        controlPlane.Text.Should().Contain("control-plane pool");
        var last = await _api.SendAsync(ApiCall.Delete(ClusterPath("pools") + "/nodepools/workers").By(_api.Admin));
        last.Status.Should().Be(409, last.ToString());
        last.Text.Should().Contain("last worker pool");
        var unknown = await _api.SendAsync(ApiCall.Put(ClusterPath("pools") + "/nodepools/nope").By(_api.Admin).WithJson(ApiHarness.WorkerPoolJson("nope")));
        unknown.Status.Should().Be(404, unknown.ToString());
        var viewer = await _api.SendAsync(ApiCall.Post(ClusterPath("pools") + "/nodepools").By(_api.As("project-viewer:web")).WithJson(ApiHarness.WorkerPoolJson("extra")));
        viewer.Status.Should().Be(403, viewer.ToString());
    }

    [Fact]
    public async Task Retry_starts_an_update_only_when_one_is_pending()
    {
        await _api.SeedProjectAsync(Project);
        var running = await _api.RunningClusterAsync(Project, "retried");

        var nothing = await _api.SendAsync(ApiCall.Post(ClusterPath("retried") + "/update").By(_api.Admin));
        nothing.Status.Should().Be(200, nothing.ToString());
        Updates("retried").Should().Be(0);

        // As after a failed update: the spec is ahead of what the cloud reached.
        await _api.Clusters.UpdateAsync(running with { Generation = 2 }, running.Version, CancellationToken.None);
        var retried = await _api.SendAsync(ApiCall.Post(ClusterPath("retried") + "/update").By(_api.Admin));
        retried.Status.Should().Be(202, retried.ToString());
        Updates("retried").Should().Be(1);

        var withBody = await _api.SendAsync(ApiCall.Post(ClusterPath("retried") + "/update").By(_api.Admin).WithJson("""{"x":1}"""));
        withBody.Status.Should().Be(400, withBody.ToString());
    }

    [Fact]
    public async Task An_update_whose_workflow_start_was_lost_is_started_by_the_next_request()
    {
        await _api.SeedProjectAsync(Project);
        var running = await _api.RunningClusterAsync(Project, "lost-start");
        // As when the API died between storing Updating and starting the workflow: no execution recorded.
        await _api.Clusters.UpdateAsync(running with { Status = ClusterStatus.Updating, Generation = 2, UpdateRuns = 1, UpdateExecutionArn = null },
            running.Version, CancellationToken.None);

        var same = await PatchAsync("lost-start", "{}");
        same.Status.Should().Be(202, same.ToString());
        Updates("lost-start").Should().Be(1);

        // Now its execution is known: a repeat (202: the update runs) starts nothing more.
        var again = await _api.SendAsync(ApiCall.Post(ClusterPath("lost-start") + "/update").By(_api.Admin));
        again.Status.Should().Be(202, again.ToString());
        Updates("lost-start").Should().Be(1);
    }
}
