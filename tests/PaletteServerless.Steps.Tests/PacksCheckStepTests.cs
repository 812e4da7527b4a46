using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Steps.Update;

namespace PaletteServerless.Steps.Tests;

/// <summary>The update's poll of the in-cluster agent: applied, failed naming the pack and the error, or not yet (bounded).</summary>
public sealed class PacksCheckStepTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private readonly IClusterStore _clusters = Substitute.For<IClusterStore>();
    private readonly ICloudSessionOpener _sessions = Substitute.For<ICloudSessionOpener>();
    private readonly StepRuntime _runtime;
    private Cluster _cluster = TestCluster.Create() with { Status = ClusterStatus.Updating, Generation = 3 };

    public PacksCheckStepTests()
    {
        _runtime = TestRuntime.Create(_clusters, _inventory, _sessions, _clock);
        _sessions.OpenAsync(Arg.Any<CloudAccount>(), Arg.Any<string>(), Arg.Any<SessionScope>(), Arg.Any<CancellationToken>()).Returns(_cloud);
        _clusters.GetAsync(Arg.Any<ProjectScope>(), "demo", Arg.Any<CancellationToken>()).Returns(_ => _cluster);
        _clusters.UpdateAsync(Arg.Any<Cluster>(), Arg.Any<long>(), Arg.Any<CancellationToken>()).Returns(call => _cluster = call.Arg<Cluster>());
    }

    /// <summary>
    /// The cluster's running control planes with their agents' reports; beside them a worker, a stopped control plane and
    /// another cluster's control plane, each reporting a generation the check must not read.
    /// </summary>
    private void Reports(params (string Id, string? Generation, string? Message)[] reports)
    {
        Dictionary<string, string> Tags(string name, string role, string? generation, string? message, string uid = TestCluster.Uid)
        {
            var tags = new Dictionary<string, string>(ResourceTags.For(_cluster with { Uid = uid }, name, role));
            if (generation is not null)
                tags[NodePhases.AgentGenerationTagKey] = generation;
            if (message is not null)
                tags[NodePhases.AgentMessageTagKey] = message;
            return tags;
        }
        foreach (var (id, generation, message) in reports)
            _cloud.Nodes.Seed(id, tags: Tags(id, SecurityGroupRoles.ControlPlane, generation, message));
        _cloud.Nodes.Seed("i-worker", tags: Tags("i-worker", SecurityGroupRoles.Node, "3", "failed: a worker reports nothing"));
        _cloud.Nodes.Seed("i-stopped", InstanceStates.Stopped, tags: Tags("i-stopped", SecurityGroupRoles.ControlPlane, "3", "failed: stopped"));
        _cloud.Nodes.Seed("i-theirs", tags: Tags("i-theirs", SecurityGroupRoles.ControlPlane, "3", "failed: theirs", "fedcba9876543210fedcba9876543210"));
    }

    private async Task<JsonObject> CheckAsync(int polls = 0)
    {
        var input = new JsonObject
        {
            ["tenant"] = "acme", ["project"] = "demo", ["cluster"] = "demo", ["uid"] = TestCluster.Uid,
            ["packs"] = new JsonObject { ["generation"] = 3 }, ["polls"] = new JsonObject { ["n"] = polls },
        }.ToJsonString();
        var output = await new PacksCheckStep(_runtime).Handle(new MemoryStream(Encoding.UTF8.GetBytes(input)));
        return JsonNode.Parse(output)!.AsObject();
    }

    private ClusterCondition Packs => _cluster.Conditions.Single(c => c.Type == PacksCheckStep.Condition);

    [Fact]
    public async Task A_control_plane_reporting_the_generation_applied_sets_PacksApplied_True_with_it()
    {
        Reports(("i-cp1", "2", "applied"), ("i-cp2", "3", "applied"));

        (await CheckAsync())["ready"]!.GetValue<bool>().Should().BeTrue();
        (Packs.Status, Packs.Reason).Should().Be(("True", "Applied"));
        Packs.Message.Should().Contain("generation 3");
    }

    [Fact]
    public async Task An_older_generation_or_no_report_is_not_yet_and_the_workflow_waits_the_agents_interval()
    {
        Reports(("i-cp1", "2", "applied"), ("i-cp2", null, null));

        var result = await CheckAsync();
        result["ready"]!.GetValue<bool>().Should().BeFalse();
        result["waitSeconds"]!.GetValue<int>().Should().Be(InClusterAgent.IntervalSeconds);
    }

    [Fact]
    public async Task A_failed_generation_fails_the_update_naming_the_pack_and_the_agents_error()
    {
        Reports(("i-cp1", "3", "failed: calico-3.27.0: error: unable to recognize"));

        var act = () => CheckAsync();
        (await act.Should().ThrowAsync<ProvisioningFailedException>()).Which.Message.Should().Contain("calico-3.27.0: error: unable to recognize");
        (Packs.Status, Packs.Reason).Should().Be(("False", "PackFailed"));
    }

    [Fact]
    public async Task No_report_within_the_bound_fails_the_update_saying_so()
    {
        Reports(("i-cp1", "2", "applied"));

        var act = () => CheckAsync(PacksCheckStep.MaxPolls);
        (await act.Should().ThrowAsync<ProvisioningFailedException>()).Which.Message.Should().Contain("did not report generation 3");
        (Packs.Status, Packs.Reason).Should().Be(("False", "AgentSilent"));
    }
}
