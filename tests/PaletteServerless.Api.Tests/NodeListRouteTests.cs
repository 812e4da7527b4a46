using PaletteServerless.Testing;
using System.Text.Json.Nodes;
using PaletteServerless.Api.Tests.Support;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Api.Tests;

/// <summary>GET .../nodepools: each pool's nodes, from the recorded inventory as EC2 describes it, or the record alone when EC2 cannot be read.</summary>
public class NodeListRouteTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private const string Project = "nodes";
    private readonly ApiHarness _api = new(fixture);

    private static readonly DateTimeOffset Launched = new(2026, 11, 24, 1, 5, 0, TimeSpan.Zero);

    private async Task<Cluster> RunningWithNodesAsync(string name)
    {
        await _api.SeedProjectAsync(Project);
        var cluster = await _api.RunningClusterAsync(Project, name);
        await RecordAsync(cluster, "i-0cp000000000000a1", $"{name}-control-plane-0", "us-east-1a", "control-plane", NodePoolRoles.ControlPlane);
        await RecordAsync(cluster, "i-0wk000000000000b2", $"{name}-workers-1", "us-east-1b", "workers", NodePoolRoles.Worker);
        await RecordAsync(cluster, "i-0wk000000000000b1", $"{name}-workers-0", "us-east-1a", "workers", NodePoolRoles.Worker);
        // Not a node: no pool attribute, never listed.
        await _api.Inventory.RecordAsync(cluster, new InventoryItem { Kind = ResourceKinds.Vpc, Id = "vpc-0123", RecordedAt = Launched }, CancellationToken.None);
        return cluster;
    }

    private Task RecordAsync(Cluster cluster, string id, string name, string zone, string pool, string role) =>
        _api.Inventory.RecordAsync(cluster, new InventoryItem
        {
            Kind = ResourceKinds.Instance, Id = id, Name = name, AvailabilityZone = zone, Role = role,
            Attributes = new() { ["role"] = role, ["pool"] = pool, [NodeReadiness.ReportsPhasesAttribute] = "true" },
            RecordedAt = Launched,
        }, CancellationToken.None);

    private async Task<JsonObject> ListAsync(string name)
    {
        var response = await _api.SendAsync(ApiCall.Get($"/v1/projects/{Project}/clusters/{name}/nodepools").By(_api.As("project-viewer:" + Project)));
        response.Status.Should().Be(200, response.ToString());
        return response.Body!.AsObject();
    }

    private static JsonArray NodesOf(JsonObject body, string pool) =>
        body["nodes"]!["pools"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == pool)!["nodes"]!.AsArray();

    [Fact]
    public async Task A_node_that_reported_a_failure_is_listed_with_what_failed()
    {
        await RunningWithNodesAsync("failing");
        const string Reason = "pod network: calico agent not ready: BGP tcp/179 blocked from 10.10.1.10 (failing-control-plane-0)";
        _api.Instances.Instances.AddRange(
        [
            new("i-0cp000000000000a1", "us-east-1a", "m5.large", "on-demand", "running", NodePhases.PacksApplied, Launched, "10.10.1.10"),
            new("i-0wk000000000000b1", "us-east-1a", "m5.xlarge", "spot", "running", NodePhases.Failed, Launched.AddSeconds(1), "10.10.1.20", Reason),
        ]);

        var failed = NodesOf(await ListAsync("failing"), "workers").Single(n => n!["instanceId"]!.GetValue<string>() == "i-0wk000000000000b1")!;

        failed["phase"]!.GetValue<string>().Should().Be("Failed");
        failed["phaseMessage"]!.GetValue<string>().Should().Be(Reason);
        var phases = Endpoints.OpenApiDocument.Load()["components"]!["schemas"]!["ClusterNode"]!["properties"]!["phase"]!["enum"]!.AsArray();
        phases.Select(p => p?.GetValue<string>()).Should().Contain(NodePhases.Failed, "the document names every phase a node reports");
    }

    [Fact]
    public async Task Each_pool_lists_its_nodes_as_EC2_describes_them_in_one_call()
    {
        await RunningWithNodesAsync("live");
        _api.Instances.Instances.AddRange(
        [
            new("i-0cp000000000000a1", "us-east-1a", "m5.large", "on-demand", "running", NodePhases.PacksApplied, Launched, "10.10.1.10"),
            new("i-0wk000000000000b1", "us-east-1a", "m5.xlarge", "spot", "running", NodePhases.Ready, Launched.AddSeconds(1), "10.10.1.20"),
            new("i-0wk000000000000b2", "us-east-1b", "m5.xlarge", "spot", "pending", null, Launched.AddSeconds(2), null),
        ]);

        var body = await ListAsync("live");

        // The specs stay as PUT takes them back: no nodes inside an item.
        body["items"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).Should().Equal("control-plane", "workers");
        body["items"]!.AsArray().Should().OnlyContain(p => p!["nodes"] == null);
        body["nodes"]!["source"]!.GetValue<string>().Should().Be("ec2");
        body["nodes"]!["warning"].Should().BeNull();
        body["nodes"]!["pools"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).Should().Equal("control-plane", "workers");
        var workers = NodesOf(body, "workers");
        workers.Select(n => n!["instanceId"]!.GetValue<string>()).Should().Equal("i-0wk000000000000b1", "i-0wk000000000000b2");
        var first = workers[0]!;
        first["name"]!.GetValue<string>().Should().Be("live-workers-0");
        first["zone"]!.GetValue<string>().Should().Be("us-east-1a");
        first["instanceType"]!.GetValue<string>().Should().Be("m5.xlarge");
        first["capacityType"]!.GetValue<string>().Should().Be("spot");
        first["state"]!.GetValue<string>().Should().Be("running");
        first["phase"]!.GetValue<string>().Should().Be("Ready");
        first["privateIp"]!.GetValue<string>().Should().Be("10.10.1.20");
        DateTimeOffset.Parse(first["launchTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).Should().Be(Launched.AddSeconds(1));
        // Every field is present; what EC2 does not know yet is null.
        var pending = workers[1]!.AsObject();
        pending["state"]!.GetValue<string>().Should().Be("pending");
        pending.ContainsKey("phase").Should().BeTrue();
        pending["phase"].Should().BeNull();
        pending["privateIp"].Should().BeNull();
        NodesOf(body, "control-plane").Single()!["phase"]!.GetValue<string>().Should().Be("PacksApplied");
        first.AsObject().ContainsKey("phaseMessage").Should().BeTrue("a node that reported no failure has a null message");
        first["phaseMessage"].Should().BeNull();

        // openapi.json names exactly these fields.
        var schemas = Endpoints.OpenApiDocument.Load()["components"]!["schemas"]!;
        IEnumerable<string> Documented(string schema) => schemas[schema]!["properties"]!.AsObject().Select(p => p.Key);
        body.Select(p => p.Key).Should().BeEquivalentTo(Documented("NodePoolList"));
        body["nodes"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(Documented("NodeListing"));
        body["nodes"]!["pools"]![0]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(Documented("PoolNodes"));
        pending.Select(p => p.Key).Should().BeEquivalentTo(Documented("ClusterNode"));

        _api.Instances.Calls.Should().ContainSingle();
        _api.Instances.Calls.Single().Account.Should().Be("prod");
        _api.Instances.Calls.Single().InstanceIds.Should().BeEquivalentTo(["i-0cp000000000000a1", "i-0wk000000000000b1", "i-0wk000000000000b2"]);
    }

    [Fact]
    public async Task When_EC2_cannot_be_read_the_answer_is_the_record_and_says_why_never_a_500()
    {
        await RunningWithNodesAsync("refused");
        _api.Instances.Error = "EC2 could not be read in us-east-1 through cloud account 'prod' (UnauthorizedOperation): denied";

        var body = await ListAsync("refused");

        body["nodes"]!["source"]!.GetValue<string>().Should().Be("inventory");
        body["nodes"]!["warning"]!.GetValue<string>().Should().Contain("UnauthorizedOperation");
        var workers = NodesOf(body, "workers");
        workers.Select(n => n!["instanceId"]!.GetValue<string>()).Should().BeEquivalentTo(["i-0wk000000000000b1", "i-0wk000000000000b2"]);
        workers.Single(n => n!["instanceId"]!.GetValue<string>() == "i-0wk000000000000b2")!["zone"]!.GetValue<string>().Should().Be("us-east-1b");
        workers.Should().OnlyContain(n => n!["state"] == null && n["phase"] == null && n["instanceType"] == null);
    }

    [Fact]
    public async Task A_cluster_without_instances_lists_empty_pools_without_asking_EC2()
    {
        await _api.SeedProjectAsync(Project);
        await _api.CreateClusterAsync(Project, "fresh");

        var body = await ListAsync("fresh");

        body["nodes"]!["source"]!.GetValue<string>().Should().Be("inventory");
        body["nodes"]!["warning"].Should().BeNull();
        body["nodes"]!["pools"]!.AsArray().Should().HaveCount(2).And.OnlyContain(p => p!["nodes"]!.AsArray().Count == 0);
        _api.Instances.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task Another_tenants_cluster_and_an_unknown_one_are_not_found()
    {
        await RunningWithNodesAsync("private");
        var other = await _api.SendAsync(ApiCall.Get($"/v1/projects/{Project}/clusters/private/nodepools").By(_api.As("project-viewer:" + Project, tenant: "someone-else")));
        other.Status.Should().Be(404);
        var unknown = await _api.SendAsync(ApiCall.Get($"/v1/projects/{Project}/clusters/nope/nodepools").By(_api.Admin));
        unknown.Status.Should().Be(404);
        _api.Instances.Calls.Should().BeEmpty();
    }
}
