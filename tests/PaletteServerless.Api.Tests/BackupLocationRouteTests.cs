using PaletteServerless.Testing;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Tests.Support;
using PaletteServerless.Domain.Identity;

namespace PaletteServerless.Api.Tests;

/// <summary>
/// settings.backup.location names an existing bucket of the cloud account, or is empty (a bucket the product creates):
/// a bucket that is not there is a 400 naming the field, at create and when a change names it anew, and nothing is stored.
/// </summary>
public class BackupLocationRouteTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private const string Project = "backup-locations";
    private readonly ApiHarness _api = new(fixture);
    private static string Clusters => $"/v1/projects/{Project}/clusters";

    private static JsonObject WithLocation(string name, string? location)
    {
        var spec = ApiHarness.ClusterJson(name);
        spec["settings"]!["backup"] = new JsonObject { ["enabled"] = true, ["schedule"] = "0 1 * * *", ["retentionDays"] = 7, ["location"] = location };
        return spec;
    }

    [Fact]
    public async Task A_missing_bucket_is_a_400_naming_settings_backup_location_at_create_and_on_a_change_and_empty_means_the_products_bucket()
    {
        await _api.SeedProjectAsync(Project);
        var missing = await _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithJson(WithLocation("lost", "missing-bucket")));
        missing.Status.Should().Be(400, missing.ToString());
        missing.ErrorFields.Should().Equal("settings.backup.location");
        (await _api.Clusters.GetAsync(new ProjectScope(_api.Tenant, Project), "lost", CancellationToken.None)).Should().BeNull();

        (await _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithJson(WithLocation("own", null)))).Status.Should().Be(202);
        (await _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithJson(WithLocation("theirs", "team-backups")))).Status.Should().Be(202);

        await _api.RunningClusterAsync(Project, "moved");
        var patch = """{"settings":{"backup":{"enabled":true,"schedule":"0 1 * * *","location":"missing-bucket"}}}""";
        var changed = await _api.SendAsync(ApiCall.Patch($"{Clusters}/moved").By(_api.Admin).WithText(patch, "application/merge-patch+json"));
        changed.Status.Should().Be(400, changed.ToString());
        changed.ErrorFields.Should().Equal("settings.backup.location");
        (await _api.Clusters.GetAsync(new ProjectScope(_api.Tenant, Project), "moved", CancellationToken.None))!.Spec.Settings?.Backup?.Location.Should().NotBe("missing-bucket");
    }
}
