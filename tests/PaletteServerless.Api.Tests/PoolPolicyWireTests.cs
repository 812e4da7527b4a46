using System.Text.Json.Nodes;
using PaletteServerless.Api.Tests.Support;
using PaletteServerless.Testing;

namespace PaletteServerless.Api.Tests;

/// <summary>The per-pool updateStrategy and healthCheck on the wire: counts and percents in, stored, shown back; bad ones named.</summary>
public class PoolPolicyWireTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private static JsonObject WithWorkerPolicy(string name, string strategy, string healthCheck)
    {
        var spec = ApiHarness.ClusterJson(name);
        var workers = spec["nodePools"]![1]!.AsObject();
        workers["updateStrategy"] = JsonNode.Parse(strategy);
        workers["healthCheck"] = JsonNode.Parse(healthCheck);
        return spec;
    }

    [Fact]
    public async Task Counts_and_percents_are_stored_and_shown_as_given_with_defaults_filled()
    {
        var api = new ApiHarness(fixture);
        await api.SeedProjectAsync("policy");
        var created = await api.SendAsync(ApiCall.Post("/v1/projects/policy/clusters").By(api.Admin)
            .WithJson(WithWorkerPolicy("rolling", """{"maxSurge":"25%","maxUnavailable":2}""", """{"maxUnhealthy":"40%"}""")));
        created.Status.Should().Be(202, created.ToString());

        var read = await api.SendAsync(ApiCall.Get("/v1/projects/policy/clusters/rolling").By(api.Admin));

        var pools = read.Body!["nodePools"]!.AsArray();
        JsonNode.DeepEquals(pools[1]!["updateStrategy"], JsonNode.Parse("""{"type":"RollingUpdate","maxSurge":"25%","maxUnavailable":2}""")).Should().BeTrue(read.ToString());
        JsonNode.DeepEquals(pools[1]!["healthCheck"], JsonNode.Parse("""{"enabled":true,"maxUnhealthy":"40%","nodeStartupTimeoutMinutes":10}""")).Should().BeTrue(read.ToString());
        JsonNode.DeepEquals(pools[0]!["updateStrategy"], JsonNode.Parse("""{"type":"RollingUpdate","maxSurge":1,"maxUnavailable":0}""")).Should().BeTrue(read.ToString());
    }

    [Theory]
    [InlineData("""{"maxSurge":"lots"}""", "nodePools[1].updateStrategy.maxSurge")]
    [InlineData("""{"maxSurge":0,"maxUnavailable":"0%"}""", "nodePools[1].updateStrategy")]
    [InlineData("""{"maxSurge":true}""", "nodePools[1].updateStrategy.maxSurge")]
    [InlineData("""{"maxSurge":1,"surge":1}""", "nodePools[1].updateStrategy.surge")]
    public async Task A_bad_strategy_is_a_400_naming_the_field(string strategy, string field)
    {
        var api = new ApiHarness(fixture);
        await api.SeedProjectAsync("policy-bad");

        var response = await api.SendAsync(ApiCall.Post("/v1/projects/policy-bad/clusters").By(api.Admin).WithJson(WithWorkerPolicy("bad", strategy, "{}")));

        response.Status.Should().Be(400, response.ToString());
        response.Body!["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>()).Should().Contain(field);
    }
}
