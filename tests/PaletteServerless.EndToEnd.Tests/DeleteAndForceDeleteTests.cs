using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Amazon.EC2.Model;
using Amazon.Runtime;
using PaletteServerless.Aws.Clients;

namespace PaletteServerless.EndToEnd.Tests;

[Collection(LocalStackCollection.Name)]
public sealed class DeleteAndForceDeleteTests(LocalStackFixture stack)
{
    [Fact]
    public async Task A_blocked_delete_names_its_blocker_the_force_delete_workflow_reports_what_is_left_and_ends_deleted_and_sweeps_remove_it()
    {
        var scenario = await Scenario.StartAsync(stack, "blocked");
        var created = await scenario.CreateAsync(Scenario.Cluster("blocked"));
        var uid = created["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("blocked", "Running");

        using var ec2 = stack.Ec2();
        var publicSubnet = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest
        {
            Filters = [new Filter("tag:palette.serverless/cluster-uid", [uid]), new Filter("tag:sigs.k8s.io/cluster-api-provider-aws/role", ["public"])],
        })).Subnets.Single().SubnetId;
        using var elb = new Elbv2Client(new AwsClientOptions("us-east-1") { Endpoint = stack.Stack.Endpoint, Credentials = new BasicAWSCredentials("000000000000", "e2e") });
        // Someone else's load balancer in the cluster's VPC (untagged) blocks the delete; one made for the cluster (tagged) is ours to remove.
        var intruder = await elb.CreateLoadBalancerAsync(new CreateLoadBalancerRequest { Name = "intruder", Subnets = [publicSubnet] });
        var helper = await elb.CreateLoadBalancerAsync(new CreateLoadBalancerRequest
        {
            Name = "made-for-the-cluster", Subnets = [publicSubnet], Tags = [new ResourceTag("palette.serverless/cluster-uid", uid)],
        });

        (await scenario.DeleteAsync("blocked")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var blocked = await WaitUntilAsync(scenario, "blocked", c => c["statusReason"]!.GetValue<string>().Contains("blocked by", StringComparison.Ordinal));
        blocked["status"]!.GetValue<string>().Should().Be("Deleting");
        blocked["statusReason"]!.GetValue<string>().Should().Contain("network interface").And.Contain("intruder");
        (await scenario.EventsAsync("blocked")).Select(e => e!["reason"]!.GetValue<string>()).Should().Contain("DeleteBlocked");
        (await elb.DescribeLoadBalancersAsync()).Items.Select(l => l.LoadBalancerName).Should().NotContain(helper.LoadBalancerName, "what is tagged for the cluster is removed");

        // The 15-minute timer (scaled) opens force delete.
        await WaitUntilAsync(scenario, "blocked", c => c["forceDeleteSecondsLeft"]?.GetValue<long>() == 0);
        var response = await scenario.Api.PostAsync("/v1/projects/blocked/clusters/blocked/force-delete", null);
        var accepted = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, accepted.ToJsonString());
        response.Headers.Location!.ToString().Should().Be("/v1/projects/blocked/clusters/blocked");
        accepted["events"]!.GetValue<string>().Should().Be("/v1/projects/blocked/clusters/blocked/events");
        accepted["execution"]!.GetValue<string>().Should().EndWith(":force-delete-" + uid);

        // The workflow stops the delete, sweeps, and marks the cluster Deleted with its report.
        var deleted = await WaitUntilAsync(scenario, "blocked", c => c["status"]!.GetValue<string>() == "Deleted");
        var report = deleted["forceDeleteReport"]!.AsObject();
        report["status"]!.GetValue<string>().Should().Be("Deleted");
        var leftovers = report["leftovers"]!.AsArray().Select(l => l!.AsObject()).ToList();
        leftovers.Select(l => l["type"]!.GetValue<string>()).Should().Contain(["VPC", "network interface"]);
        leftovers.Should().Contain(l => l["type"]!.GetValue<string>() == "network interface" && l["reason"]!.GetValue<string>().Contains("intruder"));
        leftovers.Should().OnlyContain(l => l["id"] != null && l["reason"] != null && l.ContainsKey("estimatedHourlyCostUsd"));
        var stillThere = (await stack.ResourcesOfAsync(uid)).Select(r => r["id"]!.GetValue<string>()).ToHashSet();
        leftovers.Where(l => l["clusterUid"]?.GetValue<string>() == uid && l["kind"]!.GetValue<string>() != "ec2:network-interface")
            .Select(l => l["id"]!.GetValue<string>()).Should().BeSubsetOf(stillThere, "the report lists what really remains");
        stillThere.Should().BeSubsetOf(leftovers.Select(l => l["id"]!.GetValue<string>()), "and everything that remains is in the report");
        // The cluster's event and the bus event follow the move to Deleted (the force delete writes the status first).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && !(await LeftoverEventWrittenAsync(scenario) && LeftoverEventPublished()))
            await Task.Delay(100);
        (await scenario.EventsAsync("blocked")).Should().Contain(e => e!["reason"]!.GetValue<string>() == "LeftoverResources"
            && e["message"]!.GetValue<string>().Contains("intruder"));
        lock (stack.Events)
            stack.Events.Should().Contain(e => e.Contains("Cluster Leftover Resources") && e.Contains("blocked"));
        (await scenario.Api.PostAsync("/v1/projects/blocked/clusters/blocked/force-delete", null)).StatusCode.Should().Be(HttpStatusCode.Conflict,
            "the cluster is Deleted: there is nothing left to force");

        var orphans = (await scenario.Api.GetFromJsonAsync<JsonObject>("/v1/projects/blocked/orphans"))!;
        orphans["leftovers"]!.AsArray().Select(l => l!["id"]!.GetValue<string>()).Should().BeEquivalentTo(stillThere);

        // While the intruder stands, a sweep removes nothing of the VPC and says why.
        var blockedSweep = await SweepAsync(scenario);
        var vpc = leftovers.Single(l => l["type"]!.GetValue<string>() == "VPC")["id"]!.GetValue<string>();
        blockedSweep["leftovers"]!.AsArray().Should().Contain(l => l!["id"]!.GetValue<string>() == vpc && l["clusterUid"]!.GetValue<string>() == uid);

        await elb.DeleteLoadBalancerAsync(intruder.LoadBalancerArn);
        JsonObject swept;
        var sweeps = 0;
        do
        {
            swept = await SweepAsync(scenario);
            sweeps++;
        }
        while (swept["leftovers"]!.AsArray().Count > 0 && sweeps < 20);
        swept["leftovers"]!.AsArray().Should().BeEmpty("a sweep reports what it left, and once the blocker is gone it leaves nothing");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty("the orphan sweep removes what the force delete left");
        (await scenario.Api.GetFromJsonAsync<JsonObject>("/v1/projects/blocked/orphans"))!["leftovers"]!.AsArray().Should().BeEmpty();
    }

    /// <summary>Starts a sweep, follows its Location until it ends, and returns its report.</summary>
    private static async Task<JsonObject> SweepAsync(Scenario scenario)
    {
        var response = await scenario.Api.PostAsync("/v1/projects/blocked/orphans", null);
        var started = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, started.ToJsonString());
        var location = response.Headers.Location!.ToString();
        location.Should().Be("/v1/projects/blocked/orphans/sweeps/" + started["id"]!.GetValue<string>());
        var deadline = DateTime.UtcNow.AddSeconds(90);
        JsonObject sweep;
        do
        {
            sweep = (await scenario.Api.GetFromJsonAsync<JsonObject>(location))!;
            if (sweep["state"]!.GetValue<string>() != "Running")
                break;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        sweep["state"]!.GetValue<string>().Should().Be("Succeeded", sweep.ToJsonString());
        return sweep["report"]!.AsObject();
    }

    [Fact]
    public async Task Delete_needs_the_name_typed_again_and_a_second_delete_is_a_no_op()
    {
        var scenario = await Scenario.StartAsync(stack, "confirm");
        await scenario.CreateAsync(Scenario.Cluster("confirm-me"));
        await scenario.WaitForStatusAsync("confirm-me", "Running");

        (await scenario.Api.DeleteAsync("/v1/projects/confirm/clusters/confirm-me?confirm=other")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await scenario.Api.DeleteAsync("/v1/projects/confirm/clusters/confirm-me")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var first = await scenario.DeleteAsync("confirm-me");
        var second = await scenario.DeleteAsync("confirm-me");

        first.StatusCode.Should().Be(HttpStatusCode.Accepted);
        second.StatusCode.Should().BeOneOf(HttpStatusCode.Accepted, HttpStatusCode.NotFound);
        await scenario.WaitForStatusAsync("confirm-me", "Deleted");
        var viewer = stack.Api("confirm", "project-viewer");
        (await viewer.PostAsync("/v1/projects/confirm/clusters/confirm-me/force-delete", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await viewer.PostAsync("/v1/projects/confirm/orphans", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    private static async Task<JsonObject> WaitUntilAsync(Scenario scenario, string name, Func<JsonObject, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        JsonObject cluster;
        do
        {
            cluster = await scenario.GetAsync(name);
            if (condition(cluster))
                return cluster;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"cluster {name}: {cluster.ToJsonString()}");
    }

    private static async Task<bool> LeftoverEventWrittenAsync(Scenario scenario) =>
        (await scenario.EventsAsync("blocked")).Any(e => e!["reason"]!.GetValue<string>() == "LeftoverResources");

    private bool LeftoverEventPublished()
    {
        lock (stack.Events)
            return stack.Events.Any(e => e.Contains("Cluster Leftover Resources") && e.Contains("blocked"));
    }
}
