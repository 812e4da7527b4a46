using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Api;
using PaletteServerless.Local.StepFunctions.Language;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>
/// The real AWS CLI and the product's own Step Functions client against a tiny loopback host that
/// forwards to <see cref="StepFunctionsApi"/>, as the edge endpoint will.
/// </summary>
public sealed partial class AwsCliTests : IAsyncLifetime
{
    private readonly EngineHarness _harness = new();
    private WebApplication? _host;
    private string _endpoint = "";

    [GeneratedRegex(@"Credential=([^/]+)/\d{8}/([^/]+)/")]
    private static partial Regex CredentialScope();

    public async Task InitializeAsync()
    {
        var api = new StepFunctionsApi(_harness.Engine);
        var builder = WebApplication.CreateSlimBuilder();
        // Port 0: Kestrel takes a free port at its bind; the endpoint is read back once it listens.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _host = builder.Build();
        _host.MapPost("/", async (HttpContext context) =>
        {
            // Same rules as the edge: a 12-digit access key id is the account, any other key is 000000000000.
            var scope = CredentialScope().Match(context.Request.Headers.Authorization.ToString());
            var accessKey = scope.Success ? scope.Groups[1].Value : "";
            var account = Regex.IsMatch(accessKey, "^[0-9]{12}$") ? accessKey : "000000000000";
            var region = scope.Success ? scope.Groups[2].Value : "us-east-1";
            using var reader = new StreamReader(context.Request.Body);
            var (status, body) = await api.HandleAsync(account, region, context.Request.Headers["X-Amz-Target"].ToString(), await reader.ReadToEndAsync(), context.RequestAborted);
            context.Response.StatusCode = status;
            context.Response.ContentType = StepFunctionsApi.ContentType;
            await context.Response.WriteAsync(body);
        });
        await _host.StartAsync();
        _endpoint = _host.Urls.Single();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
            await _host.DisposeAsync();
        await _harness.DisposeAsync();
    }

    private async Task<(int ExitCode, string Output, string Error)> AwsAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "stepfunctions" }.Concat(arguments).Concat(["--endpoint-url", _endpoint, "--output", "json"]))
            start.ArgumentList.Add(argument);
        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_PAGER"] = "";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("the aws CLI did not start (is it on PATH?)");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return (process.ExitCode, await output, await error);
    }

    private async Task<JObject> AwsOkAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await AwsAsync(arguments);
        exitCode.Should().Be(0, error);
        return (JObject)JsonText.Parse(output);
    }

    [Fact]
    public async Task The_AWS_CLI_creates_a_state_machine_starts_an_execution_and_reads_its_history()
    {
        const string definition = """
            {"StartAt":"Hello","States":{
              "Hello":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('Hello, {}!', $.name)"},"Next":"Wait"},
              "Wait":{"Type":"Wait","Seconds":5,"End":true}}}
            """;
        var created = await AwsOkAsync("create-state-machine", "--name", "cli-hello", "--definition", definition,
            "--role-arn", "arn:aws:iam::000000000000:role/sfn");
        var machineArn = created["stateMachineArn"]!.ToString();
        machineArn.Should().Be("arn:aws:states:us-east-1:000000000000:stateMachine:cli-hello");

        var started = await AwsOkAsync("start-execution", "--state-machine-arn", machineArn, "--name", "first", "--input", """{"name":"CLI"}""");
        var executionArn = started["executionArn"]!.ToString();
        await _harness.Engine.WaitForCompletionAsync(executionArn, default);

        var described = await AwsOkAsync("describe-execution", "--execution-arn", executionArn);
        described["status"]!.ToString().Should().Be("SUCCEEDED");
        described["output"]!.ToString().Should().Be("""{"greeting":"Hello, CLI!"}""");

        var history = await AwsOkAsync("get-execution-history", "--execution-arn", executionArn);
        history["events"]!.Select(e => e["type"]!.ToString()).Should().Equal(
            "ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded");

        var listed = await AwsOkAsync("list-executions", "--state-machine-arn", machineArn);
        listed["executions"]!.Single()["name"]!.ToString().Should().Be("first");
    }

    [Fact]
    public async Task The_products_own_client_starts_describes_and_stops_executions()
    {
        var machine = await _harness.Engine.PutStateMachineAsync("123456789012", "us-east-1", "client-machine",
            // The harness runs a million times faster than real time: this wait lasts 100 s.
            """{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":99999999,"End":true}}}""", "arn:aws:iam::123456789012:role/sfn", default);
        var credentials = new Amazon.Runtime.BasicAWSCredentials("123456789012", "secret");
        using var client = new PaletteServerless.Aws.Clients.StepFunctionsClient(
            new PaletteServerless.Aws.Clients.AwsClientOptions("us-east-1") { Credentials = credentials, Endpoint = new Uri(_endpoint) });

        var started = await client.StartExecutionAsync(machine.StateMachineArn, "c1", """{"clusterId":"c1"}""");
        started.ExecutionArn.Should().Be("arn:aws:states:us-east-1:123456789012:execution:client-machine:c1");
        (await client.StartExecutionAsync(machine.StateMachineArn, "c1", """{"clusterId":"c1"}""")).ExecutionArn.Should().Be(started.ExecutionArn);
        var conflict = await FluentActions.Awaiting(() => client.StartExecutionAsync(machine.StateMachineArn, "c1", """{"clusterId":"other"}"""))
            .Should().ThrowAsync<PaletteServerless.Aws.Clients.AwsServiceException>();
        conflict.Which.ErrorCode.Should().Be("ExecutionAlreadyExists");

        var running = await client.DescribeExecutionAsync(started.ExecutionArn);
        (running.Status, running.Input).Should().Be(("RUNNING", """{"clusterId":"c1"}"""));
        await client.StopExecutionAsync(started.ExecutionArn, "Force", "deleted");
        var stopped = await client.DescribeExecutionAsync(started.ExecutionArn);
        (stopped.Status, stopped.Error, stopped.Cause).Should().Be(("ABORTED", "Force", "deleted"));
        stopped.StopDate.Should().NotBeNull();
    }

    [Fact]
    public async Task The_AWS_CLI_reports_InvalidDefinition_with_the_reason()
    {
        var (exitCode, _, error) = await AwsAsync("create-state-machine", "--name", "broken", "--definition", """{"StartAt":"Missing","States":{"A":{"Type":"Succeed"}}}""",
            "--role-arn", "arn:aws:iam::000000000000:role/sfn");
        exitCode.Should().NotBe(0);
        error.Should().Contain("InvalidDefinition").And.Contain("Missing 'Next' target: Missing");
    }
}
