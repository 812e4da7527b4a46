using PaletteServerless.Testing;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Tests.Support;

namespace PaletteServerless.Api.Tests;

/// <summary>The handler through payload 2.0 events: status codes, problem details, and what is stored.</summary>
public class HandlerTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private const string Clusters = "/v1/projects/web/clusters";

    private readonly ApiHarness _api = new(fixture);

    private async Task<ApiResponse> PostClusterAsync(JsonNode body, Identity? by = null) =>
        await _api.SendAsync(ApiCall.Post(Clusters).By(by ?? _api.Admin).WithJson(body));

    private static void ShouldBeProblem(ApiResponse response, int status)
    {
        response.Status.Should().Be(status, response.ToString());
        response.ContentType.Should().Be("application/problem+json");
        response.Body!["status"]!.GetValue<int>().Should().Be(status);
        response.Body["title"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        response.Body["type"]!.GetValue<string>().Should().StartWith("https://");
        response.Body["detail"]!.GetValue<string>().Should().NotBeNullOrEmpty();
    }

    // ---- 2xx ----

    [Fact]
    public async Task Create_answers_202_with_the_pending_cluster_and_starts_provisioning()
    {
        await _api.SeedProjectAsync("web");

        var response = await PostClusterAsync(ApiHarness.ClusterJson("demo"));

        response.Status.Should().Be(202, response.ToString());
        response.ContentType.Should().Be("application/json");
        response.Headers["Location"].Should().Be($"{Clusters}/demo");
        var cluster = response.Body!;
        cluster["name"]!.GetValue<string>().Should().Be("demo");
        cluster["status"]!.GetValue<string>().Should().Be("Pending");
        cluster["statusReason"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        cluster["version"]!.GetValue<long>().Should().BeGreaterThanOrEqualTo(1);
        cluster["createdAt"]!.GetValue<DateTimeOffset>().Should().Be(ApiHarness.Start);
        cluster["conditions"]!.AsArray().Should().BeEmpty();
        cluster["nodePools"]![1]!["taints"]![0]!["effect"]!.GetValue<string>().Should().Be("NoSchedule");
        cluster.AsObject().Should().ContainKey("forceDeleteAvailableAt");
        cluster["forceDeleteAvailableAt"].Should().BeNull();

        var started = _api.Workflows.Started.Should().ContainSingle().Subject;
        started.Operation.Should().Be("provision");
        started.Cluster.Name.Should().Be("demo");
        started.Cluster.Scope.Tenant.Should().Be(_api.Tenant);

        var stored = await _api.Clusters.GetAsync(new(_api.Tenant, "web"), "demo", CancellationToken.None);
        stored!.ProvisionExecutionArn.Should().EndWith($"provision-{stored.Uid}");
    }

    [Fact]
    public async Task Get_returns_what_post_took_with_defaults_and_an_etag()
    {
        await _api.SeedProjectAsync("web");
        var minimal = ApiHarness.ClusterJson("minimal");
        minimal["cloud"]!.AsObject().Remove("vpcCidr");
        minimal["cloud"]!.AsObject().Remove("apiLoadBalancer");
        minimal["nodePools"]![1]!.AsObject().Remove("diskSizeGiB");
        (await PostClusterAsync(minimal)).Status.Should().Be(202);

        var response = await _api.SendAsync(ApiCall.Get($"{Clusters}/minimal").By(_api.As("project-viewer:web")));

        response.Status.Should().Be(200);
        response.Headers["ETag"].Should().Be($"\"{response.Body!["version"]!.GetValue<long>()}\"");
        response.Body["cloud"]!["vpcCidr"]!.GetValue<string>().Should().Be("10.0.0.0/16");
        response.Body["cloud"]!["apiLoadBalancer"]!.GetValue<string>().Should().Be("internet-facing");
        response.Body["nodePools"]![1]!["diskSizeGiB"]!.GetValue<int>().Should().Be(65);
        response.Body["tags"]!["team"]!.GetValue<string>().Should().Be("platform");
        response.Body["settings"]!["rbac"]![0]!["subjects"]![0]!["name"]!.GetValue<string>().Should().Be("platform");
    }

    [Fact]
    public async Task Dry_run_validates_and_stores_nothing()
    {
        await _api.SeedProjectAsync("web");

        var response = await _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithQuery("dryRun", "true").WithJson(ApiHarness.ClusterJson("dry")));

        response.Status.Should().Be(200, response.ToString());
        response.Body!["valid"]!.GetValue<bool>().Should().BeTrue();
        response.Body["spec"]!["name"]!.GetValue<string>().Should().Be("dry");
        _api.Workflows.Started.Should().BeEmpty();
        (await _api.SendAsync(ApiCall.Get($"{Clusters}/dry").By(_api.Admin))).Status.Should().Be(404);
        (await _api.SendAsync(ApiCall.Get(Clusters).By(_api.Admin).WithQuery("includeDeleted", "true"))).ItemNames.Should().BeEmpty();
    }

    [Fact]
    public async Task Dry_run_of_a_bad_spec_is_the_same_400()
    {
        var bad = ApiHarness.ClusterJson("x");
        var response = await _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithQuery("dryRun", "true").WithJson(bad));
        ShouldBeProblem(response, 400);
        response.ErrorFields.Should().Contain("name");
    }

    [Fact]
    public async Task Events_of_a_cluster_are_listed_oldest_first()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "evented");
        _api.Clock.Advance(TimeSpan.FromSeconds(5));
        await _api.DeleteClusterAsync("web", "evented");

        var response = await _api.SendAsync(ApiCall.Get($"{Clusters}/evented/events").By(_api.As("project-viewer:web")));

        response.Status.Should().Be(200);
        var reasons = response.Body!["items"]!.AsArray().Select(e => e!["reason"]!.GetValue<string>());
        reasons.Should().Equal("Created", "Deleting");
        response.Body["items"]![0]!["type"]!.GetValue<string>().Should().Be("Normal");
        response.NextCursor.Should().BeNull();
    }

    [Fact]
    public async Task Openapi_document_is_served_without_a_token()
    {
        var response = await _api.SendAsync(ApiCall.Get("/v1/openapi.json"));
        response.Status.Should().Be(200);
        response.Body!["openapi"]!.GetValue<string>().Should().Be("3.0.3");
    }

    // ---- 400 ----

    [Fact]
    public async Task Validation_errors_name_the_json_path_of_the_value()
    {
        var spec = ApiHarness.ClusterJson();
        spec["nodePools"]![1]!["taints"]![0]!["effect"] = "Sometimes";
        spec["nodePools"]![0]!["count"] = 2;
        spec["cloud"]!["vpcCidr"] = "10.0.0.0/25";

        var response = await PostClusterAsync(spec);

        ShouldBeProblem(response, 400);
        response.ErrorFields.Should().BeEquivalentTo("nodePools[1].taints[0].effect", "nodePools[0].count", "cloud.vpcCidr");
        response.Body!["errors"]![0]!["message"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        response.Body["instance"]!.GetValue<string>().Should().Be(Clusters);
    }

    [Fact]
    public async Task Unknown_field_is_refused_by_its_path()
    {
        var spec = ApiHarness.ClusterJson();
        var cloud = spec["cloud"]!.AsObject();
        cloud["placment"] = cloud["placement"]!.DeepClone();
        cloud.Remove("placement");

        var response = await PostClusterAsync(spec);

        ShouldBeProblem(response, 400);
        response.ErrorFields.Should().Equal("cloud.placment");
        response.Body!["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("not a known field");
    }

    [Fact]
    public async Task Unknown_top_level_and_nested_array_fields_are_refused_by_path()
    {
        var spec = ApiHarness.ClusterJson();
        spec["nmae"] = "x";
        (await PostClusterAsync(spec)).ErrorFields.Should().Equal("nmae");

        spec = ApiHarness.ClusterJson();
        spec["nodePools"]![1]!["taints"]![0]!["efect"] = "NoSchedule";
        (await PostClusterAsync(spec)).ErrorFields.Should().Equal("nodePools[1].taints[0].efect");
    }

    [Theory]
    [InlineData("""{"":1}""", "['']")]
    [InlineData("""{"a.b":1}""", "['a.b']")]
    [InlineData("""{"it's":1}""", "['it's']")]
    [InlineData("""{"cloud":{"":1}}""", "cloud['']")]
    public async Task Unknown_fields_with_odd_names_are_still_named(string body, string field)
    {
        var response = await PostClusterAsync(JsonNode.Parse(body)!);
        ShouldBeProblem(response, 400);
        response.ErrorFields.Should().Equal(field);
    }

    [Theory]
    [InlineData("nodePools[0].count", "\"three\"", "a whole number")]
    [InlineData("updateWorkerPoolsInParallel", "\"yes\"", "true or false")]
    [InlineData("name", "42", "a string")]
    [InlineData("nodePools[1].maxSpotPrice", "\"cheap\"", "a number")]
    [InlineData("nodePools", "{}", "an array")]
    [InlineData("tags", "[]", "an object of string values")]
    public async Task Wrong_types_are_refused_by_path(string field, string json, string expected)
    {
        var spec = ApiHarness.ClusterJson();
        SetPath(spec, field, JsonNode.Parse(json));

        var response = await PostClusterAsync(spec);

        ShouldBeProblem(response, 400);
        var error = response.Body!["errors"]!.AsArray().Should().ContainSingle().Subject!;
        error["field"]!.GetValue<string>().Should().StartWith(field);
        error["message"]!.GetValue<string>().Should().Contain(expected);
    }

    [Fact]
    public async Task Duplicate_fields_are_refused()
    {
        var response = await _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithJson("""{"name":"abc","name":"abd"}"""));
        ShouldBeProblem(response, 400);
        response.Body!["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("more than once");
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    public async Task Missing_or_malformed_body_is_a_400(string body)
    {
        var response = await _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithJson(body));
        ShouldBeProblem(response, 400);
        response.ErrorFields.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Missing_references_are_named()
    {
        var response = await PostClusterAsync(ApiHarness.ClusterJson());

        ShouldBeProblem(response, 400);
        response.ErrorFields.Should().BeEquivalentTo("cloudAccount", "profile.name");
    }

    [Fact]
    public async Task Wrong_profile_version_and_unknown_pack_are_named()
    {
        await _api.SeedProjectAsync("web");
        var spec = ApiHarness.ClusterJson();
        spec["profile"]!["version"] = "2.0.0";
        spec["profile"]!["packValues"] = new JsonObject { ["calico"] = "a: 1" };

        var response = await PostClusterAsync(spec);

        // A version the profile does not have names the versions it has; pack values are judged against an existing version.
        ShouldBeProblem(response, 400);
        response.ErrorFields.Should().BeEquivalentTo("profile.version");
        response.Body!["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("no version 2.0.0").And.Contain("1.0.0");
        spec["profile"]!["version"] = "1.0.0";
        var unknownPack = await PostClusterAsync(spec);
        ShouldBeProblem(unknownPack, 400);
        unknownPack.ErrorFields.Should().BeEquivalentTo("profile.packValues.calico");
    }

    [Fact]
    public async Task Profile_with_broken_yaml_is_a_400_naming_the_pack()
    {
        var profile = ApiHarness.ProfileJson();
        profile["packs"]![2]!["values"] = "ipam: [oops";

        var response = await _api.SendAsync(ApiCall.Post("/v1/projects/web/clusterprofiles").By(_api.Admin).WithJson(profile));

        ShouldBeProblem(response, 400);
        var error = response.Body!["errors"]![0]!;
        error["field"]!.GetValue<string>().Should().Be("packs[2].values");
        error["message"]!.GetValue<string>().Should().Contain("cilium");
    }

    [Fact]
    public async Task Deeply_nested_yaml_is_a_400_not_a_crash()
    {
        var profile = ApiHarness.ProfileJson();
        profile["packs"]![0]!["values"] = new string('[', 30_000);
        var spec = ApiHarness.ClusterJson();
        spec["profile"]!["packValues"] = new JsonObject { ["cilium"] = new string('[', 60_000) };

        var profileResponse = await _api.SendAsync(ApiCall.Post("/v1/projects/web/clusterprofiles").By(_api.Admin).WithJson(profile));
        var clusterResponse = await PostClusterAsync(spec);

        ShouldBeProblem(profileResponse, 400);
        profileResponse.ErrorFields.Should().Contain("packs[0].values");
        ShouldBeProblem(clusterResponse, 400);
        clusterResponse.ErrorFields.Should().Contain("profile.packValues.cilium");
    }

    [Theory]
    [InlineData("limit", "0")]
    [InlineData("limit", "101")]
    [InlineData("limit", "ten")]
    [InlineData("limit", "-1")]
    [InlineData("includeDeleted", "maybe")]
    public async Task Bad_query_parameters_are_named(string name, string value)
    {
        var response = await _api.SendAsync(ApiCall.Get(Clusters).By(_api.Admin).WithQuery(name, value));
        ShouldBeProblem(response, 400);
        response.ErrorFields.Should().Equal(name);
    }

    [Fact]
    public async Task Bad_dry_run_flag_is_named()
    {
        var response = await _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithQuery("dryRun", "perhaps").WithJson(ApiHarness.ClusterJson()));
        ShouldBeProblem(response, 400);
        response.ErrorFields.Should().Equal("dryRun");
    }

    [Theory]
    [InlineData("Web")]
    [InlineData("we_b")]
    public async Task Project_in_the_path_must_be_a_dns_label(string project)
    {
        var response = await _api.SendAsync(ApiCall.Get($"/v1/projects/{project}/clusters").By(_api.Admin));
        ShouldBeProblem(response, 400);
        response.ErrorFields.Should().Equal("project");
    }

    [Fact]
    public async Task A_name_in_the_path_that_no_record_can_have_is_a_400_not_a_server_error()
    {
        var longName = new string('n', 2000);
        foreach (var path in new[] { $"{Clusters}/{longName}", $"/v1/projects/web/cloudaccounts/{longName}", $"/v1/projects/web/clusterprofiles/{longName}", $"{Clusters}/{longName}/events" })
        {
            var response = await _api.SendAsync(ApiCall.Get(path).By(_api.Admin));
            ShouldBeProblem(response, 400);
            response.ErrorFields.Should().Equal("name");
        }
    }

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

    // ---- lists ----

    [Fact]
    public async Task Deleted_clusters_are_hidden_unless_include_deleted_and_the_name_is_free_again()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "alive");
        await _api.CreateClusterAsync("web", "dead");
        await _api.DeleteClusterAsync("web", "dead");
        _api.Clock.Advance(TimeSpan.FromMinutes(15));
        (await _api.SendAsync(ApiCall.Post($"{Clusters}/dead/force-delete").By(_api.Admin))).Status.Should().Be(202);

        (await _api.SendAsync(ApiCall.Get(Clusters).By(_api.Admin))).ItemNames.Should().Equal("alive");
        var all = await _api.SendAsync(ApiCall.Get(Clusters).By(_api.Admin).WithQuery("includeDeleted", "true"));
        all.ItemNames.Should().Equal("alive", "dead");
        all.Body!["items"]![1]!["status"]!.GetValue<string>().Should().Be("Deleted");

        var reborn = await _api.CreateClusterAsync("web", "dead");
        reborn.Body!["status"]!.GetValue<string>().Should().Be("Pending");
        (await _api.SendAsync(ApiCall.Get($"{Clusters}/dead/events").By(_api.Admin))).Body!["items"]!.AsArray()
            .Select(e => e!["reason"]!.GetValue<string>()).Should().Equal("Created");
    }

    [Fact]
    public async Task Pages_follow_the_cursor_to_the_end_without_gaps_or_repeats()
    {
        var names = Enumerable.Range(0, 7).Select(i => $"acct-{i}").ToList();
        foreach (var name in names)
            (await _api.SendAsync(ApiCall.Post("/v1/projects/paged/cloudaccounts").By(_api.Admin).WithJson(ApiHarness.AccountJson(name)))).Status.Should().Be(201);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var call = ApiCall.Get("/v1/projects/paged/cloudaccounts").By(_api.As("project-viewer:paged")).WithQuery("limit", "3");
            var page = await _api.SendAsync(cursor is null ? call : call.WithQuery("cursor", cursor));
            page.Status.Should().Be(200, page.ToString());
            page.ItemNames.Count.Should().BeLessThanOrEqualTo(3);
            seen.AddRange(page.ItemNames);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        seen.Should().Equal(names);
        pages.Should().BeInRange(3, 4);
    }

    [Theory]
    [InlineData("not*base64")]
    [InlineData("QUNDT1VOVCNhY2N0LTA")] // a real cursor of the accounts list ("ACCOUNT#acct-0"): not one of the clusters list
    public async Task Forged_cursor_is_a_400(string cursor)
    {
        var response = await _api.SendAsync(ApiCall.Get(Clusters).By(_api.Admin).WithQuery("cursor", cursor));
        ShouldBeProblem(response, 400);
        response.ErrorFields.Should().Equal("cursor");
    }

    [Fact]
    public async Task Cursor_over_the_tables_key_limit_is_a_400()
    {
        var sortKey = "CLUSTER#" + new string('a', 2000);
        var cursor = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(sortKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var response = await _api.SendAsync(ApiCall.Get(Clusters).By(_api.Admin).WithQuery("cursor", cursor));

        ShouldBeProblem(response, 400);
        response.ErrorFields.Should().Equal("cursor");
    }

    // ---- 413 / 415 ----

    [Fact]
    public async Task Body_over_64_kib_is_a_413()
    {
        var spec = ApiHarness.ClusterJson();
        spec["description"] = new string('d', 64 * 1024);

        ShouldBeProblem(await PostClusterAsync(spec), 413);
        ShouldBeProblem(await _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithJson(spec).AsBase64()), 413);
    }

    [Fact]
    public async Task Base64_body_of_json_is_read()
    {
        await _api.SeedProjectAsync("web");
        var response = await _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithJson(ApiHarness.ClusterJson("encoded")).AsBase64());
        response.Status.Should().Be(202, response.ToString());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    public async Task Body_that_is_not_json_is_a_415(string contentType)
    {
        var response = await _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithText(ApiHarness.ClusterJson().ToJsonString(), contentType));
        ShouldBeProblem(response, 415);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/merge-patch+json")]
    public async Task Json_media_types_with_parameters_or_suffix_are_json(string contentType)
    {
        var response = await _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithQuery("dryRun", "true").WithText("{\"name\":\"X\"}", contentType));
        ShouldBeProblem(response, 400);
    }

    // ---- 503 ----

    [Fact]
    public async Task Unreachable_workflow_engine_is_a_503_and_the_cluster_is_marked_failed()
    {
        var api = new ApiHarness(fixture, new UnreachableWorkflowStarter());
        await api.SeedProjectAsync("web");

        var response = await api.SendAsync(ApiCall.Post(Clusters).By(api.Admin).WithJson(ApiHarness.ClusterJson("unlucky")));

        ShouldBeProblem(response, 503);
        var cluster = await api.SendAsync(ApiCall.Get($"{Clusters}/unlucky").By(api.Admin));
        cluster.Body!["status"]!.GetValue<string>().Should().Be("Failed");
        cluster.Body["statusReason"]!.GetValue<string>().Should().Contain("could not be started");

        // A Failed cluster may be deleted; the delete workflow is unreachable too, so that is a 503 as well.
        var delete = await api.SendAsync(ApiCall.Delete($"{Clusters}/unlucky").By(api.Admin).WithQuery("confirm", "unlucky"));
        ShouldBeProblem(delete, 503);
    }

    // ---- claims ----

    [Theory]
    [InlineData(RolesForm.GatewayString)]
    [InlineData(RolesForm.JsonArrayText)]
    [InlineData(RolesForm.Array)]
    public async Task Roles_claim_is_read_in_every_form(RolesForm form)
    {
        var admin = new Identity(_api.Tenant, ["project-viewer:other", "project-admin:web"], Form: form);
        var response = await _api.SendAsync(ApiCall.Post("/v1/projects/web/cloudaccounts").By(admin).WithJson(ApiHarness.AccountJson($"acct-{form.ToString().ToLowerInvariant()}")));
        response.Status.Should().Be(201, response.ToString());

        var editorOnly = new Identity(_api.Tenant, ["project-editor:web"], Form: form);
        ShouldBeProblem(await _api.SendAsync(ApiCall.Post("/v1/projects/web/cloudaccounts").By(editorOnly).WithJson(ApiHarness.AccountJson("nope"))), 403);
    }

    [Fact]
    public async Task Cloud_account_without_role_is_the_products_own_and_stores_no_secret()
    {
        var response = await _api.SendAsync(ApiCall.Post("/v1/projects/web/cloudaccounts").By(_api.Admin).WithJson("""{"name":"self"}"""));
        response.Status.Should().Be(201, response.ToString());
        response.Headers["Location"].Should().Be("/v1/projects/web/cloudaccounts/self");
        var got = await _api.SendAsync(ApiCall.Get("/v1/projects/web/cloudaccounts/self").By(_api.Admin));
        got.Body!["name"]!.GetValue<string>().Should().Be("self");
        got.Body.AsObject().Should().NotContainKey("roleArn");

        var secret = await _api.SendAsync(ApiCall.Post("/v1/projects/web/cloudaccounts").By(_api.Admin).WithJson("""{"name":"leaky","secretAccessKey":"abc"}"""));
        ShouldBeProblem(secret, 400);
        secret.ErrorFields.Should().Equal("secretAccessKey");
    }

    [Fact]
    public async Task Read_only_fields_sent_back_are_ignored_never_trusted()
    {
        var withAccountId = await _api.SendAsync(ApiCall.Post("/v1/projects/web/cloudaccounts").By(_api.Admin)
            .WithJson("""{"name":"spoof","roleArn":"arn:aws:iam::123456789012:role/r","accountId":"999999999999"}"""));
        // accountId has no setter: it is read over and always comes from the role ARN.
        withAccountId.Status.Should().Be(201, withAccountId.ToString());
        withAccountId.Body!["accountId"]!.GetValue<string>().Should().Be("123456789012");

        var withCreatedAt = await _api.SendAsync(ApiCall.Post("/v1/projects/web/cloudaccounts").By(_api.Admin)
            .WithJson("""{"name":"backdated","createdAt":"2001-01-01T00:00:00Z"}"""));
        withCreatedAt.Status.Should().Be(201, withCreatedAt.ToString());
        withCreatedAt.Body!["createdAt"]!.GetValue<DateTimeOffset>().Should().Be(ApiHarness.Start);
    }

    [Fact]
    public async Task Deleting_a_deleted_cluster_is_a_404_but_it_can_still_be_read()
    {
        await _api.SeedProjectAsync("web");
        await _api.CreateClusterAsync("web", "finished");
        await _api.DeleteClusterAsync("web", "finished");
        _api.Clock.Advance(TimeSpan.FromMinutes(15));
        (await _api.SendAsync(ApiCall.Post($"{Clusters}/finished/force-delete").By(_api.Admin))).Status.Should().Be(202);

        ShouldBeProblem(await _api.SendAsync(ApiCall.Delete($"{Clusters}/finished").By(_api.Admin).WithQuery("confirm", "finished")), 404);
        ShouldBeProblem(await _api.SendAsync(ApiCall.Post($"{Clusters}/finished/force-delete").By(_api.Admin)), 409);
        (await _api.SendAsync(ApiCall.Get($"{Clusters}/finished").By(_api.Admin))).Body!["status"]!.GetValue<string>().Should().Be("Deleted");
    }

    private static void SetPath(JsonObject root, string path, JsonNode? value)
    {
        // "a.b[1].c": walk to the parent, then set the last member.
        var parts = path.Replace("]", "").Split('.');
        JsonNode node = root;
        for (var i = 0; i < parts.Length; i++)
        {
            var pieces = parts[i].Split('[');
            var last = i == parts.Length - 1;
            if (last && pieces.Length == 1)
            {
                node.AsObject()[pieces[0]] = value;
                return;
            }
            node = node[pieces[0]]!;
            for (var j = 1; j < pieces.Length; j++)
                node = node[int.Parse(pieces[j], System.Globalization.CultureInfo.InvariantCulture)]!;
        }
    }
}
