using PaletteServerless.Testing;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Tests.Support;

namespace PaletteServerless.Api.Tests;

/// <summary>The handler: lists and their cursors, body limits and media types (413, 415), and what is never trusted.</summary>
public partial class HandlerTests
{
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
