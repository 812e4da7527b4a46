using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// The in-cluster agent over the local stack (issue 25, item 4): a profile version that changes only Calico's values,
/// then a change of settings.rbac,
/// is written as the cluster's desired in-cluster state, applied in place by the agent on the control plane (the
/// node model runs it from the same parameter), reported as the generation applied, and replaces no node.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class InClusterAgentTests(LocalStackFixture stack)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task A_calico_values_change_and_then_an_rbac_change_are_applied_in_place_by_the_agent_with_no_node_replaced()
    {
        var scenario = await Scenario.StartAsync(stack, "agent");
        var uid = (await scenario.CreateAsync(Scenario.Cluster("agent")))["uid"]!.GetValue<string>();
        var created = await scenario.WaitForStatusAsync("agent", "Running");
        Condition(created, "PacksApplied")["status"]!.GetValue<string>().Should().Be("True");
        var nodes = await InstancesAsync(uid);
        nodes.Should().HaveCount(2);

        // The agent's first run reports the generation the first control plane installed at boot.
        var controlPlane = nodes.Single(i => Tag(i, "sigs.k8s.io/cluster-api-provider-aws/role") == "controlplane").InstanceId;
        await AgentReportedAsync(uid, controlPlane, created["generation"]!.GetValue<long>());

        // A profile version that changes only Calico's values: in the cluster, not on the nodes.
        var profile = JsonNode.Parse(PaletteServerless.Local.Walkthrough.SampleProfile)!.AsObject();
        profile["version"] = "1.0.1";
        profile["packs"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "calico")!["values"] = "mtu: 1400\n";
        var added = await scenario.Api.PostAsync("/v1/projects/agent/clusterprofiles", LocalStackFixture.Json(profile.ToJsonString()));
        added.StatusCode.Should().Be(HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        var calico = await PatchAsync(scenario, """{"profile":{"version":"1.0.1"}}""");
        calico["profile"]!["version"]!.GetValue<string>().Should().Be("1.0.1");
        await AgentReportedAsync(uid, controlPlane, calico["generation"]!.GetValue<long>());
        var desired = await DesiredAsync(uid);
        desired.Generation.Should().Be(calico["generation"]!.GetValue<long>());
        desired.Packs.Single(p => p.Name == "calico").Values.Should().Contain("mtu: 1400");
        Condition(calico, "PacksApplied")["message"]!.GetValue<string>().Should().Contain($"generation {calico["generation"]}");

        // settings.rbac: a binding added, in the cluster too.
        var rbac = await PatchAsync(scenario, """{"settings":{"rbac":[{"type":"ClusterRoleBinding","role":"view","subjects":[{"kind":"Group","name":"auditors"}]}]}}""");
        rbac["generation"]!.GetValue<long>().Should().BeGreaterThan(calico["generation"]!.GetValue<long>());
        await AgentReportedAsync(uid, controlPlane, rbac["generation"]!.GetValue<long>());
        (await DesiredAsync(uid)).Rbac.Bindings.Should().Equal("ClusterRoleBinding/palette-settings-0");

        // Not one node replaced, none launched: the same instances, all running.
        var after = await InstancesAsync(uid);
        after.Select(i => i.InstanceId).Should().BeEquivalentTo(nodes.Select(i => i.InstanceId));
        after.Should().OnlyContain(i => i.State.Name == "running");
        after.Should().OnlyContain(i => nodes.Any(n => n.InstanceId == i.InstanceId && n.LaunchTime == i.LaunchTime));

        (await scenario.DeleteAsync("agent")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("agent", "Deleted");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
        using var ssm = Ssm();
        (await ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = $"/palette-serverless/acme/{uid}", Recursive = true })).Parameters
            .Should().BeEmpty("the delete removes the desired state with the secrets");
    }

    /// <summary>PATCHes the cluster and waits until it is Running again with its generation observed and PacksApplied True.</summary>
    private static async Task<JsonObject> PatchAsync(Scenario scenario, string patch)
    {
        var response = await scenario.Api.PatchAsync("/v1/projects/agent/clusters/agent", new StringContent(patch, Encoding.UTF8, "application/merge-patch+json"));
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var deadline = DateTime.UtcNow + Timeout;
        JsonObject cluster;
        do
        {
            cluster = await scenario.GetAsync("agent");
            if (cluster["status"]!.GetValue<string>() == "Running" && cluster["observedGeneration"]!.GetValue<long>() == cluster["generation"]!.GetValue<long>())
                break;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        cluster["status"]!.GetValue<string>().Should().Be("Running", cluster.ToJsonString());
        cluster["observedGeneration"]!.GetValue<long>().Should().Be(cluster["generation"]!.GetValue<long>());
        var packs = Condition(cluster, "PacksApplied");
        packs["status"]!.GetValue<string>().Should().Be("True", packs.ToJsonString());
        Condition(cluster, "Updated")["status"]!.GetValue<string>().Should().Be("True");
        return cluster;
    }

    private async Task AgentReportedAsync(string uid, string instanceId, long generation)
    {
        var deadline = DateTime.UtcNow + Timeout;
        Instance? instance;
        do
        {
            instance = (await InstancesAsync(uid)).SingleOrDefault(i => i.InstanceId == instanceId);
            if (instance is not null && Tag(instance, NodePhases.AgentGenerationTagKey) == generation.ToString(System.Globalization.CultureInfo.InvariantCulture))
                break;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        instance.Should().NotBeNull();
        Tag(instance!, NodePhases.AgentGenerationTagKey).Should().Be(generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Tag(instance!, NodePhases.AgentMessageTagKey).Should().Be(NodePhases.AgentApplied);
    }

    private async Task<DesiredState> DesiredAsync(string uid)
    {
        using var ssm = Ssm();
        var parameter = (await ssm.GetParameterAsync(new GetParameterRequest { Name = $"/palette-serverless/acme/{uid}/{DesiredState.Parameter}" })).Parameter;
        return DesiredState.FromParameterValue(parameter.Value)!;
    }

    private async Task<List<Instance>> InstancesAsync(string uid)
    {
        using var ec2 = stack.Ec2();
        return (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
        {
            Filters = [new Filter("tag:palette.serverless/cluster-uid", [uid]), new Filter("instance-state-name", ["pending", "running", "shutting-down", "stopping", "stopped"])],
        })).Reservations?.SelectMany(r => r.Instances ?? []).ToList() ?? [];
    }

    private static string? Tag(Instance instance, string key) => instance.Tags?.FirstOrDefault(t => t.Key == key)?.Value;

    private static JsonObject Condition(JsonObject cluster, string type) =>
        cluster["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == type)!.AsObject();

    private AmazonSimpleSystemsManagementClient Ssm() =>
        new(new BasicAWSCredentials("000000000000", "e2e"), new AmazonSimpleSystemsManagementConfig { ServiceURL = stack.Stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
}
