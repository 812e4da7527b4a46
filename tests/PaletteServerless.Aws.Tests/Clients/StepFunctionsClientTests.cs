using System.Net;
using System.Text.Json;
using PaletteServerless.Aws.Clients;

namespace PaletteServerless.Aws.Tests.Clients;

public class StepFunctionsClientTests
{
    private const string StateMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:provision";

    [Fact]
    public async Task StartExecution_puts_the_json_1_0_request_on_the_wire_signed_for_states()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(200, """{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:provision:c1","startDate":1.7e9}"""));
        using var client = new StepFunctionsClient(TestCredentials.For(server));

        var result = await client.StartExecutionAsync(StateMachineArn, "c1", """{"clusterId":"c1"}""");

        result.ExecutionArn.Should().EndWith(":execution:provision:c1");
        result.StartDate.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

        var request = server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.RawUrl.Should().Be("/");
        request.Header("X-Amz-Target").Should().Be("AWSStepFunctions.StartExecution");
        request.Header("Content-Type").Should().Be("application/x-amz-json-1.0");
        request.BodyText.Should().Be("""{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:provision","name":"c1","input":"{\u0022clusterId\u0022:\u0022c1\u0022}"}""");
        JsonDocument.Parse(request.Body).RootElement.GetProperty("input").GetString().Should().Be("""{"clusterId":"c1"}""");
        request.Header("Host").Should().Be(server.Endpoint.Authority);
        request.Header("X-Amz-Date").Should().MatchRegex(@"^\d{8}T\d{6}Z$");

        var authorization = SigV4Verifier.ParseAuthorization(request);
        authorization.Groups["key"].Value.Should().Be(TestCredentials.AccessKey);
        authorization.Groups["region"].Value.Should().Be("us-east-1");
        authorization.Groups["service"].Value.Should().Be("states");
        authorization.Groups["headers"].Value.Split(';').Should().Contain(["host", "x-amz-date", "x-amz-target"]);
        authorization.Groups["date"].Value.Should().Be(request.Header("X-Amz-Date")[..8]);
        authorization.Groups["signature"].Value.Should().Be(SigV4Verifier.ExpectedSignature(request, TestCredentials.SecretKey));
    }

    [Fact]
    public async Task A_wrong_secret_would_not_produce_the_sent_signature()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(200, """{"executionArn":"a","startDate":1}"""));
        using var client = new StepFunctionsClient(TestCredentials.For(server));

        await client.StartExecutionAsync(StateMachineArn, "c1", "{}");

        var request = server.Requests.Single();
        SigV4Verifier.ParseAuthorization(request).Groups["signature"].Value
            .Should().NotBe(SigV4Verifier.ExpectedSignature(request, "another-secret"));
    }

    [Fact]
    public async Task Session_credentials_send_the_security_token()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(200, """{"executionArn":"a","startDate":1}"""));
        var options = TestCredentials.For(server) with
        {
            Credentials = new Amazon.Runtime.SessionAWSCredentials("123456789012", "secret", "session-token"),
        };
        using var client = new StepFunctionsClient(options);

        await client.StartExecutionAsync(StateMachineArn, "c1", "{}");

        var request = server.Requests.Single();
        request.Header("X-Amz-Security-Token").Should().Be("session-token");
        SigV4Verifier.ParseAuthorization(request).Groups["key"].Value.Should().Be("123456789012");
        SigV4Verifier.ParseAuthorization(request).Groups["signature"].Value.Should().Be(SigV4Verifier.ExpectedSignature(request, "secret"));
    }

    [Fact]
    public async Task Json_error_becomes_AwsServiceException_with_the_bare_code_and_is_not_retried()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(
            400,
            """{"__type":"com.amazonaws.sfn#ExecutionAlreadyExists","message":"Execution Already Exists: 'c1'"}""",
            Headers: new Dictionary<string, string> { ["x-amzn-RequestId"] = "req-1" }));
        using var client = new StepFunctionsClient(TestCredentials.For(server));

        var act = () => client.StartExecutionAsync(StateMachineArn, "c1", "{}");

        var error = (await act.Should().ThrowAsync<AwsServiceException>()).Which;
        error.ErrorCode.Should().Be("ExecutionAlreadyExists");
        error.ErrorMessage.Should().Be("Execution Already Exists: 'c1'");
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        error.RequestId.Should().Be("req-1");
        error.IsThrottling.Should().BeFalse();
        server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Throttling_is_retried_with_a_fresh_signature_then_succeeds()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(400, """{"__type":"ThrottlingException","message":"Rate exceeded"}"""));
        server.Enqueue(new CannedResponse(200, """{"executionArn":"arn:x","status":"RUNNING","startDate":1700000000.5}"""));
        using var client = new StepFunctionsClient(TestCredentials.For(server));

        var result = await client.DescribeExecutionAsync("arn:x");

        result.Status.Should().Be("RUNNING");
        result.StartDate.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500));
        result.StopDate.Should().BeNull();
        server.Requests.Should().HaveCount(2);
        server.Requests.Should().AllSatisfy(r => SigV4Verifier.ParseAuthorization(r).Groups["signature"].Value
            .Should().Be(SigV4Verifier.ExpectedSignature(r, TestCredentials.SecretKey)));
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_attempts_surfaces_as_a_throttling_error()
    {
        await using var server = new LoopbackAwsServer();
        for (var i = 0; i < 3; i++)
        {
            server.Enqueue(new CannedResponse(400, "{}", Headers: new Dictionary<string, string> { ["x-amzn-ErrorType"] = "ThrottlingException:http://internal.amazon.com/" }));
        }

        using var client = new StepFunctionsClient(TestCredentials.For(server));

        var act = () => client.StopExecutionAsync("arn:x", "Forced", "force delete");

        var error = (await act.Should().ThrowAsync<AwsServiceException>()).Which;
        error.ErrorCode.Should().Be("ThrottlingException");
        error.IsThrottling.Should().BeTrue();
        server.Requests.Should().HaveCount(3);
        server.Requests.First().BodyText.Should().Be("""{"executionArn":"arn:x","error":"Forced","cause":"force delete"}""");
        server.Requests.First().Header("X-Amz-Target").Should().Be("AWSStepFunctions.StopExecution");
    }

    [Fact]
    public async Task A_refused_connection_is_retried_then_surfaces_as_HttpRequestException()
    {
        using var refusing = PaletteServerless.Testing.LoopbackHttpListener.RefusingPort(out var closedPort);
        var attempts = 0;
        var counting = new CountingHandler(() => attempts++);
        var options = new AwsClientOptions("us-east-1")
        {
            Credentials = new Amazon.Runtime.BasicAWSCredentials(TestCredentials.AccessKey, TestCredentials.SecretKey),
            Endpoint = new Uri($"http://127.0.0.1:{closedPort}/"),
            InnerHandler = counting,
            MaxAttempts = 2,
            BaseRetryDelay = TimeSpan.FromMilliseconds(1),
        };
        using var client = new StepFunctionsClient(options);

        var act = () => client.DescribeExecutionAsync("arn:x");

        await act.Should().ThrowAsync<HttpRequestException>();
        attempts.Should().Be(2);
    }

    /// <summary>Counts the signed requests that reach the network.</summary>
    private sealed class CountingHandler(Action onSend) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onSend();
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task DescribeExecution_reads_a_finished_execution()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(200, """
            {"executionArn":"arn:x","stateMachineArn":"arn:sm","name":"c1","status":"FAILED","startDate":1700000000,
             "stopDate":1700000060,"input":"{}","error":"States.TaskFailed","cause":"boom"}
            """));
        using var client = new StepFunctionsClient(TestCredentials.For(server));

        var result = await client.DescribeExecutionAsync("arn:x");

        result.Should().BeEquivalentTo(new
        {
            ExecutionArn = "arn:x",
            StateMachineArn = "arn:sm",
            Name = "c1",
            Status = "FAILED",
            StopDate = (DateTimeOffset?)DateTimeOffset.FromUnixTimeSeconds(1_700_000_060),
            Error = "States.TaskFailed",
            Cause = "boom",
        });
        server.Requests.Single().BodyText.Should().Be("""{"executionArn":"arn:x"}""");
    }
}
