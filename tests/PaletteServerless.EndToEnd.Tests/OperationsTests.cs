using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Manifest;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>Issue 28 on the local stack: structured logs with the cluster's uid and no secret, metrics, and nothing lost between two writes.</summary>
[Collection(LocalStackCollection.Name)]
public sealed class OperationsTests(LocalStackFixture stack)
{
    private const string Account = "777788889999";
    private const string RoleArn = "arn:aws:iam::777788889999:role/palette-serverless/PaletteServerlessClusterBuilder";

    [Fact]
    public async Task A_create_writes_JSON_log_lines_with_the_clusters_uid_and_metrics_and_no_log_line_holds_a_secret()
    {
        var mark = stack.Logs.Count;
        // A cloud account with a role: its external id is a secret the logs must not carry.
        var scenario = new Scenario(stack, "observed");
        var externalId = await Scenario.RegisterRoleAsync(stack, scenario.Api, "observed", "main", RoleArn);
        (await scenario.Api.PostAsync("/v1/projects/observed/clusterprofiles", LocalStackFixture.Json(PaletteServerless.Local.Walkthrough.SampleProfile)))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        using (var ec2 = stack.Ec2(Account))
            await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "e2e-key" });

        var uid = (await scenario.CreateAsync(Scenario.Cluster("watched")))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("watched", "Running");
        var kubeconfig = JsonNode.Parse(await scenario.Api.GetStringAsync("/v1/projects/observed/clusters/watched/kubeconfig"))!["kubeconfig"]!.GetValue<string>();
        (await scenario.DeleteAsync("watched")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("watched", "Deleted");

        // The metric of a move is written just after the move, which the API may show first: wait for the last one.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!stack.Logs.Since(mark).Any(l => l.Contains(uid, StringComparison.Ordinal) && l.Contains(ProductMetrics.DeletesSucceeded, StringComparison.Ordinal))
            && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        var lines = stack.Logs.Since(mark);
        var ofCluster = lines.Where(l => l.Contains(uid, StringComparison.Ordinal)).ToList();
        ofCluster.Should().HaveCountGreaterThanOrEqualTo(10);
        foreach (var line in ofCluster)
        {
            var json = JsonNode.Parse(line)!.AsObject();
            json["timestamp"]!.GetValue<string>().Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$");
            json["level"]!.GetValue<string>().Should().BeOneOf("DEBUG", "INFO", "WARN", "ERROR");
            json["message"]!.GetValue<string>().Should().NotBeNullOrEmpty();
            json["clusterUid"]!.GetValue<string>().Should().Be(uid);
            json["tenant"]!.GetValue<string>().Should().Be("acme");
            json["project"]!.GetValue<string>().Should().Be("observed");
        }
        // The steps name themselves and their execution; the status moves carry their metrics (EMF).
        var parsed = ofCluster.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var steps = parsed.Where(j => j["step"]?.GetValue<string>().EndsWith("Step", StringComparison.Ordinal) == true).ToList();
        steps.Select(j => j["step"]!.GetValue<string>()).Should().Contain(["NetworkStep", "NodePoolsStep", "TeardownStep"]);
        steps.Should().OnlyContain(j => j["executionArn"] != null && j["executionArn"]!.GetValue<string>().Contains(":execution:"));
        var metrics = parsed.Where(j => j["_aws"] is not null).ToList();
        foreach (var name in new[] { ProductMetrics.CreatesStarted, ProductMetrics.CreatesSucceeded, ProductMetrics.CreateDuration, ProductMetrics.DeletesStarted, ProductMetrics.DeletesSucceeded })
            metrics.Should().Contain(j => j[name] != null && j["_aws"]!["CloudWatchMetrics"]![0]!["Namespace"]!.GetValue<string>() == ProductMetrics.Namespace, name);

        // No secret in any line written meanwhile: the cluster's secret parameters, the account's external id, the
        // kubeconfig's contents, the callers' bearer tokens and the functions' credentials.
        using var ssm = new AmazonSimpleSystemsManagementClient(new BasicAWSCredentials(Account, "e2e"),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = stack.Stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var all = string.Join("\n", lines);
        all.Should().NotContain("PRIVATE KEY").And.NotContain("client-key-data").And.NotContain("certificate-authority-data")
            .And.NotContain(externalId).And.NotContain(scenario.Api.DefaultRequestHeaders.Authorization!.Parameter!)
            .And.NotContainEquivalentOf("secretAccessKey").And.NotContainEquivalentOf("sessionToken").And.NotContain("local-secret");
        var keyData = kubeconfig.Split('\n').Select(l => l.Trim()).Where(l => l.Contains("-data:", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(':') + 1)..].Trim()).ToList();
        keyData.Should().NotBeEmpty("the kubeconfig carries its certificates and key inline");
        foreach (var data in keyData)
            all.Should().NotContain(data, "no part of the kubeconfig is logged");
        lines.Should().NotBeEmpty();
    }

    [Fact]
    public async Task A_cluster_stored_by_an_API_that_died_before_starting_its_workflow_is_brought_on_by_the_scheduled_check()
    {
        await Scenario.StartAsync(stack, "stranded");
        // What the API's create writes before it starts the workflow (the cluster, then its Created event), written
        // here as it would: the API then died, so no StartExecution followed. It died a minute ago.
        var cluster = StoredAsTheApiWould("stranded", "orphaned-start");
        await StoreAsync(cluster);

        // The scheduled check (every 5 modelled minutes) starts its workflow: Pending -> Provisioning, and on to Running.
        var scenario = new Scenario(stack, "stranded");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        JsonObject seen;
        do
        {
            seen = await scenario.GetAsync("orphaned-start");
            await Task.Delay(100);
        }
        while (seen["status"]!.GetValue<string>() == ClusterStatus.Pending && DateTime.UtcNow < deadline);
        seen["status"]!.GetValue<string>().Should().BeOneOf(ClusterStatus.Provisioning, ClusterStatus.Running, ClusterStatus.Failed);
        var events = await scenario.EventsAsync("orphaned-start");
        events.Should().Contain(e => e!["reason"]!.GetValue<string>() == "WorkflowStarted"
            && e["message"]!.GetValue<string>().Contains("scheduled check", StringComparison.Ordinal));
        var running = await scenario.WaitForStatusAsync("orphaned-start", ClusterStatus.Running);
        running["status"]!.GetValue<string>().Should().Be(ClusterStatus.Running, "the workflow the check started is the one the API would have started");

        (await scenario.DeleteAsync("orphaned-start")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("orphaned-start", ClusterStatus.Deleted);
        (await stack.ResourcesOfAsync(cluster.Uid)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_Pending_cluster_whose_workflow_ended_without_moving_it_is_marked_Failed_naming_how_it_ended()
    {
        await Scenario.StartAsync(stack, "ended");
        var cluster = StoredAsTheApiWould("ended", "never-moved");
        // Its provisioning execution, under the name the API gives it, ran and ended before the cluster was stored
        // (it found no cluster and stopped): the cluster then waits for a workflow that will never move it.
        using var stepFunctions = new PaletteServerless.Aws.Clients.StepFunctionsClient(new PaletteServerless.Aws.Clients.AwsClientOptions("us-east-1")
        {
            Endpoint = stack.Stack.Endpoint, Credentials = new BasicAWSCredentials("000000000000", "e2e"),
        });
        var machine = stack.Stack.StateMachineArn(StateMachineCatalog.Provision.Name);
        var name = PaletteServerless.Aws.Workflows.StepFunctionsWorkflowStarter.ExecutionName("provision", cluster);
        var arn = PaletteServerless.Aws.Workflows.StepFunctionsWorkflowStarter.ExecutionArn(machine, name);
        await stepFunctions.StartExecutionAsync(machine, name, PaletteServerless.Aws.Workflows.StepFunctionsWorkflowStarter.Input(cluster, arn));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await stepFunctions.DescribeExecutionAsync(arn)).Status == "RUNNING" && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        (await stepFunctions.DescribeExecutionAsync(arn)).Status.Should().NotBe("RUNNING");
        await StoreAsync(cluster);

        var scenario = new Scenario(stack, "ended");
        var failed = await scenario.WaitForStatusAsync("never-moved", ClusterStatus.Failed);
        failed["statusReason"]!.GetValue<string>().Should().Contain("provisioning workflow ended SUCCEEDED").And.Contain("scheduled check");
        (await scenario.DeleteAsync("never-moved")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("never-moved", ClusterStatus.Deleted);
    }

    /// <summary>The cluster the API's create writes before it starts the workflow; it was created a minute ago.</summary>
    private static Cluster StoredAsTheApiWould(string project, string name)
    {
        var spec = ClusterSpecValidator.Validate(JsonSerializer.Deserialize<ClusterSpec>(Scenario.Cluster(name), new JsonSerializerOptions(JsonSerializerDefaults.Web))!);
        var at = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        return new Cluster
        {
            Scope = new ProjectScope("acme", project), Uid = Guid.NewGuid().ToString("N"), Spec = spec, Status = ClusterStatus.Pending,
            StatusReason = "waiting for the provisioning workflow to start", CreatedAt = at, UpdatedAt = at, Version = 1, Generation = 1,
        };
    }

    /// <summary>Writes what the API's create writes before the start: the cluster, then its Created event.</summary>
    private async Task StoreAsync(Cluster cluster)
    {
        using var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("000000000000", "e2e"),
            new AmazonDynamoDBConfig { ServiceURL = stack.Stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        IClusterStore store = new DynamoDbStore(dynamo, TableSchema.DefaultTableName, TimeProvider.System);
        await store.CreateAsync(cluster, default);
        await store.AddEventAsync(cluster, new ClusterEvent
        {
            Id = Guid.NewGuid().ToString("N"), At = cluster.CreatedAt, Type = "Normal", Reason = "Created", Message = $"cluster {cluster.Name} accepted by e2e",
        }, default);
    }
}
