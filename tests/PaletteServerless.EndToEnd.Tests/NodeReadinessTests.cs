using System.Net;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// Running means the nodes said so: the local node agent reports each node's phases by tagging its instance,
/// and the create reads nothing else. A pack failure and a node that never reports end the create Failed,
/// named, with everything rolled back.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class NodeReadinessTests(LocalStackFixture stack)
{
    private static string? Tag(System.Text.Json.Nodes.JsonObject resource, string key) => resource["tags"]?[key]?.GetValue<string>();

    [Fact]
    public async Task A_create_is_Running_only_once_every_node_reported_ready_and_the_first_control_plane_its_packs()
    {
        var scenario = await Scenario.StartAsync(stack, "node-reports");
        var created = await scenario.CreateAsync(Scenario.Cluster("reported"));
        var running = await scenario.WaitForStatusAsync("reported", "Running");

        var instances = (await stack.ResourcesOfAsync(created["uid"]!.GetValue<string>())).Where(r => r["type"]!.GetValue<string>() == "ec2:instance").ToList();
        instances.Should().HaveCount(2);
        // The only control plane is the first one: it installed the packs; the worker joined and is Ready.
        instances.Select(i => (Tag(i, ResourceTags.CapaRole), Tag(i, NodePhases.TagKey))).Should()
            .BeEquivalentTo([("controlplane", NodePhases.PacksApplied), ("node", NodePhases.Ready)]);
        var conditions = running["conditions"]!.AsArray().Select(c => c!.AsObject()).ToList();
        conditions.Single(c => c["type"]!.GetValue<string>() == "NodePoolsReady")["message"]!.GetValue<string>().Should().Contain("reported Ready");
        conditions.Single(c => c["type"]!.GetValue<string>() == "ControlPlaneHealthy")["message"]!.GetValue<string>().Should().Contain("reported ready");

        (await scenario.DeleteAsync("reported")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("reported", "Deleted");
    }

    [Fact]
    public async Task A_pack_that_fails_to_install_ends_the_create_Failed_naming_the_pack_with_nothing_left()
    {
        var scenario = await Scenario.StartAsync(stack, "pack-fails");
        var original = stack.Stack.LocalAws.Faults;
        stack.Stack.LocalAws.Faults = new FaultInjector(new FaultProfile { PacksFailureRate = 1 }, 3);
        try
        {
            var created = await scenario.CreateAsync(Scenario.Cluster("bad-packs"));
            var failed = await scenario.WaitForStatusAsync("bad-packs", "Failed");

            failed["statusReason"]!.GetValue<string>().Should().MatchRegex(@"pack aws-cloud-controller-manager-1\.[0-9]+\.[0-9]+ failed to install", "the first pack installed is the cloud controller manager").And.Contain("bad-packs-");
            (await stack.ResourcesOfAsync(created["uid"]!.GetValue<string>())).Should().BeEmpty("the rollback removes everything the create made ({0})", failed["statusReason"]);
        }
        finally
        {
            stack.Stack.LocalAws.Faults = original;
        }
    }

    [Fact]
    public async Task Nodes_that_never_report_fail_the_create_naming_each_with_its_last_phase_with_nothing_left()
    {
        var scenario = await Scenario.StartAsync(stack, "silent-nodes");
        var original = stack.Stack.LocalAws.Faults;
        stack.Stack.LocalAws.Faults = new FaultInjector(new FaultProfile { NodeNeverReportsRate = 1 }, 5);
        try
        {
            var created = await scenario.CreateAsync(Scenario.Cluster("silent"));
            var uid = created["uid"]!.GetValue<string>();
            var instanceIds = new List<string>();
            // The instances exist (and run) while the create waits for their reports.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (instanceIds.Count < 2 && DateTime.UtcNow < deadline)
            {
                instanceIds = (await stack.ResourcesOfAsync(uid)).Where(r => r["type"]!.GetValue<string>() == "ec2:instance").Select(r => r["id"]!.GetValue<string>()).ToList();
                await Task.Delay(50);
            }
            var failed = await scenario.WaitForStatusAsync("silent", "Failed", TimeSpan.FromSeconds(120));

            var reason = failed["statusReason"]!.GetValue<string>();
            reason.Should().StartWith("node(s) did not report ready in time: ");
            instanceIds.Should().HaveCount(2);
            foreach (var id in instanceIds)
                reason.Should().Contain($"({id}), never reported a phase");
            reason.Should().Contain("silent-cp-").And.Contain("silent-workers-");
            (await stack.ResourcesOfAsync(uid)).Should().BeEmpty("the rollback removes everything the create made ({0})", reason);
        }
        finally
        {
            stack.Stack.LocalAws.Faults = original;
        }
    }
}
