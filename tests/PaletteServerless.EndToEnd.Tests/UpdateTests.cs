using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.EC2.Model;
using Amazon.Runtime;
using PaletteServerless.Aws.Clients;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>Day 2 over the local stack: scale, pools added and removed, rolling replacements, failures, deletes during an update.</summary>
[Collection(LocalStackCollection.Name)]
public sealed class UpdateTests(LocalStackFixture stack)
{
    private static readonly TimeSpan UpdateTimeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task Scale_out_and_in_stay_zone_balanced_pools_come_and_go_and_a_taint_change_replaces_only_that_pools_nodes()
    {
        var scenario = await Scenario.StartAsync(stack, "day2", "us-west-2");
        var created = await scenario.CreateAsync(Scenario.Cluster("day2", """["us-west-2a","us-west-2b","us-west-2c"]""", "us-west-2"));
        var uid = created["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("day2", "Running");
        var controlPlane = await PoolInstancesAsync("us-west-2", uid, "cp");
        var firstWorker = (await PoolInstancesAsync("us-west-2", uid, "workers")).Single();

        // Scale out 1 -> 5: nodes are added, nothing is replaced, the zones stay balanced.
        await ChangeAsync(scenario, HttpMethod.Put, "day2/nodepools/workers", Pool("workers", 5, West));
        var scaledOut = await PoolInstancesAsync("us-west-2", uid, "workers");
        scaledOut.Should().HaveCount(5).And.Contain(i => i.InstanceId == firstWorker.InstanceId, "scale-out keeps the nodes it has");
        ZoneCounts(scaledOut).Should().BeEquivalentTo([2, 2, 1]);

        // Scale in 5 -> 2: from the fullest zones, oldest first; the zones stay balanced.
        await ChangeAsync(scenario, HttpMethod.Put, "day2/nodepools/workers", Pool("workers", 2, West));
        var scaledIn = await PoolInstancesAsync("us-west-2", uid, "workers");
        scaledIn.Should().HaveCount(2);
        scaledIn.Select(i => i.Placement.AvailabilityZone).Distinct().Should().HaveCount(2, "two nodes in three zones sit in two of them");

        // A pool added, then removed.
        await ChangeAsync(scenario, HttpMethod.Post, "day2/nodepools", Pool("extra", 2, West));
        (await PoolInstancesAsync("us-west-2", uid, "extra")).Should().HaveCount(2);
        await ChangeAsync(scenario, HttpMethod.Delete, "day2/nodepools/extra", null);
        (await PoolInstancesAsync("us-west-2", uid, "extra")).Should().BeEmpty();
        var pools = await scenario.Api.GetFromJsonAsync<JsonObject>("/v1/projects/day2/clusters/day2/nodepools");
        pools!["items"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).Should().Equal("cp", "workers");
        // Beside the specs, each pool's nodes as EC2 has them now: the workers the scale-in kept, live.
        pools["nodes"]!["source"]!.GetValue<string>().Should().Be("ec2");
        pools["nodes"]!["pools"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "workers")!["nodes"]!.AsArray()
            .Where(n => n!["state"]?.GetValue<string>() is "pending" or "running").Select(n => n!["instanceId"]!.GetValue<string>())
            .Should().BeEquivalentTo(scaledIn.Select(i => i.InstanceId));

        // The last worker pool and the control-plane pool cannot be removed: 409 naming why.
        var last = await scenario.Api.DeleteAsync("/v1/projects/day2/clusters/day2/nodepools/workers");
        last.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await last.Content.ReadAsStringAsync()).Should().Contain("last worker pool");

        // Taints are part of a node's launch: every worker is replaced, the control plane is untouched.
        var tainted = Pool("workers", 2, West);
        tainted["taints"] = new JsonArray(new JsonObject { ["key"] = "dedicated", ["value"] = "e2e", ["effect"] = "NoSchedule" });
        var before = scaledIn.Select(i => i.InstanceId).ToList();
        var running = await ChangeAsync(scenario, HttpMethod.Put, "day2/nodepools/workers", tainted);
        var replaced = await PoolInstancesAsync("us-west-2", uid, "workers");
        replaced.Should().HaveCount(2);
        replaced.Select(i => i.InstanceId).Should().NotIntersectWith(before);
        replaced.Should().OnlyContain(i => i.Tags != null && i.Tags.Any(t => t.Key == "palette.serverless/launch-fingerprint"));
        (await PoolInstancesAsync("us-west-2", uid, "cp")).Select(i => i.InstanceId).Should().BeEquivalentTo(controlPlane.Select(i => i.InstanceId));
        running["observedGeneration"]!.GetValue<long>().Should().Be(running["generation"]!.GetValue<long>());
        running["conditions"]!.AsArray().Should().Contain(c => c!["type"]!.GetValue<string>() == "Updated" && c["status"]!.GetValue<string>() == "True");

        // A dry run plans without doing anything.
        var dryRun = await scenario.Api.PatchAsync("/v1/projects/day2/clusters/day2?dryRun=true",
            new StringContent("""{"nodePools":null}""".Replace("null", NodePoolsJson(running, workersCount: 4), StringComparison.Ordinal), Encoding.UTF8, "application/merge-patch+json"));
        var plan = JsonNode.Parse(await dryRun.Content.ReadAsStringAsync())!;
        dryRun.StatusCode.Should().Be(HttpStatusCode.OK, plan.ToJsonString());
        plan["pools"]!.AsArray().Single(p => p!["pool"]!.GetValue<string>() == "workers")!["addedCount"]!.GetValue<int>().Should().Be(2);
        plan["newEstimatedHourlyCostUsd"]!.GetValue<decimal>().Should().BeGreaterThan(plan["oldEstimatedHourlyCostUsd"]!.GetValue<decimal>());
        (await scenario.GetAsync("day2"))["status"]!.GetValue<string>().Should().Be("Running");
        (await PoolInstancesAsync("us-west-2", uid, "workers")).Should().HaveCount(2);

        // Tags change in place: on everything the cluster owns, and no node is replaced.
        var nodesBefore = (await PoolInstancesAsync("us-west-2", uid, "workers")).Select(i => i.InstanceId).ToList();
        await ChangeAsync(scenario, HttpMethod.Patch, "day2", new JsonObject { ["tags"] = new JsonObject { ["team"] = "day2", ["cost-center"] = "42" } });
        var retagged = await stack.ResourcesOfAsync(uid);
        retagged.Should().OnlyContain(r => r["tags"]!["team"]!.GetValue<string>() == "day2" && r["tags"]!["cost-center"]!.GetValue<string>() == "42");
        await ChangeAsync(scenario, HttpMethod.Patch, "day2", new JsonObject { ["tags"] = new JsonObject { ["cost-center"] = null } });
        (await stack.ResourcesOfAsync(uid)).Should().OnlyContain(r => r["tags"]!["cost-center"] == null, "a tag removed from the spec is removed from the resources");
        (await PoolInstancesAsync("us-west-2", uid, "workers")).Select(i => i.InstanceId).Should().BeEquivalentTo(nodesBefore);

        // The bus event follows the table's write: it may land a moment after the API shows the status.
        var statuses = await stack.StatusEventsAsync(uid, after: "Updating");
        statuses.Should().ContainInOrder("Running", "Updating", "Running");
        (await scenario.EventsAsync("day2")).Select(e => e!["message"]!.GetValue<string>()).Should().Contain(m => m.Contains("nodes replaced in workers"));

        (await scenario.DeleteAsync("day2")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("day2", "Deleted");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_control_plane_rolls_one_node_at_a_time_and_never_has_fewer_healthy_targets_than_its_count()
    {
        var scenario = await Scenario.StartAsync(stack, "cproll", "eu-west-1");
        var three = Scenario.Cluster("cproll", """["eu-west-1a","eu-west-1b","eu-west-1c"]""", "eu-west-1").Replace("\"role\":\"control-plane\",\"count\":1", "\"role\":\"control-plane\",\"count\":3", StringComparison.Ordinal);
        var uid = (await scenario.CreateAsync(three))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("cproll", "Running");
        var before = (await PoolInstancesAsync("eu-west-1", uid, "cp")).Select(i => i.InstanceId).ToList();
        using var elb = new Elbv2Client(new AwsClientOptions("eu-west-1") { Endpoint = stack.Stack.Endpoint, Credentials = new BasicAWSCredentials("000000000000", "e2e") });
        var targetGroup = (await elb.DescribeTargetGroupsAsync()).Items.Single(g => g.TargetGroupName.Contains(uid[..8], StringComparison.Ordinal)).TargetGroupArn;

        // Labels are part of every node's launch (the kubelet registers with them): with a label on every pool the
        // whole cluster rolls, the control plane first. (Pack values other than the OS's and Kubernetes' are applied
        // in place by the in-cluster agent: InClusterAgentTests.)
        var pools = (await scenario.GetAsync("cproll"))["nodePools"]!.AsArray();
        foreach (var pool in pools)
            pool!["labels"] = new JsonObject { ["rolled"] = "yes" };
        var response = await scenario.Api.PatchAsync("/v1/projects/cproll/clusters/cproll",
            new StringContent(new JsonObject { ["nodePools"] = pools.DeepClone() }.ToJsonString(), Encoding.UTF8, "application/merge-patch+json"));
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var fewestHealthy = int.MaxValue;
        var samples = 0;
        var deadline = DateTime.UtcNow + UpdateTimeout;
        while ((await scenario.GetAsync("cproll"))["status"]!.GetValue<string>() == "Updating" && DateTime.UtcNow < deadline)
        {
            var health = await elb.DescribeTargetHealthAsync(targetGroup);
            fewestHealthy = Math.Min(fewestHealthy, health.Count(h => h.State == "healthy"));
            samples++;
        }
        var running = await scenario.WaitForStatusAsync("cproll", "Running");
        running["conditions"]!.AsArray().Should().Contain(c => c!["type"]!.GetValue<string>() == "Updated" && c["status"]!.GetValue<string>() == "True");
        samples.Should().BeGreaterThan(0);
        fewestHealthy.Should().BeGreaterThanOrEqualTo(3, "a new control-plane node passes its health check before an old one is deregistered");
        var after = await PoolInstancesAsync("eu-west-1", uid, "cp");
        after.Should().HaveCount(3);
        after.Select(i => i.InstanceId).Should().NotIntersectWith(before);

        // One at a time: each new control-plane node was launched after the previous old one began to go.
        var launches = after.Select(i => i.LaunchTime!.Value).Order().ToList();
        launches.Zip(launches.Skip(1)).Should().OnlyContain(pair => pair.Second > pair.First);
        var workersLaunched = (await PoolInstancesAsync("eu-west-1", uid, "workers")).Single().LaunchTime!.Value;
        workersLaunched.Should().BeAfter(launches[^1], "worker pools roll after the control plane");

        (await scenario.DeleteAsync("cproll")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("cproll", "Deleted");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_failure_mid_update_leaves_Running_with_Updated_False_naming_the_step_and_the_same_change_retries()
    {
        var scenario = await Scenario.StartAsync(stack, "failing");
        var second = """,{"name":"second","role":"worker","count":1,"instanceType":"m5.large","availabilityZones":["us-east-1a"]}""";
        var uid = (await scenario.CreateAsync(Scenario.Cluster("failing", extraPools: second)))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("failing", "Running");
        var cluster = await scenario.GetAsync("failing");

        // Sequential worker pools: "workers" rolls (new type), then "second" asks for an instance type EC2 does not have.
        var pools = cluster["nodePools"]!.AsArray();
        pools.Single(p => p!["name"]!.GetValue<string>() == "workers")!["instanceType"] = "m5.xlarge";
        pools.Single(p => p!["name"]!.GetValue<string>() == "second")!["instanceType"] = "zz9.large";
        var response = await scenario.Api.PatchAsync("/v1/projects/failing/clusters/failing",
            new StringContent(new JsonObject { ["nodePools"] = pools.DeepClone() }.ToJsonString(), Encoding.UTF8, "application/merge-patch+json"));
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());

        var failed = await WaitUntilAsync(scenario, "failing", c => c["conditions"]!.AsArray()
            .Any(x => x!["type"]!.GetValue<string>() == "Updated" && x["reason"]!.GetValue<string>() == "UpdateFailed"));
        failed["status"]!.GetValue<string>().Should().Be("Running");
        var message = failed["conditions"]!.AsArray().Single(x => x!["type"]!.GetValue<string>() == "Updated")!["message"]!.GetValue<string>();
        message.Should().Contain("RollPool").And.Contain("second").And.Contain("zz9.large");
        failed["observedGeneration"]!.GetValue<long>().Should().BeLessThan(failed["generation"]!.GetValue<long>());
        (await PoolInstancesAsync("us-east-1", uid, "workers")).Should().ContainSingle().Which.InstanceType.Value.Should().Be("m5.xlarge", "nodes already replaced stay");
        (await PoolInstancesAsync("us-east-1", uid, "second")).Should().ContainSingle().Which.InstanceType.Value.Should().Be("m5.large");
        (await stack.ResourcesOfAsync(uid)).Count(r => r["type"]!.GetValue<string>() == "ec2:instance").Should().Be(3, "no stray instance is left");

        // Fix the spec: the change is accepted and the update runs again to the newest generation.
        pools.Single(p => p!["name"]!.GetValue<string>() == "second")!["instanceType"] = "m5.xlarge";
        await ChangeAsync(scenario, HttpMethod.Patch, "failing", new JsonObject { ["nodePools"] = pools.DeepClone() });
        (await PoolInstancesAsync("us-east-1", uid, "second")).Should().ContainSingle().Which.InstanceType.Value.Should().Be("m5.xlarge");

        (await scenario.DeleteAsync("failing")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("failing", "Deleted");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_change_during_an_update_converges_and_a_delete_during_an_update_leaks_nothing()
    {
        var scenario = await Scenario.StartAsync(stack, "racing");
        var uid = (await scenario.CreateAsync(Scenario.Cluster("racing", """["us-east-1a","us-east-1b"]""")))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("racing", "Running");

        var first = await scenario.Api.PutAsJsonAsync("/v1/projects/racing/clusters/racing/nodepools/workers", Pool("workers", 3, "us-east-1a", "us-east-1b"));
        first.StatusCode.Should().Be(HttpStatusCode.Accepted, await first.Content.ReadAsStringAsync());
        // Accepted while Updating: not refused, and no second workflow.
        var second = await scenario.Api.PutAsJsonAsync("/v1/projects/racing/clusters/racing/nodepools/workers", Pool("workers", 4, "us-east-1a", "us-east-1b"));
        second.StatusCode.Should().Be(HttpStatusCode.Accepted, await second.Content.ReadAsStringAsync());
        var running = await scenario.WaitForStatusAsync("racing", "Running", UpdateTimeout);
        running["observedGeneration"]!.GetValue<long>().Should().Be(running["generation"]!.GetValue<long>());
        (await PoolInstancesAsync("us-east-1", uid, "workers")).Should().HaveCount(4);
        ZoneCounts(await PoolInstancesAsync("us-east-1", uid, "workers")).Should().BeEquivalentTo([2, 2]);

        // A change while Updating is fine; a delete while Updating stops the update and takes everything.
        var grow = await scenario.Api.PutAsJsonAsync("/v1/projects/racing/clusters/racing/nodepools/workers", Pool("workers", 8, "us-east-1a", "us-east-1b"));
        grow.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await scenario.DeleteAsync("racing")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("racing", "Deleted", UpdateTimeout);
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty("the delete takes everything, nodes the update launched included");
    }

    [Fact]
    public async Task Worker_pools_roll_side_by_side_in_parallel_and_one_after_the_other_otherwise_within_maxSurge_and_maxUnavailable()
    {
        var scenario = await Scenario.StartAsync(stack, "order", "us-west-2");
        var pools = """,{"name":"second","role":"worker","count":3,"instanceType":"m5.large","availabilityZones":["us-west-2a","us-west-2b"],"updateStrategy":{"type":"RollingUpdate","maxSurge":2,"maxUnavailable":1}}""";
        foreach (var (name, parallel) in new[] { ("side-by-side", true), ("in-turn", false) })
        {
            var json = Scenario.Cluster(name, """["us-west-2a","us-west-2b"]""", "us-west-2", extraPools: pools)
                .Replace("\"nodePools\"", $"\"updateWorkerPoolsInParallel\":{(parallel ? "true" : "false")},\"nodePools\"", StringComparison.Ordinal)
                .Replace("\"name\":\"workers\",\"role\":\"worker\",\"count\":1", "\"name\":\"workers\",\"role\":\"worker\",\"count\":3", StringComparison.Ordinal);
            var uid = (await scenario.CreateAsync(json))["uid"]!.GetValue<string>();
            await scenario.WaitForStatusAsync(name, "Running");
            var cluster = await scenario.GetAsync(name);
            var nodePools = cluster["nodePools"]!.AsArray();
            foreach (var pool in nodePools.Where(p => p!["role"]!.GetValue<string>() == "worker"))
                pool!["instanceType"] = "m5.xlarge";
            var response = await scenario.Api.PatchAsync($"/v1/projects/order/clusters/{name}",
                new StringContent(new JsonObject { ["nodePools"] = nodePools.DeepClone() }.ToJsonString(), Encoding.UTF8, "application/merge-patch+json"));
            response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());

            // Sample the pool with maxSurge 2 / maxUnavailable 1 until the update ends: never more than 5 nodes, never fewer than 2 running.
            var (most, fewestRunning) = (0, int.MaxValue);
            var deadline = DateTime.UtcNow + UpdateTimeout;
            while ((await scenario.GetAsync(name))["status"]!.GetValue<string>() == "Updating" && DateTime.UtcNow < deadline)
            {
                var second = await PoolInstancesAsync("us-west-2", uid, "second", "pending", "running", "shutting-down", "stopping");
                most = Math.Max(most, second.Count);
                fewestRunning = Math.Min(fewestRunning, second.Count(i => i.State.Name == "running"));
            }
            await scenario.WaitForStatusAsync(name, "Running");
            most.Should().BeLessThanOrEqualTo(3 + 2, "maxSurge 2 over count 3");
            fewestRunning.Should().BeGreaterThanOrEqualTo(3 - 1, "maxUnavailable 1 under count 3");

            // When the first pool was done (its progress event), against when the second pool launched its first new node.
            var seconds = (await PoolInstancesAsync("us-west-2", uid, "second")).Select(i => i.LaunchTime!.Value.ToUniversalTime()).ToList();
            seconds.Should().HaveCount(3);
            var workersDone = (await scenario.EventsAsync(name)).First(e => e!["message"]!.GetValue<string>() == "3 of 3 nodes replaced in workers")!["at"]!.GetValue<DateTimeOffset>();
            if (parallel)
                seconds.Min().Should().BeBefore(workersDone.UtcDateTime, "in parallel the second pool rolls while the first still does");
            else
                seconds.Min().Should().BeAfter(workersDone.UtcDateTime, "one pool after the other: the second launches once the first is done");

            (await scenario.DeleteAsync(name)).StatusCode.Should().Be(HttpStatusCode.Accepted);
            await scenario.WaitForStatusAsync(name, "Deleted");
            (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
        }
    }

    private async Task<JsonObject> ChangeAsync(Scenario scenario, HttpMethod method, string path, JsonObject? body)
    {
        var request = new HttpRequestMessage(method, $"/v1/projects/{scenario.Project}/clusters/{path}");
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, method == HttpMethod.Patch ? "application/merge-patch+json" : "application/json");
        var response = await scenario.Api.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var name = path.Split('/')[0];
        var running = await scenario.WaitForStatusAsync(name, "Running", UpdateTimeout);
        running["observedGeneration"]!.GetValue<long>().Should().Be(running["generation"]!.GetValue<long>(), running.ToJsonString());
        return running;
    }

    private static readonly string[] West = ["us-west-2a", "us-west-2b", "us-west-2c"];

    private static JsonObject Pool(string name, int count, params string[] zones) => new()
    {
        ["name"] = name,
        ["count"] = count,
        ["instanceType"] = "m5.large",
        ["availabilityZones"] = new JsonArray([.. zones.Select(z => (JsonNode)z!)]),
    };

    private static string NodePoolsJson(JsonObject cluster, int workersCount)
    {
        var pools = cluster["nodePools"]!.DeepClone().AsArray();
        pools.Single(p => p!["name"]!.GetValue<string>() == "workers")!["count"] = workersCount;
        return pools.ToJsonString();
    }

    private static int[] ZoneCounts(IEnumerable<Instance> instances) =>
        [.. instances.GroupBy(i => i.Placement.AvailabilityZone).Select(g => g.Count()).OrderDescending()];

    /// <summary>A pool's live (pending or running) instances, from EC2, by the tags every node carries.</summary>
    private async Task<List<Instance>> PoolInstancesAsync(string region, string uid, string pool, params string[] states)
    {
        using var ec2 = stack.Ec2(region: region);
        return (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
        {
            Filters =
            [
                new Filter("tag:palette.serverless/cluster-uid", [uid]),
                new Filter("tag:palette.serverless/pool", [pool]),
                new Filter("instance-state-name", states.Length > 0 ? [.. states] : ["pending", "running"]),
            ],
        })).Reservations?.SelectMany(r => r.Instances ?? []).ToList() ?? [];
    }

    private static async Task<JsonObject> WaitUntilAsync(Scenario scenario, string name, Func<JsonObject, bool> condition)
    {
        var deadline = DateTime.UtcNow + UpdateTimeout;
        JsonObject cluster;
        do
        {
            cluster = await scenario.GetAsync(name);
            if (condition(cluster))
                return cluster;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"cluster {name} never met the condition: {cluster.ToJsonString()}");
    }
}
