using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>Preflight reads EC2's on-demand vCPU quota through Service Quotas (the local stack serves 64).</summary>
[Collection(LocalStackCollection.Name)]
public sealed class VcpuQuotaTests(LocalStackFixture stack)
{
    private const string Region = "ap-northeast-1";

    // 2 x m5.large (2 vCPUs) + 5 x m5.4xlarge (16 vCPUs) on demand = 84 vCPUs; the spot pool has a quota of its own.
    private static readonly string Hungry = Scenario.Cluster("vcpu-hungry", """["ap-northeast-1a"]""", Region,
        extraPools: """,{"name":"big","role":"worker","count":5,"instanceType":"m5.4xlarge","availabilityZones":["ap-northeast-1a"]},""" +
                    """{"name":"spot","role":"worker","count":5,"instanceType":"m5.4xlarge","capacityType":"spot","availabilityZones":["ap-northeast-1a"]}""");

    [Fact]
    public async Task A_dry_run_refuses_a_cluster_whose_on_demand_vcpus_exceed_the_quota_naming_the_numbers()
    {
        var scenario = await Scenario.StartAsync(stack, "vcpu-dry", Region);

        var response = await scenario.Api.PostAsync("/v1/projects/vcpu-dry/clusters?dryRun=true", LocalStackFixture.Json(Hungry));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        body["valid"]!.GetValue<bool>().Should().BeFalse();
        body["preflight"]!.AsArray().Select(p => p!.GetValue<string>())
            .Should().Contain(p => p.Contains("needs 84 vCPUs of on-demand standard instances, 64 of 64 left (quota L-1216C47A)"));
    }

    [Fact]
    public async Task A_create_over_the_quota_fails_at_preflight_with_nothing_created()
    {
        var scenario = await Scenario.StartAsync(stack, "vcpu-create", Region);

        var created = await scenario.CreateAsync(Hungry.Replace("vcpu-hungry", "vcpu-failed"));
        var failed = await scenario.WaitForStatusAsync("vcpu-failed", "Failed");

        failed["statusReason"]!.GetValue<string>().Should().Contain("quota L-1216C47A");
        (await stack.ResourcesOfAsync(created["uid"]!.GetValue<string>())).Should().BeEmpty();
    }
}
