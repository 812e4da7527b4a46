using PaletteServerless.Testing;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Tests.Support;
using PaletteServerless.Domain.VirtualClusters;

namespace PaletteServerless.Api.Tests;

/// <summary>
/// The virtual cluster routes on a real table with the cluster side in memory: the name rule, duplicates, the setting's
/// 409s both ways, status learned from the agent's report on read, the kubeconfig only once Running, delete to gone.
/// </summary>
public class VirtualClusterRouteTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private const string Project = "vcs";
    private readonly ApiHarness _api = new(fixture);

    private static string Of(string host) => $"/v1/projects/{Project}/clusters/{host}/virtualclusters";

    private bool _seeded;

    private async Task<string> HostAsync(string name, bool enabled = true)
    {
        if (!_seeded)
            await _api.SeedProjectAsync(Project);
        _seeded = true;
        await _api.VirtualClusterHostAsync(Project, name, enabled);
        return name;
    }

    private Task<ApiResponse> CreateAsync(string host, string name) =>
        _api.SendAsync(ApiCall.Post(Of(host)).By(_api.Admin).WithJson(new JsonObject { ["name"] = name }));

    [Fact]
    public async Task A_virtual_cluster_is_created_Pending_then_Running_once_the_agent_reports_it_with_a_kubeconfig()
    {
        var host = await HostAsync("host1");
        var created = await CreateAsync(host, "dev");
        created.Status.Should().Be(202, created.ToString());
        created.Headers["Location"].Should().Be(Of(host) + "/dev");
        created.Body!["status"]!.GetValue<string>().Should().Be("Pending");
        created.Body["namespace"]!.GetValue<string>().Should().Be("vcluster-dev");
        _api.VirtualClusterCloud.Published!.Items.Should().ContainSingle(i => i.Name == "dev" && i.State == "present");

        (await _api.SendAsync(ApiCall.Get(Of(host) + "/dev/kubeconfig").By(_api.Admin))).Status.Should().Be(409);

        _api.VirtualClusterCloud.Reports["dev"] = new VirtualClusterReport { Status = "Running", Kubeconfig = "apiVersion: v1\nkind: Config\n" };
        var listed = await _api.SendAsync(ApiCall.Get(Of(host)).By(_api.As($"project-viewer:{Project}")));
        listed.Status.Should().Be(200, listed.ToString());
        listed.Body!["items"]![0]!["status"]!.GetValue<string>().Should().Be("Running");

        var kubeconfig = await _api.SendAsync(ApiCall.Get(Of(host) + "/dev/kubeconfig").By(_api.As($"project-editor:{Project}")));
        kubeconfig.Status.Should().Be(200, kubeconfig.ToString());
        kubeconfig.Body!["kubeconfig"]!.GetValue<string>().Should().StartWith("apiVersion: v1");
        (await _api.SendAsync(ApiCall.Get(Of(host) + "/dev/kubeconfig").By(_api.As($"project-viewer:{Project}")))).Status.Should().Be(403);
    }

    [Theory]
    [InlineData("Dev")]
    [InlineData("-dev")]
    [InlineData("a-name-that-is-far-too-long-for-a-helm-release-of-vcluster")]
    public async Task A_name_that_is_not_a_DNS_label_of_at_most_53_characters_is_a_400_naming_the_field(string name)
    {
        var host = await HostAsync("host2");
        var response = await CreateAsync(host, name);
        response.Status.Should().Be(400, response.ToString());
        response.Body!["errors"]![0]!["field"]!.GetValue<string>().Should().Be("name");
        (await _api.VirtualClusters.ListAsync((await _api.Clusters.GetAsync(new(_api.Tenant, Project), host, default))!, default)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_duplicate_name_is_a_409()
    {
        var host = await HostAsync("host3");
        (await CreateAsync(host, "dup")).Status.Should().Be(202);
        (await CreateAsync(host, "dup")).Status.Should().Be(409);
    }

    [Fact]
    public async Task With_the_setting_off_creating_one_is_a_409_and_turning_it_off_while_one_exists_is_a_409_naming_it()
    {
        var off = await HostAsync("host4", enabled: false);
        var refused = await CreateAsync(off, "dev");
        refused.Status.Should().Be(409, refused.ToString());
        refused.Body!["detail"]!.GetValue<string>().Should().Contain("settings.virtualClusters.enabled");

        var on = await HostAsync("host5");
        (await CreateAsync(on, "keep")).Status.Should().Be(202);
        var patch = await _api.SendAsync(ApiCall.Patch($"/v1/projects/{Project}/clusters/{on}").By(_api.Admin)
            .WithText("""{"settings":{"virtualClusters":{"enabled":false}}}""", "application/merge-patch+json"));
        patch.Status.Should().Be(409, patch.ToString());
        patch.Body!["detail"]!.GetValue<string>().Should().Contain("keep (Pending)");
    }

    [Fact]
    public async Task Delete_is_Deleting_until_the_agent_reports_it_gone_then_the_record_is_gone_and_the_setting_may_go_off()
    {
        var host = await HostAsync("host6");
        (await CreateAsync(host, "tmp")).Status.Should().Be(202);
        var deleting = await _api.SendAsync(ApiCall.Delete(Of(host) + "/tmp").By(_api.Admin));
        deleting.Status.Should().Be(202, deleting.ToString());
        deleting.Body!["status"]!.GetValue<string>().Should().Be("Deleting");
        _api.VirtualClusterCloud.Published!.Items.Should().ContainSingle(i => i.Name == "tmp" && i.State == "absent");
        (await _api.SendAsync(ApiCall.Get(Of(host) + "/tmp").By(_api.Admin))).Body!["status"]!.GetValue<string>().Should().Be("Deleting");

        _api.VirtualClusterCloud.Reports["tmp"] = new VirtualClusterReport { Status = "Deleted" };
        (await _api.SendAsync(ApiCall.Get(Of(host) + "/tmp").By(_api.Admin))).Status.Should().Be(404);
        _api.VirtualClusterCloud.Published!.Items.Should().BeEmpty();
        var patch = await _api.SendAsync(ApiCall.Patch($"/v1/projects/{Project}/clusters/{host}").By(_api.Admin)
            .WithText("""{"settings":{"virtualClusters":{"enabled":false}}}""", "application/merge-patch+json"));
        patch.Status.Should().BeOneOf([200, 202], patch.ToString());
        (await CreateAsync(host, "again")).Status.Should().Be(409);
    }

    [Fact]
    public async Task A_host_Kubernetes_release_the_chart_does_not_support_is_a_409_naming_the_range()
    {
        await _api.SeedProjectAsync(Project);
        _seeded = true;
        var spec = ApiHarness.ClusterJson("host7");
        spec["settings"]!["virtualClusters"]!["enabled"] = true;
        (await _api.SendAsync(ApiCall.Post($"/v1/projects/{Project}/clusters").By(_api.Admin).WithJson(spec))).Status.Should().Be(202);
        var cluster = (await _api.Clusters.GetAsync(new(_api.Tenant, Project), "host7", default))!;
        await _api.Clusters.UpdateAsync(cluster with { Status = "Running" }, cluster.Version, default);
        var refused = await CreateAsync("host7", "dev");
        refused.Status.Should().Be(409, refused.ToString());
        refused.Body!["detail"]!.GetValue<string>().Should().Contain("1.31 to 1.33");
    }

    [Fact]
    public async Task A_list_that_lost_a_write_is_written_again_from_the_records_at_the_next_read()
    {
        var host = await HostAsync("host8");
        (await CreateAsync(host, "one")).Status.Should().Be(202);
        (await CreateAsync(host, "two")).Status.Should().Be(202);
        // Two creates at once, each writing the list from the records it read: the later write lacks the other.
        _api.VirtualClusterCloud.Published = _api.VirtualClusterCloud.Published! with { Items = [.. _api.VirtualClusterCloud.Published.Items.Where(i => i.Name == "two")] };

        (await _api.SendAsync(ApiCall.Get(Of(host)).By(_api.Admin))).Status.Should().Be(200);
        _api.VirtualClusterCloud.Published!.Items.Select(i => i.Name).Should().Equal("one", "two");
    }
}
