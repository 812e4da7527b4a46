using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.EC2.Model;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>Versioned profiles and a Kubernetes upgrade by rolling repave: control planes first, then workers, the skew rules before anything starts.</summary>
[Collection(LocalStackCollection.Name)]
public sealed class UpgradeTests(LocalStackFixture stack)
{
    private const string Project = "upgrade";
    private static readonly TimeSpan UpgradeTimeout = TimeSpan.FromSeconds(300);

    private static string Profile(string version, string kubernetes, string calico) => $$"""
        {"name":"upg","version":"{{version}}","packs":[
          {"layer":"os","name":"ubuntu","version":"22.04","values":""},
          {"layer":"k8s","name":"kubernetes","version":"{{kubernetes}}","values":"podCIDR: 192.168.0.0/16"},
          {"layer":"cni","name":"calico","version":"{{calico}}","values":"mtu: 1440"},
          {"layer":"csi","name":"aws-ebs-csi","version":"1.48.0","values":"storageClass: gp3"}]}
        """;

    [Fact]
    public async Task A_profile_version_with_the_next_minor_replaces_every_node_control_planes_first_and_the_skew_rules_hold()
    {
        var scenario = await Scenario.StartAsync(stack, Project);
        var profiles = $"/v1/projects/{Project}/clusterprofiles";

        // Versions of one profile: each added once; the same name and version again is 409.
        (await scenario.Api.PostAsync(profiles, LocalStackFixture.Json(Profile("1.0.0", "1.30.4", "3.29.0")))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await scenario.Api.PostAsync(profiles, LocalStackFixture.Json(Profile("1.1.0", "1.31.2", "3.29.0")))).StatusCode.Should().Be(HttpStatusCode.Created);
        var again = await scenario.Api.PostAsync(profiles, LocalStackFixture.Json(Profile("1.1.0", "1.31.2", "3.29.0")));
        again.StatusCode.Should().Be(HttpStatusCode.Conflict, await again.Content.ReadAsStringAsync());
        (await scenario.Api.PostAsync(profiles, LocalStackFixture.Json(Profile("1.2.0", "1.33.1", "3.30.0")))).StatusCode.Should().Be(HttpStatusCode.Created);
        var upg = (await scenario.Api.GetFromJsonAsync<JsonObject>($"{profiles}/upg"))!;
        upg["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<string>()).Should().Equal("1.0.0", "1.1.0", "1.2.0");

        var cluster = Scenario.Cluster("upg").Replace("""{"name":"ubuntu-k8s","version":"1.0.0"}""", """{"name":"upg","version":"1.0.0"}""", StringComparison.Ordinal)
            .Replace("""{"name":"workers","role":"worker","count":1""", """{"name":"workers","role":"worker","count":2""", StringComparison.Ordinal);
        var created = await scenario.CreateAsync(cluster);
        var uid = created["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("upg", "Running", UpgradeTimeout);
        (await NodeVersionsAsync(scenario)).Should().OnlyContain(v => v == "1.30.4").And.HaveCount(3);
        var before = (await InstancesAsync(uid)).Select(i => i.InstanceId).ToHashSet();

        // A version in use cannot be deleted: 409 naming the cluster.
        var inUse = await scenario.Api.DeleteAsync($"{profiles}/upg?version=1.0.0");
        inUse.StatusCode.Should().Be(HttpStatusCode.Conflict);
        JsonNode.Parse(await inUse.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>().Should().Contain("used by cluster 'upg'");

        // The dry run shows the upgrade's order and the nodes it replaces.
        var plan = await PatchAsync(scenario, "1.1.0", dryRun: true);
        plan.StatusCode.Should().Be(HttpStatusCode.OK);
        var planned = JsonNode.Parse(await plan.Content.ReadAsStringAsync())!;
        planned["upgrade"]!["from"]!.GetValue<string>().Should().Be("1.30.4");
        planned["upgrade"]!["to"]!.GetValue<string>().Should().Be("1.31.2");
        planned["stages"]!.AsArray().Select(s => s!.AsArray().Select(p => p!.GetValue<string>()).First()).Should().Equal("cp", "workers");
        planned["pools"]!.AsArray().Sum(p => p!["replacedNodeIds"]!.AsArray().Count).Should().Be(3);

        // The upgrade: 202, then Running with every node replaced, the control plane first.
        (await PatchAsync(scenario, "1.1.0")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var running = await WaitForUpdatedAsync(scenario);
        running["observedGeneration"]!.GetValue<long>().Should().Be(running["generation"]!.GetValue<long>(), running.ToJsonString());
        var all = await InstancesAsync(uid, "pending", "running", "shutting-down", "terminated");
        var live = all.Where(i => i.State.Name.Value is "pending" or "running").ToList();
        live.Should().HaveCount(3);
        live.Select(i => i.InstanceId).Should().NotIntersectWith(before, "every node is replaced");
        var newNodes = all.Where(i => !before.Contains(i.InstanceId)).ToList();
        var firstNewWorker = newNodes.Where(i => Pool(i) == "workers").Min(i => i.LaunchTime!.Value);
        newNodes.Where(i => Pool(i) == "cp").Should().OnlyContain(i => i.LaunchTime < firstNewWorker, "the new control plane is launched before any new worker");
        (await NodeVersionsAsync(scenario)).Should().HaveCount(3).And.OnlyContain(v => v == "1.31.2");

        // The events tell the control-plane step, then the worker step.
        var events = (await scenario.EventsAsync("upg")).Select(e => e!["message"]!.GetValue<string>()).ToList();
        events.Should().Contain(m => m.StartsWith("Kubernetes 1.30.4 to 1.31.2: control-plane pool cp first", StringComparison.Ordinal));
        events.FindLastIndex(m => m.Contains("nodes replaced in cp", StringComparison.Ordinal))
            .Should().BeLessThan(events.FindIndex(m => m.Contains("nodes replaced in workers", StringComparison.Ordinal)));

        // The skew rules: back to 1.30 is a downgrade, and 1.33 skips 1.32; both 400 naming profile.version, nothing started.
        foreach (var (version, says) in new[] { ("1.0.0", "never downgraded"), ("1.2.0", "the next allowed minor is 1.32") })
        {
            var refused = await PatchAsync(scenario, version);
            var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            refused.StatusCode.Should().Be(HttpStatusCode.BadRequest, problem.ToJsonString());
            var error = problem["errors"]!.AsArray().Should().ContainSingle().Which!;
            error["field"]!.GetValue<string>().Should().Be("profile.version");
            error["message"]!.GetValue<string>().Should().Contain(says);
        }
        (await scenario.GetAsync("upg"))["status"]!.GetValue<string>().Should().Be("Running");
    }

    private async Task<JsonObject> WaitForUpdatedAsync(Scenario scenario)
    {
        var deadline = DateTime.UtcNow + UpgradeTimeout;
        JsonObject cluster;
        do
        {
            cluster = await scenario.GetAsync("upg");
            // The PATCH stored Updating: Running again once the update ended (the test then checks it converged).
            if (cluster["status"]!.GetValue<string>() == "Running")
                return cluster;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"cluster upg is {cluster["status"]} ({cluster["statusReason"]})");
    }

    private static Task<HttpResponseMessage> PatchAsync(Scenario scenario, string version, bool dryRun = false) =>
        scenario.Api.PatchAsync($"/v1/projects/{Project}/clusters/upg{(dryRun ? "?dryRun=true" : "")}",
            new StringContent(new JsonObject { ["profile"] = new JsonObject { ["version"] = version } }.ToJsonString(), Encoding.UTF8, "application/merge-patch+json"));

    /// <summary>The Kubernetes version each running node reports, from the nodes answer of GET .../nodepools.</summary>
    private static async Task<List<string?>> NodeVersionsAsync(Scenario scenario)
    {
        var pools = (await scenario.Api.GetFromJsonAsync<JsonObject>($"/v1/projects/{Project}/clusters/upg/nodepools"))!;
        return [.. pools["nodes"]!["pools"]!.AsArray().SelectMany(p => p!["nodes"]!.AsArray())
            .Where(n => n!["state"]?.GetValue<string>() == "running")
            .Select(n => n!["kubernetesVersion"]?.GetValue<string>())];
    }

    private static string? Pool(Instance instance) => instance.Tags?.FirstOrDefault(t => t.Key == "palette.serverless/pool")?.Value;

    private async Task<List<Instance>> InstancesAsync(string uid, params string[] states)
    {
        using var ec2 = stack.Ec2();
        return (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
        {
            Filters =
            [
                new Filter("tag:palette.serverless/cluster-uid", [uid]),
                new Filter("instance-state-name", states.Length > 0 ? [.. states] : ["pending", "running"]),
            ],
        })).Reservations?.SelectMany(r => r.Instances ?? []).ToList() ?? [];
    }
}
