using System.Net;
using System.Text.Json.Nodes;
using Amazon.EC2.Model;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Manifest;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// Node auto-remediation over the local stack: the local EC2 emits its aws.ec2 events to the default bus, whose rules
/// (created from EventRuleCatalog) invoke the trigger function, which starts the remediation workflow.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class RemediationTests(LocalStackFixture stack)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static string Cluster(string name, int workers, string healthCheck = "") =>
        Scenario.Cluster(name, """["us-east-1a","us-east-1b"]""").Replace(
            "{\"name\":\"workers\",\"role\":\"worker\",\"count\":1,",
            $"{{\"name\":\"workers\",\"role\":\"worker\",\"count\":{workers},{healthCheck}", StringComparison.Ordinal);

    [Fact]
    public async Task A_worker_terminated_behind_the_products_back_is_replaced_in_its_pool_the_cluster_stays_Running_and_nothing_leaks()
    {
        var scenario = await Scenario.StartAsync(stack, "heal");
        var uid = (await scenario.CreateAsync(Cluster("heal", workers: 2)))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("heal", "Running");
        var workers = await PoolInstancesAsync(uid, "workers");
        workers.Should().HaveCount(2);
        var victim = workers[0];

        using (var ec2 = stack.Ec2())
            await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [victim.InstanceId] });

        var replaced = await WaitAsync(uid, async () =>
        {
            var now = await PoolInstancesAsync(uid, "workers", "running");
            return now.Count == 2 && now.All(i => i.InstanceId != victim.InstanceId) ? now : null;
        });
        replaced.Should().Contain(i => i.Placement.AvailabilityZone == victim.Placement.AvailabilityZone, "the replacement goes to the failed node's zone");
        var events = await WaitAsync(uid, async () =>
        {
            var all = await scenario.EventsAsync("heal");
            return all.Any(e => e!["reason"]!.GetValue<string>() == "NodeReplaced") ? all : null;
        });
        events.Should().Contain(e => e!["reason"]!.GetValue<string>() == "NodeReplaced" && e["message"]!.GetValue<string>().Contains(victim.InstanceId));
        (await scenario.GetAsync("heal"))["status"]!.GetValue<string>().Should().Be("Running");
        // The bus event follows the table's event: it may land a moment later.
        await WaitAsync(uid, () => Task.FromResult(BusEvents(uid, ClusterEvents.NodeRemediationDetailType).FirstOrDefault(e => e["detail"]!["outcome"]!.GetValue<string>() == "Replaced"
            && e["detail"]!["oldInstanceId"]!.GetValue<string>() == victim.InstanceId)));

        (await scenario.DeleteAsync("heal")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("heal", "Deleted");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
    }

    [Fact]
    public async Task Two_workers_failing_at_once_get_their_replacements_side_by_side_in_one_pass()
    {
        var scenario = await Scenario.StartAsync(stack, "twin");
        var uid = (await scenario.CreateAsync(Cluster("twin", workers: 3)))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("twin", "Running");
        var workers = await PoolInstancesAsync(uid, "workers");
        workers.Should().HaveCount(3);
        var victims = workers.Take(2).Select(i => i.InstanceId).ToList();
        // The nodes that exist have reported; from now on a node boots but never reports Ready. A pass that worked on
        // one replacement at a time would wait for its first and never launch the second.
        var original = stack.Stack.LocalAws.Faults;
        stack.Stack.LocalAws.Faults = new FaultInjector(new FaultProfile { NodeNeverReportsRate = 1 }, 7);
        try
        {
            using (var ec2 = stack.Ec2())
                await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = victims });

            var replacements = await WaitAsync(uid, async () =>
            {
                var fresh = (await PoolInstancesAsync(uid, "workers")).Where(i => workers.All(w => w.InstanceId != i.InstanceId)).ToList();
                return fresh.Count == 2 ? fresh : null;
            });
            replacements.Select(i => i.Placement.AvailabilityZone).Should().BeEquivalentTo(
                workers.Take(2).Select(i => i.Placement.AvailabilityZone), "each replacement goes to its failed node's zone");
            (await scenario.EventsAsync("twin")).Should().NotContain(e => e!["reason"]!.GetValue<string>() == "NodeReplaced",
                "neither replacement reported Ready, yet both were launched");

            (await scenario.DeleteAsync("twin")).StatusCode.Should().Be(HttpStatusCode.Accepted);
            await scenario.WaitForStatusAsync("twin", "Deleted", Timeout);
        }
        finally
        {
            stack.Stack.LocalAws.Faults = original;
        }
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty("both replacements were recorded before they could be orphaned");
    }

    [Fact]
    public async Task Two_workers_failing_at_once_are_both_replaced_and_retired_the_cluster_stays_Running_and_nothing_leaks()
    {
        var scenario = await Scenario.StartAsync(stack, "pair");
        var uid = (await scenario.CreateAsync(Cluster("pair", workers: 3)))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("pair", "Running");
        var workers = await PoolInstancesAsync(uid, "workers");
        var victims = workers.Take(2).Select(i => i.InstanceId).ToList();

        using (var ec2 = stack.Ec2())
            await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = victims });

        await WaitAsync(uid, async () =>
        {
            var now = await PoolInstancesAsync(uid, "workers", "running");
            return now.Count == 3 && now.All(i => !victims.Contains(i.InstanceId)) ? now : null;
        });
        var replaced = await WaitAsync(uid, async () =>
        {
            var all = (await scenario.EventsAsync("pair")).Where(e => e!["reason"]!.GetValue<string>() == "NodeReplaced").ToList();
            return all.Count >= 2 ? all : null;
        });
        victims.Should().OnlyContain(v => replaced.Count(e => e!["message"]!.GetValue<string>().Contains(v)) == 1, "each failed node is replaced once");
        // The bus event follows the table's event: it may land a moment later.
        var announced = await WaitAsync(uid, () =>
        {
            var replacedOnTheBus = BusEvents(uid, ClusterEvents.NodeRemediationDetailType).Where(e => e["detail"]!["outcome"]!.GetValue<string>() == "Replaced")
                .Select(e => e["detail"]!["oldInstanceId"]!.GetValue<string>()).Distinct().ToList();
            return Task.FromResult(replacedOnTheBus.Count >= 2 ? replacedOnTheBus : null);
        });
        announced.Should().BeEquivalentTo(victims);
        (await scenario.GetAsync("pair"))["status"]!.GetValue<string>().Should().Be("Running");

        (await scenario.DeleteAsync("pair")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("pair", "Deleted");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_spot_interruption_is_replaced_before_EC2_reclaims_the_node()
    {
        var scenario = await Scenario.StartAsync(stack, "spot");
        var spotPool = """,{"name":"spot","role":"worker","count":1,"instanceType":"m5.large","capacityType":"spot","availabilityZones":["us-east-1a","us-east-1b"]}""";
        var uid = (await scenario.CreateAsync(Scenario.Cluster("spot", """["us-east-1a","us-east-1b"]""", extraPools: spotPool)))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("spot", "Running");
        var victim = (await PoolInstancesAsync(uid, "spot")).Single();

        using (var http = new HttpClient { BaseAddress = stack.Stack.Endpoint })
            (await http.PostAsync($"/local/ec2/instances/{victim.InstanceId}/interrupt", LocalStackFixture.Json(""))).StatusCode.Should().Be(HttpStatusCode.OK);

        var replacement = await WaitAsync(uid, async () => (await PoolInstancesAsync(uid, "spot", "running")).FirstOrDefault(i => i.InstanceId != victim.InstanceId));
        replacement.InstanceLifecycle?.Value.Should().Be("spot", "the replacement keeps the pool's capacity type");
        await WaitAsync(uid, async () => (await scenario.EventsAsync("spot")).FirstOrDefault(e => e!["reason"]!.GetValue<string>() == "NodeReplaced"
            && e["message"]!.GetValue<string>().Contains("reclaiming its spot instance")));
        (await scenario.GetAsync("spot"))["status"]!.GetValue<string>().Should().Be("Running");

        (await scenario.DeleteAsync("spot")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("spot", "Deleted");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
    }

    [Fact]
    public async Task An_instance_failing_its_status_checks_is_found_by_the_periodic_check_and_replaced()
    {
        var scenario = await Scenario.StartAsync(stack, "impaired");
        var uid = (await scenario.CreateAsync(Cluster("impaired", workers: 1)))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("impaired", "Running");
        var victim = (await PoolInstancesAsync(uid, "workers")).Single();

        // No event says so: only the 5-minute sweep (time-scaled here) sees the failed status check.
        using (var http = new HttpClient { BaseAddress = stack.Stack.Endpoint })
            (await http.PostAsync($"/local/ec2/instances/{victim.InstanceId}/status", LocalStackFixture.Json("""{"status":"impaired","check":"instance"}""")))
                .StatusCode.Should().Be(HttpStatusCode.OK);

        await WaitAsync(uid, async () => (await PoolInstancesAsync(uid, "workers", "running")).FirstOrDefault(i => i.InstanceId != victim.InstanceId));
        await WaitAsync(uid, async () => (await scenario.EventsAsync("impaired")).FirstOrDefault(e => e!["reason"]!.GetValue<string>() == "NodeReplaced"
            && e["message"]!.GetValue<string>().Contains("status checks")));
        await WaitAsync(uid, async () => (await PoolInstancesAsync(uid, "workers")).Count == 1 ? "" : null);

        (await scenario.DeleteAsync("impaired")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("impaired", "Deleted");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_node_that_never_reports_Ready_within_its_startup_timeout_is_replaced_by_one_that_does()
    {
        var scenario = await Scenario.StartAsync(stack, "noboot");
        var uid = (await scenario.CreateAsync(Cluster("noboot", workers: 1, "\"healthCheck\":{\"nodeStartupTimeoutMinutes\":1},")))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("noboot", "Running");
        var silent = (await PoolInstancesAsync(uid, "workers")).Single();
        // The product knows a node is ready only from the node's own report: without it (its tag removed, and the
        // local node agent reports each phase once) the node counts as one that never reported; the timeout is real minutes.
        using (var ec2 = stack.Ec2())
            await ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [silent.InstanceId], Tags = [new Tag(NodePhases.TagKey)] });

        var replacement = await WaitAsync(uid, async () => (await PoolInstancesAsync(uid, "workers", "running")).FirstOrDefault(i => i.InstanceId != silent.InstanceId),
            TimeSpan.FromMinutes(3));
        await WaitAsync(uid, async () => (await scenario.EventsAsync("noboot")).FirstOrDefault(e => e!["reason"]!.GetValue<string>() == "NodeReplaced"
            && e["message"]!.GetValue<string>().Contains(silent.InstanceId) && e["message"]!.GetValue<string>().Contains("did not report Ready within 1 minute")));
        replacement.Placement.AvailabilityZone.Should().Be(silent.Placement.AvailabilityZone);

        (await scenario.DeleteAsync("noboot")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("noboot", "Deleted");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
    }

    [Fact]
    public async Task More_failed_nodes_than_maxUnhealthy_pause_remediation_with_a_condition_and_an_event_and_nothing_is_launched()
    {
        var scenario = await Scenario.StartAsync(stack, "storm");
        // 30% of 3 rounded down: not one failed node may be replaced, as in a zone outage where replacements would pile up.
        var uid = (await scenario.CreateAsync(Cluster("storm", workers: 3, "\"healthCheck\":{\"maxUnhealthy\":\"30%\"},")))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("storm", "Running");
        var workers = await PoolInstancesAsync(uid, "workers");

        using (var http = new HttpClient { BaseAddress = stack.Stack.Endpoint })
            (await http.PostAsync($"/local/ec2/instances/{workers[0].InstanceId}/stop", LocalStackFixture.Json(""))).StatusCode.Should().Be(HttpStatusCode.OK);

        var paused = await WaitAsync(uid, async () =>
        {
            var cluster = await scenario.GetAsync("storm");
            return cluster["conditions"]!.AsArray().FirstOrDefault(c => c!["type"]!.GetValue<string>() == "RemediationPaused" && c["status"]!.GetValue<string>() == "True");
        });
        paused!["message"]!.GetValue<string>().Should().Contain("1 of 3 nodes of pool workers").And.Contain("maxUnhealthy 30%");
        (await scenario.EventsAsync("storm")).Should().Contain(e => e!["reason"]!.GetValue<string>() == "RemediationPaused" && e["type"]!.GetValue<string>() == "Warning");
        await WaitAsync(uid, () => Task.FromResult(BusEvents(uid, ClusterEvents.RemediationPausedDetailType).FirstOrDefault(e => e["detail"]!["pool"]!.GetValue<string>() == "workers")));
        (await PoolInstancesAsync(uid, "workers", "pending", "running", "stopping", "stopped")).Should().HaveCount(3, "no replacement storm");

        (await scenario.DeleteAsync("storm")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("storm", "Deleted");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_delete_during_a_remediation_wins_and_the_replacement_in_flight_is_removed_with_the_rest()
    {
        var scenario = await Scenario.StartAsync(stack, "race");
        var uid = (await scenario.CreateAsync(Cluster("race", workers: 1)))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("race", "Running");
        var victim = (await PoolInstancesAsync(uid, "workers")).Single();
        // The nodes that exist have reported; from now on a node boots but never reports, so the remediation waits for its replacement.
        var original = stack.Stack.LocalAws.Faults;
        stack.Stack.LocalAws.Faults = new FaultInjector(new FaultProfile { NodeNeverReportsRate = 1 }, 7);
        try
        {
            using (var ec2 = stack.Ec2())
                await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [victim.InstanceId] });
            await WaitAsync(uid, async () => (await PoolInstancesAsync(uid, "workers")).FirstOrDefault(i => i.InstanceId != victim.InstanceId));

            (await scenario.DeleteAsync("race")).StatusCode.Should().Be(HttpStatusCode.Accepted, "a remediation never blocks a delete");
            await scenario.WaitForStatusAsync("race", "Deleted", Timeout);
        }
        finally
        {
            stack.Stack.LocalAws.Faults = original;
        }
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty("the replacement was recorded before it could be orphaned");
        var events = await scenario.EventsAsync("race");
        events.Should().NotContain(e => e!["reason"]!.GetValue<string>() == "NodeReplaced");
        events.Should().Contain(e => e!["reason"]!.GetValue<string>() == "RemediationStopped", "the delete stops the remediation at once, not at its next step");
    }

    private List<JsonObject> BusEvents(string uid, string detailType)
    {
        lock (stack.Events)
            return stack.Events.Select(e => JsonNode.Parse(e)!.AsObject())
                .Where(e => e["detail-type"]?.GetValue<string>() == detailType && e["detail"]?["uid"]?.GetValue<string>() == uid).ToList();
    }

    private async Task<List<Instance>> PoolInstancesAsync(string uid, string pool, params string[] states)
    {
        using var ec2 = stack.Ec2();
        return (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
        {
            Filters =
            [
                new Filter("tag:palette.serverless/cluster-uid", [uid]),
                new Filter("tag:palette.serverless/pool", [pool]),
                new Filter("instance-state-name", states.Length > 0 ? [.. states] : ["pending", "running"]),
            ],
        })).Reservations?.SelectMany(r => r.Instances ?? []).OrderBy(i => i.InstanceId, StringComparer.Ordinal).ToList() ?? [];
    }

    private async Task<T> WaitAsync<T>(string uid, Func<Task<T?>> probe, TimeSpan? timeout = null) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found)
                return found;
            await Task.Delay(100);
        }
        throw new TimeoutException("the remediation did not get there in time" + stack.Trail(uid));
    }
}
