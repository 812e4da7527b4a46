using System.Diagnostics;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Tests.Support;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Testing;

namespace PaletteServerless.Api.Tests;

/// <summary>
/// Reserved tag prefixes and pack values that are plain YAML and fit EC2's user data, through the routes:
/// each refusal is a 400 naming the field, and nothing is stored or started.
/// </summary>
public class InputRuleRouteTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private const string Project = "web";
    private const string Clusters = $"/v1/projects/{Project}/clusters";
    private readonly ApiHarness _api = new(fixture);

    private Task<ApiResponse> CreateAsync(JsonObject spec, bool dryRun = false) =>
        _api.SendAsync(ApiCall.Post(Clusters).By(_api.Admin).WithQuery("dryRun", dryRun ? "true" : "false").WithJson(spec));

    private Task<ApiResponse> PatchAsync(string name, JsonObject patch) =>
        _api.SendAsync(ApiCall.Patch($"{Clusters}/{name}").By(_api.Admin).WithText(patch.ToJsonString(), "application/merge-patch+json"));

    private static JsonObject WithCiliumValues(string name, string values)
    {
        var spec = ApiHarness.ClusterJson(name);
        spec["profile"]!["packValues"] = new JsonObject { ["cilium"] = values };
        return spec;
    }

    private async Task ShouldNotExistAsync(string name)
    {
        (await _api.Clusters.GetAsync(new ProjectScope(_api.Tenant, Project), name, CancellationToken.None)).Should().BeNull();
        _api.Workflows.Started.Should().NotContain(s => s.Cluster.Name == name);
    }

    [Theory]
    [InlineData("kubernetes.io/cluster/victim")]
    [InlineData("sigs.k8s.io/cluster-api-provider-aws/cluster/victim")]
    [InlineData("palette.serverless/cluster-uid")]
    [InlineData("AWS:createdBy")]
    public async Task A_reserved_tag_key_is_a_400_naming_the_tag_on_create_dry_run_and_patch(string key)
    {
        await _api.SeedProjectAsync(Project);
        var spec = ApiHarness.ClusterJson("tagged");
        spec["tags"]![key] = "owned";
        foreach (var dryRun in new[] { false, true })
        {
            var created = await CreateAsync(spec, dryRun);
            created.Status.Should().Be(400, created.ToString());
            created.ErrorFields.Should().Equal($"tags.{key}");
            created.Body!["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("must not start with");
        }
        await ShouldNotExistAsync("tagged");

        var running = await _api.RunningClusterAsync(Project, "retagged");
        var patched = await PatchAsync("retagged", new JsonObject { ["tags"] = new JsonObject { [key] = "owned" } });
        patched.Status.Should().Be(400, patched.ToString());
        patched.ErrorFields.Should().Equal($"tags.{key}");
        var stored = await _api.Clusters.GetAsync(new ProjectScope(_api.Tenant, Project), "retagged", CancellationToken.None);
        stored!.Generation.Should().Be(running.Generation);
        stored.Spec.Tags.Should().NotContainKey(key);
        _api.Workflows.Started.Should().NotContain(s => s.Cluster.Name == "retagged" && s.Operation.StartsWith("update", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ipam: &ipam\n  mode: cluster-pool\nagain: *ipam\n", "anchor &ipam")]
    [InlineData("ipam:\n  <<: {mode: cluster-pool}\n", "merge key <<")]
    [InlineData("ipam: !foo cluster-pool\n", "tag !foo")]
    public async Task Pack_values_with_anchors_merge_keys_or_tags_are_a_400_naming_the_pack_s_values(string values, string said)
    {
        await _api.SeedProjectAsync(Project);
        var created = await CreateAsync(WithCiliumValues("anchored", values));
        created.Status.Should().Be(400, created.ToString());
        created.ErrorFields.Should().Equal("profile.packValues.cilium");
        created.Body!["errors"]![0]!["message"]!.GetValue<string>().Should().Contain(said);
        await ShouldNotExistAsync("anchored");
    }

    [Fact]
    public async Task An_alias_bomb_is_refused_at_once_in_a_cluster_and_in_a_profile()
    {
        await _api.SeedProjectAsync(Project);
        var watch = Stopwatch.StartNew();
        var created = await CreateAsync(WithCiliumValues("laughs", AliasBomb));
        var profile = ApiHarness.ProfileJson("laughing");
        profile["packs"]![3]!["values"] = AliasBomb;
        var profiled = await _api.SendAsync(ApiCall.Post($"/v1/projects/{Project}/clusterprofiles").By(_api.Admin).WithJson(profile));
        watch.Stop();

        created.Status.Should().Be(400, created.ToString());
        created.ErrorFields.Should().Equal("profile.packValues.cilium");
        profiled.Status.Should().Be(400, profiled.ToString());
        profiled.ErrorFields.Should().Equal("packs[3].values");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "nothing expanded the aliases (expanded, they would take hours)");
        await ShouldNotExistAsync("laughs");
        (await ((IProfileStore)_api.Store).VersionsAsync(new ProjectScope(_api.Tenant, Project), "laughing", CancellationToken.None)).Should().BeEmpty();
    }

    /// <summary>At least <paramref name="kib"/> KiB of values that compress as configuration does (keys and settings repeat), not as random bytes.</summary>
    private static string ConfigLikeValues(int kib)
    {
        var text = new System.Text.StringBuilder();
        for (var i = 0; text.Length < kib * 1024; i++)
            text.Append($"extraConfig{i:D4}:\n  enabled: true\n  mode: cluster-pool-{i % 7}\n  tier: web\n");
        return text.ToString();
    }

    /// <summary>Ten levels of ten aliases each: 10^10 strings to whatever expands it.</summary>
    private static readonly string AliasBomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" +
        string.Concat(Enumerable.Range(1, 9).Select(i => $"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(", ", Enumerable.Repeat($"*{(char)('a' + i - 1)}", 10))}]\n"));

    [Fact]
    public async Task Twenty_KiB_of_pack_values_is_either_a_400_naming_the_field_with_the_size_or_accepted_and_started()
    {
        await _api.SeedProjectAsync(Project);

        // 20 KiB that does not compress (random, as keys and digests are): the user data would pass EC2's limit.
        var random = new Random(20);
        var incompressible = string.Join('\n', Enumerable.Range(0, 20 * 1024 / 64)
            .Select(i => $"key{i:D5}: {new string([.. Enumerable.Range(0, 54).Select(_ => (char)('a' + random.Next(26)))])}"));
        incompressible.Length.Should().BeGreaterThanOrEqualTo(20 * 1024);
        var refused = await CreateAsync(WithCiliumValues("random", incompressible));
        refused.Status.Should().Be(400, refused.ToString());
        refused.ErrorFields.Should().Equal("profile.packValues.cilium");
        refused.Body!["errors"]![0]!["message"]!.GetValue<string>().Should().MatchRegex("would be [0-9]+ bytes gzip-compressed; EC2 allows 16384");
        await ShouldNotExistAsync("random");

        // 20 KiB of values that compress as configuration does: the user data fits, the cluster is created and provisioning starts.
        var configLike = ConfigLikeValues(20);
        configLike.Length.Should().BeGreaterThanOrEqualTo(20 * 1024);
        var accepted = await CreateAsync(WithCiliumValues("roomy", configLike));
        accepted.Status.Should().Be(202, accepted.ToString());
        _api.Workflows.Started.Should().ContainSingle(s => s.Cluster.Name == "roomy" && s.Operation == "provision")
            .Which.Cluster.Spec.Profile!.PackValues!["cilium"].Should().Be(configLike);
    }
}
