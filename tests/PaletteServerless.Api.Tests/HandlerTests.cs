using PaletteServerless.Testing;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Tests.Support;

namespace PaletteServerless.Api.Tests;

/// <summary>The handler through payload 2.0 events: status codes, problem details, and what is stored.</summary>
public partial class HandlerTests(StoreFixture fixture) : IClassFixture<StoreFixture>
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
}
