using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Resources;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>In-process Lambda invocation as the managed .NET runtime does it.</summary>
public sealed class LambdaRegistryTests : IAsyncLifetime
{
    private readonly EngineHarness _harness = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_bare_function_ARN_gets_the_effective_input_and_returns_the_handler_output()
    {
        var output = await _harness.OutputAsync("""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"FN_Echo","Parameters":{"hello.$":"$.name"},"End":true}}}
            """, """{"name":"world"}""");
        JsonText.Print(output).Should().Be("""{"hello":"world"}""");
    }

    [Fact]
    public async Task Lambda_invoke_wraps_the_payload_in_AWS_result_shape()
    {
        var output = await _harness.OutputAsync("""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
               "Parameters":{"FunctionName":"arn:aws:lambda:us-east-1:123456789012:function:Echo:$LATEST","Payload":{"n.$":"$.n"}},"End":true}}}
            """, """{"n":3}""");
        output["ExecutedVersion"]!.ToString().Should().Be("$LATEST");
        output["StatusCode"]!.Value<int>().Should().Be(200);
        JsonText.Print(output["Payload"]!).Should().Be("""{"n":3}""");
        output["SdkHttpMetadata"]!["HttpStatusCode"]!.Value<int>().Should().Be(200);
        output["SdkResponseMetadata"]!["RequestId"]!.ToString().Should().NotBeEmpty();
    }

    [Fact]
    public async Task Lambda_invoke_records_task_events_and_a_bare_ARN_records_lambda_events()
    {
        var viaIntegration = await _harness.RunAsync("""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"Echo","Payload.$":"$"},"End":true}}}
            """);
        var events = await _harness.Engine.GetHistoryAsync(viaIntegration.ExecutionArn, default);
        events.Select(e => e.Type).Should().Contain(["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited"]);
        var scheduled = events.Single(e => e.Type == "TaskScheduled").Details!;
        (scheduled["resourceType"]!.ToString(), scheduled["resource"]!.ToString(), scheduled["region"]!.ToString()).Should().Be(("lambda", "invoke", "us-east-1"));

        var bare = await _harness.RunAsync("""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"FN_Echo","End":true}}}
            """);
        (await _harness.Engine.GetHistoryAsync(bare.ExecutionArn, default)).Select(e => e.Type).Should().Contain(
            ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]);
    }

    [Fact]
    public async Task A_handler_exception_becomes_its_type_name_and_the_runtime_error_document()
    {
        var result = await _harness.RunAsync("""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"Fail"},"End":true}}}
            """);
        result.Error.Should().Be("InvalidOperationException");
        var cause = JsonText.Parse(result.Cause!);
        cause["errorType"]!.ToString().Should().Be("InvalidOperationException");
        cause["errorMessage"]!.ToString().Should().Be("boom");
        ((JArray)cause["stackTrace"]!).Should().NotBeEmpty();
    }

    [Fact]
    public async Task An_unknown_function_is_a_Lambda_ResourceNotFoundException()
    {
        var result = await _harness.RunAsync("""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:Nope","End":true}}}
            """);
        result.Error.Should().Be("Lambda.ResourceNotFoundException");
    }

    [Fact]
    public async Task A_non_JSON_response_becomes_a_string_payload()
    {
        var output = await _harness.OutputAsync("""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"NotJson"},"OutputPath":"$.Payload","End":true}}}
            """);
        output.ToString().Should().Be("plain text");
    }

    [Fact]
    public async Task Environment_variables_are_applied_at_registration_and_conflicts_are_refused()
    {
        var registry = new LambdaRegistry();
        var variable = "PS_ENGINE_TEST_" + Guid.NewGuid().ToString("N");
        registry.Register("arn:aws:lambda:us-east-1:000000000000:function:one", TestFunctions.Handler("ReadEnvironment"), new Dictionary<string, string> { [variable] = "blue" });
        registry.Register("arn:aws:lambda:us-east-1:000000000000:function:two", TestFunctions.Handler("ReadEnvironment"), new Dictionary<string, string> { [variable] = "blue" });

        var output = await registry.InvokeAsync("two", $$"""{"variable":"{{variable}}"}""", default);
        output.Should().Be("""{"value":"blue"}""");

        FluentActions.Invoking(() => registry.Register("arn:aws:lambda:us-east-1:000000000000:function:three", TestFunctions.Handler("ReadEnvironment"),
                new Dictionary<string, string> { [variable] = "red" }))
            .Should().Throw<InvalidOperationException>().WithMessage($"*{variable}*");
        Environment.GetEnvironmentVariable(variable).Should().Be("blue");
    }

    [Fact]
    public async Task An_instance_serves_one_invocation_at_a_time_and_stays_warm_for_the_next()
    {
        var registry = new LambdaRegistry();
        registry.Register("arn:aws:lambda:us-east-1:000000000000:function:who", TestFunctions.Handler("WhoAmI"));
        var overlapping = await Task.WhenAll(registry.InvokeAsync("who", "{}", default), registry.InvokeAsync("who", "{}", default));
        overlapping[0].Should().NotBe(overlapping[1], "overlapping invocations never share an instance");
        var first = await registry.InvokeAsync("who", "{}", default);
        var second = await registry.InvokeAsync("who", "{}", default);
        // Which of the two warm instances answers is the idle pool's choice; that no third, cold one is made is the rule.
        overlapping.Should().Contain(first, "an idle instance is reused");
        overlapping.Should().Contain(second, "an idle instance is reused");
    }

    [Theory]
    [InlineData("NoSeparators")]
    [InlineData("PaletteServerless.Local.StepFunctions.Tests::Missing.Type::Echo")]
    [InlineData("PaletteServerless.Local.StepFunctions.Tests::PaletteServerless.Local.StepFunctions.Tests.TestFunctions::Missing")]
    public void Bad_handler_strings_are_refused_at_registration(string handler) =>
        FluentActions.Invoking(() => new LambdaRegistry().Register("arn:aws:lambda:us-east-1:000000000000:function:f", handler))
            .Should().Throw<ArgumentException>();
}
