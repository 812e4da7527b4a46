using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using PaletteServerless.Local.Aws.Iam;
using PaletteServerless.Testing;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// The local stack enforces the CDK app's IAM: the product's own calls pass, and what a role does
/// not allow is refused as AWS refuses it. Each refusal these tests provoke is taken out of the
/// stack's list again (the shared fixture fails the run on any denial left).
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class IamEnforcementTests(LocalStackFixture stack)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task A_create_a_scale_out_and_a_delete_pass_with_no_denial_while_the_api_cannot_terminate_and_a_worker_cannot_read_the_ca()
    {
        var scenario = await Scenario.StartAsync(stack, "iam");
        var earlier = (await DenialsAsync()).Count;
        var uid = (await scenario.CreateAsync(Scenario.Cluster("iam")))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("iam", "Running", Timeout);
        var scale = new HttpRequestMessage(HttpMethod.Patch, "/v1/projects/iam/clusters/iam")
        {
            Content = LocalStackFixture.Json("""{"nodePools":[{"name":"cp","role":"control-plane","count":1,"instanceType":"m5.large","availabilityZones":["us-east-1a"]},{"name":"workers","role":"worker","count":2,"instanceType":"m5.large","availabilityZones":["us-east-1a"]}]}"""),
        };
        (await scenario.Api.SendAsync(scale)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await WaitForWorkersAsync(uid, 2);
        await scenario.WaitForStatusAsync("iam", "Running", Timeout);
        (await DenialsAsync()).Skip(earlier).Should().BeEmpty("the product's own calls are all allowed by the policies CDK synthesizes");

        var principals = await stack.PrincipalsAsync();
        var api = principals.Single(p => p.Name == "api");
        // A worker of this cluster (the shared stack runs other tests' clusters too).
        var nodes = (await stack.ResourcesOfAsync(uid)).Where(r => r["type"]!.GetValue<string>() == "ec2:instance").Select(r => r["id"]!.GetValue<string>()).ToHashSet();
        var worker = principals.First(p => p.Name == "worker-node" && p.InstanceId is { } id && nodes.Contains(id));
        var workerId = worker.InstanceId!;

        var terminate = await CliAsync(api, "ec2", "terminate-instances", "--instance-ids", workerId);
        terminate.ExitCode.Should().NotBe(0);
        terminate.StandardError.Should().Contain("UnauthorizedOperation").And.Contain("ec2:TerminateInstances");
        var encoded = terminate.StandardError[(terminate.StandardError.IndexOf("Encoded authorization failure message: ", StringComparison.Ordinal) + 39)..].Trim();
        var decoded = await AwsCliProcess.RunAsync(stack.Stack.Endpoint.ToString(), "000000000000", ["sts", "decode-authorization-message", "--encoded-message", encoded], 1, TimeSpan.FromSeconds(60));
        decoded.ExitCode.Should().Be(0, decoded.StandardError);
        var message = JsonNode.Parse(decoded.Json.GetProperty("DecodedMessage").GetString()!)!;
        message["allowed"]!.GetValue<bool>().Should().BeFalse();
        message["context"]!["action"]!.GetValue<string>().Should().Be("ec2:TerminateInstances");
        using (var ec2 = stack.Ec2())
            (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [workerId] })).Reservations.Single().Instances.Single()
                .State.Name.Value.Should().Be("running", "a refused terminate leaves the node running");

        var secrets = $"/palette-serverless/acme/{uid}";
        var ca = await CliAsync(worker, "ssm", "get-parameter", "--with-decryption", "--name", $"{secrets}/ca");
        ca.ExitCode.Should().NotBe(0);
        ca.StandardError.Should().Contain("AccessDeniedException");
        var token = await CliAsync(worker, "ssm", "get-parameter", "--with-decryption", "--name", $"{secrets}/join-token");
        token.ExitCode.Should().Be(0, token.StandardError);

        (await DenialsAsync()).Skip(earlier).Should().HaveCount(2, "the two refusals, and nothing else");
        var provoked = stack.Stack.LocalAws.Iam!.TakeDenials(d =>
            (d.Principal == "api" && d.Action == "ec2:TerminateInstances" && d.Resource.EndsWith("instance/" + workerId, StringComparison.Ordinal))
            || (d.Principal == "worker-node" && d.Action == "ssm:GetParameter" && d.Resource.EndsWith(secrets + "/ca", StringComparison.Ordinal)));
        provoked.Should().HaveCount(2, "the list names the principal, action and resource of both refused calls");

        (await scenario.DeleteAsync("iam")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("iam", "Deleted", Timeout);
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
        (await DenialsAsync()).Skip(earlier).Should().BeEmpty("the delete's calls are all allowed");
    }

    [Fact]
    public async Task Every_function_is_refused_what_its_role_does_not_allow()
    {
        // An instance the product does not own (no ownership tag): no function's role may terminate it.
        using var admin = stack.Ec2();
        var image = (await admin.DescribeImagesAsync(new DescribeImagesRequest())).Images.First().ImageId;
        var vpc = (await admin.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.99.0.0/16" })).Vpc.VpcId;
        var subnet = (await admin.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpc, CidrBlock = "10.99.0.0/24", AvailabilityZone = "us-east-1a" })).Subnet.SubnetId;
        var stranger = (await admin.RunInstancesAsync(new RunInstancesRequest { ImageId = image, InstanceType = InstanceType.T3Micro, MinCount = 1, MaxCount = 1, SubnetId = subnet }))
            .Reservation.Instances.Single().InstanceId;
        var functions = (await stack.PrincipalsAsync()).Where(p => p.InstanceId is null && p.Account == "000000000000" && !p.Name.Contains(':', StringComparison.Ordinal)
            && p.Name != PaletteServerless.Local.Iam.LocalIamSetup.ClusterBuilder).ToList();
        functions.Should().HaveCount(PaletteServerless.Manifest.FunctionCatalog.All.Count);

        foreach (var function in functions)
        {
            using var ec2 = new AmazonEC2Client(new SessionAWSCredentials(function.AccessKeyId, function.SecretAccessKey, function.SessionToken),
                new AmazonEC2Config { ServiceURL = stack.Stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
            var refused = await FluentActions.Awaiting(() => ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [stranger] }))
                .Should().ThrowAsync<AmazonEC2Exception>($"{function.Name} may terminate only what carries a cluster's ownership tag");
            refused.Which.ErrorCode.Should().Be("UnauthorizedOperation");
        }
        // Refused: still launching or running (it may not have reached running yet), never shutting down.
        (await admin.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [stranger] })).Reservations.Single().Instances.Single()
            .State.Name.Value.Should().BeOneOf("pending", "running");
        var denials = stack.Stack.LocalAws.Iam!.TakeDenials(d => d.Resource.EndsWith(stranger, StringComparison.Ordinal));
        denials.Select(d => d.Principal).Should().BeEquivalentTo(functions.Select(f => f.Name));
        await admin.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [stranger] });
    }

    [Fact]
    public async Task DynamoDB_and_Step_Functions_refuse_what_a_role_does_not_allow_in_their_own_wire_format()
    {
        var principals = await stack.PrincipalsAsync();
        var api = principals.Single(p => p.Name == "api");
        var markFailed = principals.Single(p => p.Name == "mark-failed");

        // The API reads and writes items but scans nothing (only the health sweep scans).
        var scan = await CliAsync(api, "dynamodb", "scan", "--table-name", PaletteServerless.Manifest.ProductTable.DefaultName);
        scan.ExitCode.Should().NotBe(0);
        scan.StandardError.Should().Contain("AccessDeniedException").And.Contain("dynamodb:Scan");
        // A step that only marks a cluster Failed starts no workflow.
        var start = await CliAsync(markFailed, "stepfunctions", "start-execution", "--state-machine-arn",
            stack.Stack.StateMachineArn(PaletteServerless.Manifest.StateMachineCatalog.Provision.Name), "--input", "{}");
        start.ExitCode.Should().NotBe(0);
        start.StandardError.Should().Contain("AccessDeniedException").And.Contain("states:StartExecution");

        stack.Stack.LocalAws.Iam!.TakeDenials(d => (d.Principal == "api" && d.Action == "dynamodb:Scan") || (d.Principal == "mark-failed" && d.Action == "states:StartExecution"))
            .Should().HaveCount(2);
    }

    [Fact]
    public async Task Without_the_statement_that_lets_the_cluster_builder_run_instances_a_create_fails_naming_the_denial()
    {
        var iam = stack.Stack.LocalAws.Iam!;
        // Every cluster-builder role of the stack (the product account's, and the target accounts' deployed so far).
        (await iam.RemoveStatementAsync(PaletteServerless.Local.Iam.LocalIamSetup.ClusterBuilder, "RunTaggedInstances", CancellationToken.None)).Should().BeGreaterThanOrEqualTo(1);
        try
        {
            var scenario = await Scenario.StartAsync(stack, "narrowed");
            await scenario.CreateAsync(Scenario.Cluster("narrowed"));
            var failed = await scenario.WaitForStatusAsync("narrowed", "Failed", Timeout);
            failed["statusReason"]!.GetValue<string>().Should().Contain("UnauthorizedOperation").And.Contain("ec2:RunInstances");
            var denials = iam.TakeDenials(d => d.Principal == PaletteServerless.Local.Iam.LocalIamSetup.ClusterBuilder);
            denials.Should().Contain(d => d.Action == "ec2:RunInstances" && d.Resource.Contains(":instance/", StringComparison.Ordinal));
            (await scenario.DeleteAsync("narrowed")).StatusCode.Should().Be(HttpStatusCode.Accepted);
            await scenario.WaitForStatusAsync("narrowed", "Deleted", Timeout);
        }
        finally
        {
            await iam.RestoreAsync(CancellationToken.None);
        }
        (await DenialsAsync()).Where(d => d.Principal == PaletteServerless.Local.Iam.LocalIamSetup.ClusterBuilder).Should().BeEmpty("the denials of the narrowed role were taken; the restored policy allows the rest");
    }

    private async Task WaitForWorkersAsync(string uid, int count)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while ((await stack.ResourcesOfAsync(uid)).Count(r => r["type"]!.GetValue<string>() == "ec2:instance" && r["state"]!.GetValue<string>() == "running") < count + 1)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the scale-out launches its worker");
            await Task.Delay(100);
        }
    }

    private Task<AwsCliResult> CliAsync(IamPrincipal principal, params string[] arguments) =>
        AwsCliProcess.RunAsync(stack.Stack.Endpoint.ToString(), principal.AccessKeyId, arguments, 1, TimeSpan.FromSeconds(60),
            principal.SecretAccessKey, principal.SessionToken);

    private async Task<List<IamDenial>> DenialsAsync()
    {
        using var http = new HttpClient { BaseAddress = stack.Stack.Endpoint };
        var body = await http.GetFromJsonAsync<JsonObject>("/local/iam/denials");
        return body!["denials"].Deserialize<List<IamDenial>>()!;
    }
}
