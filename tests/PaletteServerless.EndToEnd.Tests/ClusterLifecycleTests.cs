using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.EC2.Model;
using PaletteServerless.Local.Aws.Ec2;

namespace PaletteServerless.EndToEnd.Tests;

[Collection(LocalStackCollection.Name)]
public sealed class ClusterLifecycleTests(LocalStackFixture stack)
{
    [Fact]
    public async Task A_dynamic_three_zone_cluster_runs_with_exactly_its_resources_and_its_delete_leaves_nothing()
    {
        var scenario = await Scenario.StartAsync(stack, "lifecycle");
        var spot = """,{"name":"spot","role":"worker","count":2,"instanceType":"t3.large","availabilityZones":["us-east-1a","us-east-1b"],"capacityType":"spot","maxSpotPrice":0.05,"labels":{"tier":"batch"},"taints":[{"key":"dedicated","value":"batch","effect":"NoSchedule"}]}""";
        var created = await scenario.CreateAsync(Scenario.Cluster("three-zones", """["us-east-1a","us-east-1b","us-east-1c"]""", extraPools: spot));
        var uid = created["uid"]!.GetValue<string>();

        var running = await scenario.WaitForStatusAsync("three-zones", "Running");

        running["conditions"]!.AsArray().Where(c => c!["status"]!.GetValue<string>() == "True").Select(c => c!["type"]!.GetValue<string>())
            .Should().Contain(["VpcReady", "SubnetsReady", "InternetGatewayReady", "NatGatewaysReady", "RouteTablesReady", "SecurityGroupsReady", "LoadBalancerReady", "NodePoolsReady"]);
        var resources = await stack.ResourcesOfAsync(uid);
        var counts = resources.GroupBy(r => r["type"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());
        counts.Should().BeEquivalentTo(new Dictionary<string, int>
        {
            ["ec2:vpc"] = 1,
            ["ec2:subnet"] = 6,
            ["ec2:internet-gateway"] = 1,
            ["ec2:elastic-ip"] = 3,
            ["ec2:natgateway"] = 3,
            ["ec2:route-table"] = 4, // public, and one private per zone
            ["ec2:security-group"] = 3,
            ["ec2:instance"] = 4, // control plane 1, workers 1, spot 2
            ["ec2:volume"] = 4,
            ["elasticloadbalancing:loadbalancer"] = 1,
            ["elasticloadbalancing:targetgroup"] = 1,
            ["elasticloadbalancing:listener"] = 1,
            ["ssm:parameter"] = 4, // the CA, the certificate key, the join token; the desired in-cluster state
        });
        resources.Should().OnlyContain(r => r["tags"]!["team"]!.GetValue<string>() == "e2e", "the cluster's tags propagate to everything it creates");

        using var ec2 = stack.Ec2();
        var instances = (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
        {
            Filters = [new Filter("tag:palette.serverless/cluster-uid", [uid])],
        })).Reservations.SelectMany(r => r.Instances).ToList();
        instances.Where(i => i.InstanceLifecycle == Amazon.EC2.InstanceLifecycleType.Spot).Should().HaveCount(2);
        instances.Select(i => i.Placement.AvailabilityZone).Distinct().Should().HaveCountGreaterThan(1, "a pool's instances spread over its zones");
        var spotUserData = UserDataOf(instances.First(i => i.InstanceLifecycle == Amazon.EC2.InstanceLifecycleType.Spot).InstanceId);
        spotUserData.Should().Contain("kubeadm join").And.Contain("key: dedicated").And.Contain("effect: NoSchedule").And.Contain("tier=batch");
        UserDataOf(instances.First(i => i.Tags.Any(t => t.Key == "Name" && t.Value == "three-zones-cp-0")).InstanceId)
            .Should().Contain("kubeadm init").And.Contain("kubernetesVersion: v1.30.4");

        (await scenario.DeleteAsync("three-zones")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("three-zones", "Deleted");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty("the delete removes everything the cluster owned");
        (await scenario.Api.GetFromJsonAsync<JsonObject>($"/v1/projects/lifecycle/clusters"))!["items"]!.AsArray()
            .Should().NotContain(c => c!["name"]!.GetValue<string>() == "three-zones", "a Deleted cluster leaves the default list");

        // The bus event follows the table's write: it may land a moment after the API shows the status.
        var statuses = (await stack.StatusEventsAsync(uid, "Deleted")).Distinct().ToList();
        statuses.Should().ContainInOrder("Pending", "Provisioning", "Running", "Deleting", "Deleted");
    }

    [Fact]
    public async Task Preflight_failures_end_Failed_with_every_reason_and_nothing_created()
    {
        var scenario = await Scenario.StartAsync(stack, "preflight");
        var gpu = """,{"name":"gpu","role":"worker","count":1,"instanceType":"g4dn.xlarge","availabilityZones":["us-east-1f"]}""";
        var created = await scenario.CreateAsync(Scenario.Cluster("no-key", extraPools: gpu).Replace("e2e-key", "missing-key"));

        var failed = await scenario.WaitForStatusAsync("no-key", "Failed");

        var reason = failed["statusReason"]!.GetValue<string>();
        reason.Should().Contain("missing-key").And.Contain("g4dn.xlarge is not offered in us-east-1f");
        (await stack.ResourcesOfAsync(created["uid"]!.GetValue<string>())).Should().BeEmpty();
        (await scenario.EventsAsync("no-key")).Select(e => e!["reason"]!.GetValue<string>()).Should().Contain("Failed");
    }

    [Fact]
    public async Task The_Elastic_IP_quota_is_checked_before_anything_is_created()
    {
        var scenario = await Scenario.StartAsync(stack, "quota", region: "eu-west-1");
        using var ec2 = stack.Ec2(region: "eu-west-1");
        var held = new List<string>();
        for (var i = 0; i < 4; i++)
            held.Add((await ec2.AllocateAddressAsync(new AllocateAddressRequest { Domain = Amazon.EC2.DomainType.Vpc })).AllocationId);
        try
        {
            var created = await scenario.CreateAsync(Scenario.Cluster("eip-hungry", """["eu-west-1a","eu-west-1b"]""", region: "eu-west-1"));
            var failed = await scenario.WaitForStatusAsync("eip-hungry", "Failed");
            failed["statusReason"]!.GetValue<string>().Should().Contain("AddressLimitExceeded");
            (await stack.ResourcesOfAsync(created["uid"]!.GetValue<string>())).Should().BeEmpty();
        }
        finally
        {
            foreach (var allocation in held)
                await ec2.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = allocation });
        }
    }

    [Fact]
    public async Task A_cluster_deleted_while_provisioning_ends_Deleted_with_nothing_left()
    {
        var scenario = await Scenario.StartAsync(stack, "early-delete");
        var created = await scenario.CreateAsync(Scenario.Cluster("short-lived"));
        await scenario.WaitForStatusAsync("short-lived", "Provisioning");

        (await scenario.DeleteAsync("short-lived")).StatusCode.Should().Be(HttpStatusCode.Accepted);

        await scenario.WaitForStatusAsync("short-lived", "Deleted");
        await Task.Delay(500); // a step that was in flight when provisioning stopped has finished by now
        (await stack.ResourcesOfAsync(created["uid"]!.GetValue<string>())).Should().BeEmpty();
    }

    [Fact]
    public async Task A_cross_account_cluster_lands_in_the_cloud_accounts_own_account()
    {
        const string other = "111122223333";
        var scenario = await Scenario.StartAsync(stack, "cross-account", roleArn: $"arn:aws:iam::{other}:role/palette-serverless/PaletteServerlessClusterBuilder", account: other);
        var created = await scenario.CreateAsync(Scenario.Cluster("elsewhere"));

        await scenario.WaitForStatusAsync("elsewhere", "Running");

        var resources = await stack.ResourcesOfAsync(created["uid"]!.GetValue<string>());
        resources.Should().NotBeEmpty().And.OnlyContain(r => r["account"]!.GetValue<string>() == other);
        (await scenario.DeleteAsync("elsewhere")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("elsewhere", "Deleted");
        (await stack.ResourcesOfAsync(created["uid"]!.GetValue<string>())).Should().BeEmpty();
    }

    [Fact]
    public async Task A_step_run_twice_adopts_what_it_created_instead_of_creating_it_again()
    {
        var scenario = await Scenario.StartAsync(stack, "twice");
        var created = await scenario.CreateAsync(Scenario.Cluster("repeated"));
        await scenario.WaitForStatusAsync("repeated", "Running");
        var uid = created["uid"]!.GetValue<string>();
        var before = (await stack.ResourcesOfAsync(uid)).Select(r => r["id"]!.GetValue<string>()).Order().ToList();

        var input = $$"""{"tenant":"acme","project":"twice","cluster":"repeated","uid":"{{uid}}"}""";
        foreach (var step in new[] { "network", "natgateways", "nodepools" })
            await stack.Stack.Functions.InvokeAsync($"palette-{step}", input, CancellationToken.None);

        (await stack.ResourcesOfAsync(uid)).Select(r => r["id"]!.GetValue<string>()).Order().Should().Equal(before);
        (await scenario.DeleteAsync("repeated")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("repeated", "Deleted");
    }

    private string UserDataOf(string instanceId)
    {
        var instance = stack.Stack.LocalAws.Store.Worlds.SelectMany(w => w.ResourcesById.Values).OfType<PaletteServerless.Local.Aws.Ec2.Instance>().Single(i => i.Id == instanceId);
        return PaletteServerless.Local.Aws.Ec2.UserDataDocument.Text(instance.UserData!);
    }
}
