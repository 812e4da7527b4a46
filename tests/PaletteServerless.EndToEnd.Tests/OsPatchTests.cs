using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Amazon.EC2.Model;
using PaletteServerless.Domain.Patching;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// OS patching over the local stack (issue 26, item 1): a cluster whose nodes patch at boot and whose patchSchedule is
/// every 5 minutes gets scheduled patch runs (the one scheduled rule fires every modelled minute; the check evaluates
/// the cron at the scheduled event's modelled time), each patching its nodes in place, node by node, through the
/// request every node's patch agent reads (the node model runs it from the same parameter); the run completes with an
/// OsPatchCompleted event and the cluster shows it.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class OsPatchTests(LocalStackFixture stack)
{
    /// <summary>The bound of the wait, in real time: 600 modelled minutes at the fixture's time scale, for a loaded machine.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(600) / LocalStackFixture.TimeScale;

    [Fact]
    public async Task A_cluster_with_a_five_minute_patch_schedule_completes_a_patch_run_within_sixty_modelled_minutes()
    {
        var scenario = await Scenario.StartAsync(stack, "patch");
        var spec = JsonNode.Parse(Scenario.Cluster("patch"))!.AsObject();
        spec["settings"] = new JsonObject { ["patchSchedule"] = "*/5 * * * *", ["osPatchOnBoot"] = true };
        var uid = (await scenario.CreateAsync(spec.ToJsonString()))["uid"]!.GetValue<string>();
        var running = await scenario.WaitForStatusAsync("patch", "Running");
        running["settings"]!["osPatchOnBoot"]!.GetValue<bool>().Should().BeTrue();

        // Patched at boot: every node reports its patch level with its phase.
        var nodes = await InstancesAsync(uid);
        nodes.Should().HaveCount(2).And.OnlyContain(i => Tag(i, OsPatchReport.LevelTagKey) != null);

        // The first OsPatchStarted and the OsPatchCompleted of the same run.
        var deadline = DateTime.UtcNow + Timeout;
        JsonObject? started = null, completed = null;
        while (DateTime.UtcNow < deadline && completed is null)
        {
            var events = (await scenario.EventsAsync("patch")).Select(e => e!.AsObject()).ToList();
            started ??= events.Where(e => Reason(e) == "OsPatchStarted").MinBy(e => e["at"]!.GetValue<DateTimeOffset>());
            events.Should().NotContain(e => Reason(e) == "OsPatchFailed");
            completed = started is null ? null : events.FirstOrDefault(e => Reason(e) == "OsPatchCompleted" && Run(e) == Run(started));
            if (completed is null)
                await Task.Delay(100);
        }
        started.Should().NotBeNull("a patch run starts once the cluster is Running with a schedule due every 5 minutes");
        completed.Should().NotBeNull($"run {Run(started!)} completes");
        completed!["message"]!.GetValue<string>().Should().Contain("2 node(s) patched");

        // Scheduled runs are named by their occurrence, in the scheduled events' modelled time: every 5 minutes.
        var occurrence = DateTimeOffset.ParseExact(Run(started!), "yyyyMMdd'T'HHmm'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        occurrence.Minute.Should().Be(occurrence.Minute / 5 * 5);

        // The cluster's answer shows the run: started, completed, result, each node patched in place, none replaced.
        var cluster = await scenario.GetAsync("patch");
        var last = cluster["lastOsPatch"]!.AsObject();
        var run = Run(started!);
        if (last["id"]!.GetValue<string>() == run)
        {
            last["result"]!.GetValue<string>().Should().Be(OsPatchRun.Completed);
            last["nodesPatched"]!.GetValue<int>().Should().Be(2);
            last["nodes"]!.AsArray().Should().OnlyContain(n => n!["state"]!.GetValue<string>() == OsPatchNode.Patched);
            // Node by node: the control plane first, and the worker only once it was done (each pool's maxUnavailable is 0: one at a time).
            var patched = last["nodes"]!.AsArray().Select(n => n!.AsObject()).ToList();
            patched[0]["pool"]!.GetValue<string>().Should().Be("cp");
            patched[1]["startedAt"]!.GetValue<DateTimeOffset>().Should().BeOnOrAfter(patched[0]["completedAt"]!.GetValue<DateTimeOffset>());
            var modelled = (last["completedAt"]!.GetValue<DateTimeOffset>() - last["startedAt"]!.GetValue<DateTimeOffset>()) * LocalStackFixture.TimeScale;
            modelled.Should().BeLessThan(TimeSpan.FromMinutes(60), "a run of two nodes (boot patches applied, a reboot for the kernel) takes minutes");
        }
        var after = await InstancesAsync(uid);
        after.Select(i => i.InstanceId).Should().BeEquivalentTo(nodes.Select(i => i.InstanceId), "patching in place replaces no node");
        after.Should().OnlyContain(i => Tag(i, OsPatchReport.TagKey) != null && Tag(i, OsPatchReport.TagKey)!.Contains(" patched ", StringComparison.Ordinal));

        (await scenario.DeleteAsync("patch")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("patch", "Deleted", TimeSpan.FromSeconds(180));
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty("the delete removes the patch request with the secrets");
    }

    private static string Reason(JsonObject e) => e["reason"]!.GetValue<string>();

    /// <summary>The run an OsPatch event names: "OS patch run RUN ...".</summary>
    private static string Run(JsonObject e) => e["message"]!.GetValue<string>().Split(' ')[3];

    private async Task<List<Instance>> InstancesAsync(string uid)
    {
        using var ec2 = stack.Ec2();
        return (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
        {
            Filters = [new Filter("tag:palette.serverless/cluster-uid", [uid]), new Filter("instance-state-name", ["pending", "running"])],
        })).Reservations?.SelectMany(r => r.Instances ?? []).ToList() ?? [];
    }

    private static string? Tag(Instance instance, string key) => instance.Tags?.FirstOrDefault(t => t.Key == key)?.Value;
}
