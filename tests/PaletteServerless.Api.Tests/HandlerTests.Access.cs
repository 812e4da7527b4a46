using PaletteServerless.Testing;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Tests.Support;

namespace PaletteServerless.Api.Tests;

/// <summary>The handler: who may do what (401, 403, 404, 405), conflicts (409), delete with its confirmation, If-Match, force delete.</summary>
public partial class HandlerTests
{
    // ---- 401 / 403 / 404 / 405 ----

    [Fact]
    public async Task No_identity_is_a_401()
    {
        ShouldBeProblem(await _api.SendAsync(ApiCall.Get(Clusters)), 401);
    }

    [Fact]
    public async Task Claims_without_tenant_or_subject_are_a_401()
    {
        var noTenant = ApiCall.Get(Clusters) with { Claims = new JsonObject { ["sub"] = "alice", ["roles"] = "[tenant-admin]" } };
        ShouldBeProblem(await _api.SendAsync(noTenant), 401);
        var noSubject = ApiCall.Get(Clusters) with { Claims = new JsonObject { ["tenant"] = _api.Tenant, ["roles"] = "[tenant-admin]" } };
        ShouldBeProblem(await _api.SendAsync(noSubject), 401);
    }

    [Fact]
    public async Task A_weaker_role_is_a_403()
    {
        var response = await PostClusterAsync(ApiHarness.ClusterJson(), _api.As("project-viewer:web"));
        ShouldBeProblem(response, 403);
    }

    [Fact]
    public async Task Another_projects_cluster_is_a_404_as_if_it_did_not_exist()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "secret");

        var otherProject = await _api.SendAsync(ApiCall.Get($"{Clusters}/secret").By(_api.As("project-admin:api")));
        var missing = await _api.SendAsync(ApiCall.Get("/v1/projects/api/clusters/secret").By(_api.As("project-admin:api")));
        var otherTenant = await _api.SendAsync(ApiCall.Get($"{Clusters}/secret").By(_api.As("tenant-admin", tenant: "someone-else")));

        var neverCreated = await _api.SendAsync(ApiCall.Get($"{Clusters}/never-created").By(_api.As("project-admin:api")));

        ShouldBeProblem(otherProject, 404);
        ShouldBeProblem(missing, 404);
        ShouldBeProblem(otherTenant, 404);
        // Nothing tells an existing cluster of another project from one that was never created.
        otherProject.Body!["detail"]!.GetValue<string>().Should().Be(neverCreated.Body!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_path_is_a_404_and_wrong_method_a_405_with_allow()
    {
        ShouldBeProblem(await _api.SendAsync(ApiCall.Get("/v1/nothing").By(_api.Admin)), 404);

        var response = await _api.SendAsync(new ApiCall("PUT", $"{Clusters}/demo").By(_api.Admin).WithJson("{}"));
        ShouldBeProblem(response, 405);
        response.Headers["Allow"].Split(", ").Should().BeEquivalentTo("GET", "DELETE", "PATCH");
    }

    // ---- 409 ----

    [Fact]
    public async Task Duplicate_names_are_a_409()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "twice");

        ShouldBeProblem(await PostClusterAsync(ApiHarness.ClusterJson("twice")), 409);
        ShouldBeProblem(await _api.SendAsync(ApiCall.Post("/v1/projects/web/cloudaccounts").By(_api.Admin).WithJson(ApiHarness.AccountJson())), 409);
        ShouldBeProblem(await _api.SendAsync(ApiCall.Post("/v1/projects/web/clusterprofiles").By(_api.Admin).WithJson(ApiHarness.ProfileJson())), 409);
        _api.Workflows.Started.Should().ContainSingle();
    }

    [Fact]
    public async Task Account_and_profile_used_by_a_live_cluster_cannot_be_deleted()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "user");

        ShouldBeProblem(await _api.SendAsync(ApiCall.Delete("/v1/projects/web/cloudaccounts/prod").By(_api.Admin)), 409);
        ShouldBeProblem(await _api.SendAsync(ApiCall.Delete("/v1/projects/web/clusterprofiles/ubuntu-k8s").By(_api.Admin)), 409);

        // Once the cluster is Deleted (force delete after 15 minutes), both may go.
        await _api.DeleteClusterAsync("web", "user");
        _api.Clock.Advance(TimeSpan.FromMinutes(15));
        (await _api.SendAsync(ApiCall.Post($"{Clusters}/user/force-delete").By(_api.Admin))).Status.Should().Be(202);
        (await _api.SendAsync(ApiCall.Delete("/v1/projects/web/cloudaccounts/prod").By(_api.Admin))).Status.Should().Be(204);
        (await _api.SendAsync(ApiCall.Delete("/v1/projects/web/clusterprofiles/ubuntu-k8s").By(_api.Admin))).Status.Should().Be(204);
        ShouldBeProblem(await _api.SendAsync(ApiCall.Get("/v1/projects/web/cloudaccounts/prod").By(_api.Admin)), 404);
        ShouldBeProblem(await _api.SendAsync(ApiCall.Delete("/v1/projects/web/clusterprofiles/ubuntu-k8s").By(_api.Admin)), 404);
    }

    // ---- delete, If-Match, force delete ----

    [Fact]
    public async Task Delete_needs_the_name_typed_again()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "keep");

        var none = await _api.SendAsync(ApiCall.Delete($"{Clusters}/keep").By(_api.Admin));
        var wrong = await _api.SendAsync(ApiCall.Delete($"{Clusters}/keep").By(_api.Admin).WithQuery("confirm", "kep"));
        var wrongBody = await _api.SendAsync(ApiCall.Delete($"{Clusters}/keep").By(_api.Admin).WithJson("""{"confirm":"other"}"""));

        foreach (var response in new[] { none, wrong, wrongBody })
        {
            ShouldBeProblem(response, 400);
            response.ErrorFields.Should().Equal("confirm");
        }
        _api.Workflows.Started.Where(s => s.Operation == "delete").Should().BeEmpty();
        (await _api.SendAsync(ApiCall.Get($"{Clusters}/keep").By(_api.Admin))).Body!["status"]!.GetValue<string>().Should().Be("Pending");
    }

    [Fact]
    public async Task Delete_confirmed_by_query_moves_to_deleting_and_starts_the_delete_workflow()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "gone");
        _api.Clock.Advance(TimeSpan.FromMinutes(1));

        var response = await _api.SendAsync(ApiCall.Delete($"{Clusters}/gone").By(_api.As("project-editor:web")).WithQuery("confirm", "gone"));

        response.Status.Should().Be(202, response.ToString());
        response.Body!["status"]!.GetValue<string>().Should().Be("Deleting");
        response.Body["forceDeleteAvailableAt"]!.GetValue<DateTimeOffset>().Should().Be(ApiHarness.Start + TimeSpan.FromMinutes(16));
        response.Body["forceDeleteSecondsLeft"]!.GetValue<long>().Should().Be(900);
        _api.Workflows.Started.Select(s => s.Operation).Should().Equal("provision", "delete");
    }

    [Fact]
    public async Task Delete_confirmed_by_body_works_and_deleting_again_is_a_no_op()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "twice-deleted");

        var first = await _api.SendAsync(ApiCall.Delete($"{Clusters}/twice-deleted").By(_api.Admin).WithJson("""{"confirm":"twice-deleted"}"""));
        var second = await _api.SendAsync(ApiCall.Delete($"{Clusters}/twice-deleted").By(_api.Admin).WithJson("""{"confirm":"twice-deleted"}"""));

        first.Status.Should().Be(202, first.ToString());
        second.Status.Should().Be(202, second.ToString());
        second.Body!["status"]!.GetValue<string>().Should().Be("Deleting");
        _api.Workflows.Started.Count(s => s.Operation == "delete").Should().Be(1);
    }

    [Fact]
    public async Task Stale_if_match_is_a_409_and_the_current_version_passes()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "versioned");
        var etag = (await _api.SendAsync(ApiCall.Get($"{Clusters}/versioned").By(_api.Admin))).Headers["ETag"];

        var stale = await _api.SendAsync(ApiCall.Delete($"{Clusters}/versioned").By(_api.Admin).WithQuery("confirm", "versioned").WithHeader("If-Match", "\"0\""));
        var current = await _api.SendAsync(ApiCall.Delete($"{Clusters}/versioned").By(_api.Admin).WithQuery("confirm", "versioned").WithHeader("If-Match", etag));

        ShouldBeProblem(stale, 409);
        stale.Body!["detail"]!.GetValue<string>().Should().Contain("stale");
        current.Status.Should().Be(202, current.ToString());
    }

    [Theory]
    [InlineData("*")]
    [InlineData("W/\"{0}\"")]
    [InlineData("{0}")]
    public async Task If_match_accepts_any_version_star_weak_and_bare_etags(string format)
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "tagged");
        var version = (await _api.SendAsync(ApiCall.Get($"{Clusters}/tagged").By(_api.Admin))).Body!["version"]!.GetValue<long>();

        var response = await _api.SendAsync(ApiCall.Delete($"{Clusters}/tagged").By(_api.Admin).WithQuery("confirm", "tagged")
            .WithHeader("If-Match", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, version)));

        response.Status.Should().Be(202, response.ToString());
    }

    [Fact]
    public async Task Malformed_if_match_is_a_400_and_a_viewers_stale_if_match_is_still_a_403()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "watched");

        var malformed = await _api.SendAsync(ApiCall.Delete($"{Clusters}/watched").By(_api.Admin).WithQuery("confirm", "watched").WithHeader("If-Match", "\"abc\""));
        ShouldBeProblem(malformed, 400);
        malformed.ErrorFields.Should().Equal("If-Match");

        var viewer = await _api.SendAsync(ApiCall.Delete($"{Clusters}/watched").By(_api.As("project-viewer:web")).WithQuery("confirm", "watched").WithHeader("If-Match", "\"0\""));
        ShouldBeProblem(viewer, 403);
    }

    [Fact]
    public async Task Force_delete_answers_202_with_where_to_watch_and_the_cluster_carries_the_report()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "left");
        await _api.DeleteClusterAsync("web", "left");
        _api.Clock.Advance(TimeSpan.FromMinutes(15));
        _api.ForceDeleter.Leftovers.Add(new PaletteServerless.Domain.Provisioning.Leftover(
            "Elastic IP", "eipalloc-1", "elastic-ip", "111122223333", "us-east-1", "release address eipalloc-1: AuthFailure", 0.005m, "uid-1", "left"));

        var accepted = await _api.SendAsync(ApiCall.Post($"{Clusters}/left/force-delete").By(_api.Admin));

        accepted.Status.Should().Be(202, accepted.ToString());
        accepted.Headers["Location"].Should().Be($"{Clusters}/left");
        var body = accepted.Body!.AsObject();
        body["cluster"]!.GetValue<string>().Should().Be($"{Clusters}/left");
        body["events"]!.GetValue<string>().Should().Be($"{Clusters}/left/events");
        body["execution"]!.GetValue<string>().Should().EndWith(":force-delete-" + _api.ForceDeleter.Calls.Single().Cluster.Uid);

        var cluster = (await _api.SendAsync(ApiCall.Get($"{Clusters}/left").By(_api.Admin))).Body!.AsObject();
        cluster["status"]!.GetValue<string>().Should().Be("Deleted");
        var report = cluster["forceDeleteReport"]!.AsObject();
        report.Select(p => p.Key).Should().Equal("cluster", "leftovers", "estimatedHourlyCostUsd", "at", "status", "statusReason");
        report["estimatedHourlyCostUsd"]!.GetValue<decimal>().Should().Be(0.005m);
        report["statusReason"]!.GetValue<string>().Should().Contain("force deleted by");
        var leftover = report["leftovers"]!.AsArray().Single()!.AsObject();
        leftover.Select(p => p.Key).Should().Equal("type", "id", "kind", "account", "region", "reason", "estimatedHourlyCostUsd", "clusterUid", "cluster");
        leftover["id"]!.GetValue<string>().Should().Be("eipalloc-1");
        (await _api.SendAsync(ApiCall.Get($"{Clusters}/left/events").By(_api.Admin))).Body!["items"]!.AsArray()
            .Select(e => e!["reason"]!.GetValue<string>()).Should().Contain("ForceDeleteRequested");
    }

    [Fact]
    public async Task A_second_force_delete_while_one_runs_points_at_the_same_run()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "twice");
        await _api.DeleteClusterAsync("web", "twice");
        _api.Clock.Advance(TimeSpan.FromMinutes(15));
        _api.ForceDeleter.Completes = false;

        var first = await _api.SendAsync(ApiCall.Post($"{Clusters}/twice/force-delete").By(_api.Admin));
        var second = await _api.SendAsync(ApiCall.Post($"{Clusters}/twice/force-delete").By(_api.As("project-admin:web")));

        first.Status.Should().Be(202, first.ToString());
        second.Status.Should().Be(202, second.ToString());
        second.Headers["Location"].Should().Be(first.Headers["Location"]);
        second.Body!["execution"]!.GetValue<string>().Should().Be(first.Body!["execution"]!.GetValue<string>());
        second.Body["status"]!.GetValue<string>().Should().Be("Deleting");
        _api.ForceDeleter.Executions.Should().ContainSingle("a second start of the same execution name finds the running one");
        (await _api.SendAsync(ApiCall.Get($"{Clusters}/twice/events").By(_api.Admin))).Body!["items"]!.AsArray()
            .Count(e => e!["reason"]!.GetValue<string>() == "ForceDeleteRequested").Should().Be(1);
    }

    [Fact]
    public async Task Removing_orphans_starts_a_sweep_whose_state_and_report_are_read_by_its_id()
    {
        await _api.SeedProjectAsync("web");

        var accepted = await _api.SendAsync(ApiCall.Post("/v1/projects/web/orphans").By(_api.As("project-editor:web")));

        accepted.Status.Should().Be(202, accepted.ToString());
        var id = accepted.Body!["id"]!.GetValue<string>();
        accepted.Headers["Location"].Should().Be($"/v1/projects/web/orphans/sweeps/{id}");
        accepted.Body["sweep"]!.GetValue<string>().Should().Be(accepted.Headers["Location"]);
        _api.Sweeps.Started.Should().Equal(id);
        var running = await _api.SendAsync(ApiCall.Get(accepted.Headers["Location"]).By(_api.As("project-viewer:web")));
        running.Status.Should().Be(200, running.ToString());
        running.Body!["state"]!.GetValue<string>().Should().Be("Running");

        _api.Sweeps.Finish(id, PaletteServerless.Domain.Provisioning.LeftoverReport.Of(null,
            [new("VPC", "vpc-1", "ec2:vpc", "111122223333", "us-east-1", "blocked", 0m, "uid-gone", "gone")], ApiHarness.Start));
        var done = (await _api.SendAsync(ApiCall.Get(accepted.Headers["Location"]).By(_api.Admin))).Body!;
        done["state"]!.GetValue<string>().Should().Be("Succeeded");
        done["report"]!["leftovers"]![0]!["id"]!.GetValue<string>().Should().Be("vpc-1");

        ShouldBeProblem(await _api.SendAsync(ApiCall.Get($"/v1/projects/api/orphans/sweeps/{id}").By(_api.Admin)), 404);
        ShouldBeProblem(await _api.SendAsync(ApiCall.Get("/v1/projects/web/orphans/sweeps/not-a-sweep").By(_api.Admin)), 404);
        ShouldBeProblem(await _api.SendAsync(ApiCall.Post("/v1/projects/web/orphans").By(_api.As("project-viewer:web"))), 403);
        _api.Sweeps.Started.Should().ContainSingle();
    }

    [Fact]
    public async Task Force_delete_waits_15_minutes_in_deleting_then_marks_deleted()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "stuck");
        var forceDelete = ApiCall.Post($"{Clusters}/stuck/force-delete").By(_api.As("project-admin:web"));

        var notDeleting = await _api.SendAsync(forceDelete);
        ShouldBeProblem(notDeleting, 409);

        await _api.DeleteClusterAsync("web", "stuck");
        _api.Clock.Advance(TimeSpan.FromMinutes(14));
        var early = await _api.SendAsync(forceDelete);
        ShouldBeProblem(early, 409);
        early.Body!["detail"]!.GetValue<string>().Should().Contain("in 60 s");
        (await _api.SendAsync(ApiCall.Get($"{Clusters}/stuck").By(_api.Admin))).Body!["forceDeleteSecondsLeft"]!.GetValue<long>().Should().Be(60);

        _api.Clock.Advance(TimeSpan.FromSeconds(59));
        ShouldBeProblem(await _api.SendAsync(forceDelete), 409);
        _api.ForceDeleter.Calls.Should().BeEmpty();

        _api.Clock.Advance(TimeSpan.FromSeconds(1));
        var allowed = await _api.SendAsync(forceDelete);
        allowed.Status.Should().Be(202, allowed.ToString());
        allowed.Body!["status"]!.GetValue<string>().Should().Be("Deleted", "the (fake) workflow ended before the answer");
        _api.ForceDeleter.Calls.Should().ContainSingle().Which.Caller.Subject.Should().Be("alice");

        var after = await _api.SendAsync(ApiCall.Get($"{Clusters}/stuck").By(_api.Admin));
        after.Body!["status"]!.GetValue<string>().Should().Be("Deleted");
        after.Body["deletedAt"]!.GetValue<DateTimeOffset>().Should().Be(ApiHarness.Start + TimeSpan.FromMinutes(15));
    }

    [Fact]
    public async Task Force_delete_is_for_admins_only()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "guarded");
        await _api.DeleteClusterAsync("web", "guarded");
        _api.Clock.Advance(TimeSpan.FromMinutes(16));

        ShouldBeProblem(await _api.SendAsync(ApiCall.Post($"{Clusters}/guarded/force-delete").By(_api.As("project-editor:web"))), 403);
        _api.ForceDeleter.Calls.Should().BeEmpty();
    }
}
