using PaletteServerless.Testing;
using PaletteServerless.Api.Tests.Support;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Patching;

namespace PaletteServerless.Api.Tests;

/// <summary>OS patching on the wire: osPatchOnBoot is taken and given back, a bad value is a 400 naming it, and the cluster shows its last patch run as documented.</summary>
public sealed class OsPatchRouteTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private static System.Text.Json.Nodes.JsonObject Schema(string name) =>
        Endpoints.OpenApiDocument.Load()["components"]!["schemas"]![name]!.AsObject();

    [Fact]
    public async Task The_cluster_answer_shows_os_patch_on_boot_and_its_last_patch_run_with_the_documented_fields()
    {
        var api = new ApiHarness(fixture);
        await api.SeedProjectAsync("patching");
        var body = ApiHarness.ClusterJson("patched");
        body["settings"] = new System.Text.Json.Nodes.JsonObject { ["patchSchedule"] = "*/5 * * * *", ["osPatchOnBoot"] = true };
        (await api.SendAsync(ApiCall.Post("/v1/projects/patching/clusters").By(api.Admin).WithJson(body.ToJsonString()))).Status.Should().Be(202);
        var scope = new ProjectScope(api.Tenant, "patching");
        var stored = (await api.Clusters.GetAsync(scope, "patched", CancellationToken.None))!;
        var at = new DateTimeOffset(2026, 12, 7, 8, 10, 0, TimeSpan.Zero);
        await api.Clusters.UpdateAsync(stored with
        {
            Status = ClusterStatus.Running,
            LastOsPatch = new OsPatchRun
            {
                Id = "20261207T0810Z", Trigger = "schedule */5 * * * * at 2026-12-07 08:10Z", StartedAt = at, Occurrence = at, CompletedAt = at.AddMinutes(6),
                Result = OsPatchRun.Completed, Message = "1 node(s) patched",
                Nodes = [new OsPatchNode { InstanceId = "i-1", Pool = "cp", State = OsPatchNode.Patched, StartedAt = at, CompletedAt = at.AddMinutes(5), Message = "patched 3 security updates" }],
            },
        }, stored.Version, CancellationToken.None);

        var cluster = await api.SendAsync(ApiCall.Get("/v1/projects/patching/clusters/patched").By(api.Admin));
        cluster.Body!["settings"]!["osPatchOnBoot"]!.GetValue<bool>().Should().BeTrue();
        var last = cluster.Body!["lastOsPatch"]!.AsObject();
        last["result"]!.GetValue<string>().Should().Be("Completed");
        last["nodesPatched"]!.GetValue<int>().Should().Be(1);
        var schema = Schema("OsPatchRun");
        last.Select(p => p.Key).Should().BeSubsetOf(schema["properties"]!.AsObject().Select(p => p.Key));
        schema["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().BeSubsetOf(last.Select(p => p.Key));
    }

    [Fact]
    public async Task An_os_patch_on_boot_that_is_not_a_boolean_is_a_400_naming_it()
    {
        var api = new ApiHarness(fixture);
        await api.SeedProjectAsync("patching-bad");
        var body = ApiHarness.ClusterJson("bad");
        body["settings"] = new System.Text.Json.Nodes.JsonObject { ["osPatchOnBoot"] = "yes" };
        var response = await api.SendAsync(ApiCall.Post("/v1/projects/patching-bad/clusters").By(api.Admin).WithJson(body.ToJsonString()));
        response.Status.Should().Be(400);
        response.Body!.ToJsonString().Should().Contain("settings.osPatchOnBoot");
    }
}
