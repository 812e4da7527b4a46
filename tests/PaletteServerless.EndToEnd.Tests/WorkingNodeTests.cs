using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// Black-box checks, with the real AWS CLI against the local stack, that what a create launches would make a
/// working cluster on AWS: user data within EC2's 16 KiB with containerd on the systemd cgroup driver, the cloud
/// controller manager installed by the first control plane, IMDSv2 only, a role per node kind, the CNI's
/// protocols admitted between the cluster's groups, the OS pack's image; and that taking a CNI rule away with
/// the AWS CLI makes the next node that needs it fail, named.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class WorkingNodeTests(LocalStackFixture stack)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task A_calico_cluster_launches_nodes_that_would_work_on_AWS()
    {
        var scenario = await Scenario.StartAsync(stack, "works-calico");
        var uid = (await scenario.CreateAsync(Scenario.Cluster("calico-works")))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("calico-works", "Running", Timeout);

        var instances = await InstancesAsync(uid);
        instances.Should().HaveCount(2);
        foreach (var instance in instances)
        {
            var id = instance.GetProperty("InstanceId").GetString()!;
            var userData = await UserDataAsync(id);
            userData.Should().Contain("SystemdCgroup = true");
            var metadata = instance.GetProperty("MetadataOptions");
            metadata.GetProperty("HttpTokens").GetString().Should().Be("required");
            metadata.GetProperty("HttpPutResponseHopLimit").GetInt32().Should().BeLessThanOrEqualTo(2);
        }
        var controlPlane = instances.Single(i => Tag(i, "sigs.k8s.io/cluster-api-provider-aws/role") == "controlplane");
        var worker = instances.Single(i => Tag(i, "sigs.k8s.io/cluster-api-provider-aws/role") == "node");
        (await UserDataAsync(controlPlane.GetProperty("InstanceId").GetString()!)).Should().Contain("aws-cloud-controller-manager");
        Profile(controlPlane).Should().NotBe(Profile(worker), "control planes and workers run with different instance profiles");

        var groups = await GroupsAsync(uid);
        foreach (var role in new[] { "controlplane", "node" })
        {
            var rules = groups[role];
            Admits(rules, "tcp", 179, groups).Should().BeTrue($"calico BGP reaches the {role} group from the cluster's groups");
            Admits(rules, "4", null, groups).Should().BeTrue($"calico IP-in-IP reaches the {role} group from the cluster's groups");
        }

        (await scenario.DeleteAsync("calico-works")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("calico-works", "Deleted", Timeout);
    }

    [Fact]
    public async Task A_cilium_cluster_on_Ubuntu_24_04_admits_cilium_and_boots_noble()
    {
        var scenario = await Scenario.StartAsync(stack, "works-cilium");
        var profile = """
            {"name":"noble-cilium","version":"1.0.0","packs":[
              {"layer":"os","name":"ubuntu","version":"24.04","values":""},
              {"layer":"k8s","name":"kubernetes","version":"1.30.4","values":"podCIDR: 192.168.0.0/16"},
              {"layer":"cni","name":"cilium","version":"1.15.6","values":""},
              {"layer":"csi","name":"aws-ebs-csi","version":"1.30.0","values":""}]}
            """;
        (await scenario.Api.PostAsync("/v1/projects/works-cilium/clusterprofiles", LocalStackFixture.Json(profile))).StatusCode.Should().Be(HttpStatusCode.Created);
        var uid = (await scenario.CreateAsync(Scenario.Cluster("cilium-works").Replace("\"name\":\"ubuntu-k8s\"", "\"name\":\"noble-cilium\"", StringComparison.Ordinal)))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("cilium-works", "Running", Timeout);

        var groups = await GroupsAsync(uid);
        foreach (var role in new[] { "controlplane", "node" })
        {
            Admits(groups[role], "udp", 8472, groups).Should().BeTrue($"cilium VXLAN reaches the {role} group");
            Admits(groups[role], "tcp", 4240, groups).Should().BeTrue($"cilium health checks reach the {role} group");
        }
        foreach (var instance in await InstancesAsync(uid))
        {
            var image = await AwsAsync("ec2", "describe-images", "--image-ids", instance.GetProperty("ImageId").GetString()!);
            image.GetProperty("Images")[0].GetProperty("Name").GetString().Should().Contain("ubuntu-noble-24.04");
        }

        (await scenario.DeleteAsync("cilium-works")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("cilium-works", "Deleted", Timeout);
    }

    [Fact]
    public async Task After_the_CNI_rules_are_revoked_a_scale_out_does_not_report_success_and_names_the_blocked_protocol()
    {
        var scenario = await Scenario.StartAsync(stack, "revoked");
        var uid = (await scenario.CreateAsync(Scenario.Cluster("revoked")))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("revoked", "Running", Timeout);

        // Take calico's BGP and IP-in-IP away from the node group, with the AWS CLI, as an operator might.
        var nodeGroup = (await GroupsAsync(uid))["node"];
        foreach (var rule in nodeGroup.Permissions.Where(p => p.Protocol == "4" || (p.Protocol == "tcp" && p.From == 179)))
            await AwsAsync("ec2", "revoke-security-group-ingress", "--group-id", nodeGroup.Id, "--ip-permissions", rule.Json);

        var cluster = await scenario.GetAsync("revoked");
        var pools = cluster["nodePools"]!.AsArray();
        pools.Single(p => p!["name"]!.GetValue<string>() == "workers")!["count"] = 2;
        var response = await scenario.Api.PatchAsync("/v1/projects/revoked/clusters/revoked",
            new StringContent(new JsonObject { ["nodePools"] = pools.DeepClone() }.ToJsonString(), Encoding.UTF8, "application/merge-patch+json"));
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());

        var deadline = DateTime.UtcNow + Timeout;
        JsonObject current;
        string? message;
        do
        {
            await Task.Delay(200);
            current = await scenario.GetAsync("revoked");
            message = current["conditions"]!.AsArray().Select(c => c!.AsObject())
                .FirstOrDefault(c => c["type"]!.GetValue<string>() == "Updated" && c["reason"]!.GetValue<string>() == "UpdateFailed")?["message"]?.GetValue<string>();
        }
        while (message is null && DateTime.UtcNow < deadline);
        message.Should().NotBeNull("the scale-out must not report success ({0})", current.ToJsonString());
        message.Should().Contain("pod network").And.Contain("calico");
        var events = await scenario.EventsAsync("revoked");
        events.Select(e => e!.ToJsonString()).Should().Contain(e => e.Contains("pod network", StringComparison.Ordinal));

        (await scenario.DeleteAsync("revoked")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("revoked", "Deleted", Timeout);
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
    }

    private sealed record Permission(string Protocol, int? From, int? To, IReadOnlyList<string> SourceGroups, string Json);

    private sealed record Group(string Id, IReadOnlyList<Permission> Permissions);

    /// <summary>The cluster's security groups by role, each with its ingress permissions as the AWS CLI shows them.</summary>
    private async Task<Dictionary<string, Group>> GroupsAsync(string uid)
    {
        var described = await AwsAsync("ec2", "describe-security-groups", "--filters", $"Name=tag:palette.serverless/cluster-uid,Values={uid}");
        var groups = new Dictionary<string, Group>();
        foreach (var group in described.GetProperty("SecurityGroups").EnumerateArray())
        {
            var role = Tag(group, "sigs.k8s.io/cluster-api-provider-aws/role") ?? "";
            var permissions = group.GetProperty("IpPermissions").EnumerateArray().Select(p => new Permission(
                p.GetProperty("IpProtocol").GetString()!,
                p.TryGetProperty("FromPort", out var from) ? from.GetInt32() : null,
                p.TryGetProperty("ToPort", out var to) ? to.GetInt32() : null,
                p.TryGetProperty("UserIdGroupPairs", out var pairs) ? [.. pairs.EnumerateArray().Select(g => g.GetProperty("GroupId").GetString()!)] : [],
                "[" + p.GetRawText() + "]")).ToList();
            groups[role] = new Group(group.GetProperty("GroupId").GetString()!, permissions);
        }
        return groups;
    }

    /// <summary>Whether the group admits the protocol (and port) from both the control-plane and the node group.</summary>
    private static bool Admits(Group group, string protocol, int? port, Dictionary<string, Group> groups) =>
        new[] { groups["controlplane"].Id, groups["node"].Id }.All(source => group.Permissions.Any(p =>
            (p.Protocol == protocol || p.Protocol == "-1")
            && (port is null || p.Protocol == "-1" || (p.From <= port && p.To >= port))
            && p.SourceGroups.Contains(source)));

    private async Task<List<JsonElement>> InstancesAsync(string uid)
    {
        var described = await AwsAsync("ec2", "describe-instances", "--filters", $"Name=tag:palette.serverless/cluster-uid,Values={uid}", "Name=instance-state-name,Values=running");
        return [.. described.GetProperty("Reservations").EnumerateArray().SelectMany(r => r.GetProperty("Instances").EnumerateArray())];
    }

    private async Task<string> UserDataAsync(string instanceId)
    {
        var attribute = await AwsAsync("ec2", "describe-instance-attribute", "--instance-id", instanceId, "--attribute", "userData");
        var encoded = attribute.GetProperty("UserData").GetProperty("Value").GetString()!;
        Convert.FromBase64String(encoded).Length.Should().BeLessThanOrEqualTo(16 * 1024, "EC2 refuses user data over 16 KiB");
        return PaletteServerless.Local.Aws.Ec2.UserDataDocument.Text(encoded);
    }

    private static string? Tag(JsonElement resource, string key) =>
        resource.TryGetProperty("Tags", out var tags) ? tags.EnumerateArray().Where(t => t.GetProperty("Key").GetString() == key).Select(t => t.GetProperty("Value").GetString()).FirstOrDefault() : null;

    private static string Profile(JsonElement instance) => instance.GetProperty("IamInstanceProfile").GetProperty("Arn").GetString()!;

    private Task<JsonElement> AwsAsync(params string[] arguments) => AwsCli.RunAsync(stack.Stack.Endpoint, arguments);
}
