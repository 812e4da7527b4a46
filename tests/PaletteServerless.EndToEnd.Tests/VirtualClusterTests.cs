using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.SimpleSystemsManagement.Model;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// Virtual clusters over the local stack (issue 26, item 4): a cluster with settings.virtualClusters on reaches Running;
/// a virtual cluster is installed by the in-cluster agent (the node model runs its script's steps from the list the API
/// wrote), reaches Running and has a kubeconfig; deleted, it is gone; the setting then goes off and creating another is
/// a 409; the cluster's delete leaves no virtual cluster parameter or record.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class VirtualClusterTests(LocalStackFixture stack)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);
    private const string Project = "vclusters";
    private const string Host = "vhost";
    private static string VirtualClusters => $"/v1/projects/{Project}/clusters/{Host}/virtualclusters";

    [Fact]
    public async Task A_virtual_cluster_reaches_Running_with_a_kubeconfig_and_after_its_delete_and_the_setting_off_another_is_a_409()
    {
        var scenario = await Scenario.StartAsync(stack, Project);
        // A host release the pinned vcluster chart supports (1.31 to 1.33).
        var profile = JsonNode.Parse(PaletteServerless.Local.Walkthrough.SampleProfile)!.AsObject();
        profile["name"] = "vc-host";
        profile["packs"]!.AsArray().Single(p => p!["layer"]!.GetValue<string>() == "k8s")!["version"] = "1.32.4";
        profile["packs"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "calico")!["version"] = "3.30.0";
        var made = await scenario.Api.PostAsync($"/v1/projects/{Project}/clusterprofiles", LocalStackFixture.Json(profile.ToJsonString()));
        made.StatusCode.Should().Be(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        var spec = JsonNode.Parse(Scenario.Cluster(Host))!.AsObject();
        spec["profile"]!["name"] = "vc-host";
        spec["settings"] = new JsonObject { ["virtualClusters"] = new JsonObject { ["enabled"] = true } };
        var uid = (await scenario.CreateAsync(spec.ToJsonString()))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync(Host, "Running");

        var created = await scenario.Api.PostAsync(VirtualClusters, LocalStackFixture.Json("""{"name":"dev"}"""));
        created.StatusCode.Should().Be(HttpStatusCode.Accepted, await created.Content.ReadAsStringAsync());
        var running = await WaitForAsync(scenario, "dev", v => v?["status"]?.GetValue<string>() == "Running");
        running!["namespace"]!.GetValue<string>().Should().Be("vcluster-dev");

        var kubeconfig = await scenario.Api.GetAsync(VirtualClusters + "/dev/kubeconfig");
        kubeconfig.StatusCode.Should().Be(HttpStatusCode.OK, await kubeconfig.Content.ReadAsStringAsync());
        var config = (await kubeconfig.Content.ReadFromJsonAsync<JsonObject>())!["kubeconfig"]!.GetValue<string>();
        config.Should().Contain("kind: Config").And.Contain("certificate-authority-data:").And.Contain("client-key-data:");

        (await scenario.Api.DeleteAsync(VirtualClusters + "/dev")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await WaitForAsync(scenario, "dev", v => v is null);

        var off = await scenario.Api.PatchAsync($"/v1/projects/{Project}/clusters/{Host}",
            new StringContent("""{"settings":{"virtualClusters":{"enabled":false}}}""", Encoding.UTF8, "application/merge-patch+json"));
        off.StatusCode.Should().BeOneOf([HttpStatusCode.OK, HttpStatusCode.Accepted], await off.Content.ReadAsStringAsync());
        var refused = await scenario.Api.PostAsync(VirtualClusters, LocalStackFixture.Json("""{"name":"again"}"""));
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict, await refused.Content.ReadAsStringAsync());
        (await refused.Content.ReadAsStringAsync()).Should().Contain("settings.virtualClusters.enabled");

        await scenario.WaitForStatusAsync(Host, "Running");
        (await scenario.DeleteAsync(Host)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync(Host, "Deleted");
        using var ssm = new Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementClient(new Amazon.Runtime.BasicAWSCredentials("000000000000", "e2e"),
            new Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementConfig { ServiceURL = stack.Stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        (await ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = $"/palette-serverless/acme/{uid}", Recursive = true })).Parameters
            .Should().BeEmpty("the delete removes the virtual clusters' parameters with everything under the cluster's path");
    }

    /// <summary>Polls the virtual cluster (null once it is a 404) until <paramref name="done"/>.</summary>
    private static async Task<JsonObject?> WaitForAsync(Scenario scenario, string name, Func<JsonObject?, bool> done)
    {
        var deadline = DateTime.UtcNow + Timeout;
        JsonObject? last;
        do
        {
            var response = await scenario.Api.GetAsync($"{VirtualClusters}/{name}");
            last = response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadFromJsonAsync<JsonObject>();
            if (done(last))
                return last;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        done(last).Should().BeTrue($"virtual cluster {name} is {last?.ToJsonString() ?? "gone"}");
        return last;
    }
}
