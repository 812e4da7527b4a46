using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>The specification's "Input and Output Processing" section, with its own examples.</summary>
public sealed class InputOutputProcessingTests : IAsyncLifetime
{
    private readonly EngineHarness _harness = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static string Single(string state) => "{\"StartAt\":\"S\",\"States\":{\"S\":" + state + "}}";

    private static void ShouldEqual(JToken actual, string expected) =>
        JToken.DeepEquals(actual, JsonText.Parse(expected)).Should().BeTrue($"expected {expected} but got {JsonText.Print(actual)}");

    [Fact]
    public async Task Pass_result_placed_by_ResultPath_spec_example()
    {
        var output = await _harness.OutputAsync(Single("""
            {"Type":"Pass","Result":{"x-datum":0.381018,"y-datum":622.2269926397355},"ResultPath":"$.coords","End":true}
            """), """{"georefOf":"Home"}""");
        ShouldEqual(output, """{"georefOf":"Home","coords":{"x-datum":0.381018,"y-datum":622.2269926397355}}""");
    }

    [Fact]
    public async Task InputPath_ResultPath_OutputPath_spec_example_with_a_Lambda_task()
    {
        var definition = Single($$"""
            {"Type":"Task","Resource":"{{EngineHarness.FunctionArn("Add")}}","InputPath":"$.numbers","ResultPath":"$.sum","OutputPath":"$.sum","End":true}
            """);
        var output = await _harness.OutputAsync(definition, """{"title":"Numbers to add","numbers":[3,4]}""");
        ShouldEqual(output, "7");
    }

    [Fact]
    public async Task Parameters_with_paths_slices_and_static_values_spec_example()
    {
        var output = await _harness.OutputAsync(Single("""
            {"Type":"Pass","Parameters":{"flagged":true,"parts":{"first.$":"$.vals[0]","last3.$":"$.vals[3:]"}},"End":true}
            """), """{"flagged":7,"vals":[0,10,20,30,40,50]}""");
        ShouldEqual(output, """{"flagged":true,"parts":{"first":0,"last3":[30,40,50]}}""");
    }

    [Fact]
    public async Task Parameters_read_the_context_object()
    {
        var started = await _harness.StartAsync(Single("""
            {"Type":"Pass","Parameters":{"id.$":"$$.Execution.Id","name.$":"$$.Execution.Name","state.$":"$$.State.Name","input.$":"$$.Execution.Input.a","machine.$":"$$.StateMachine.Name"},"End":true}
            """), """{"a":1}""", name: "ctx");
        var done = await _harness.Engine.WaitForCompletionAsync(started.ExecutionArn, CancellationToken.None);
        var output = JsonText.Parse(done!.Output!);
        output["id"]!.ToString().Should().Be(started.ExecutionArn);
        output["name"]!.ToString().Should().Be("ctx");
        output["state"]!.ToString().Should().Be("S");
        ((int)output["input"]!).Should().Be(1);
        output["machine"]!.ToString().Should().StartWith("machine");
    }

    [Fact]
    public async Task ResultSelector_shapes_the_task_result_before_ResultPath()
    {
        var definition = Single($$"""
            {"Type":"Task","Resource":"{{EngineHarness.FunctionArn("Echo")}}","Parameters":{"resourceType":"elasticmapreduce","ClusterId":"AKIAIOSFODNN7EXAMPLE","Status":{"State":"TERMINATED"} },
             "ResultSelector":{"ClusterId.$":"$.ClusterId","ResourceType.$":"$.resourceType"},"ResultPath":"$.EMROutput","End":true}
            """);
        var output = await _harness.OutputAsync(definition, """{"keep":1}""");
        ShouldEqual(output, """{"keep":1,"EMROutput":{"ClusterId":"AKIAIOSFODNN7EXAMPLE","ResourceType":"elasticmapreduce"}}""");
    }

    [Fact]
    public async Task ResultPath_null_discards_the_result_and_keeps_the_input()
    {
        var output = await _harness.OutputAsync(Single("""{"Type":"Pass","Result":{"x":1},"ResultPath":null,"End":true}"""), """{"a":1}""");
        ShouldEqual(output, """{"a":1}""");
    }

    [Fact]
    public async Task InputPath_null_gives_an_empty_object_and_OutputPath_null_outputs_an_empty_object()
    {
        var output = await _harness.OutputAsync("""
            {"StartAt":"A","States":{
              "A":{"Type":"Pass","InputPath":null,"ResultPath":"$.seen","Result":true,"Next":"B"},
              "B":{"Type":"Pass","OutputPath":null,"Next":"C"},
              "C":{"Type":"Pass","ResultPath":"$.after","Result":1,"End":true}}}
            """, """{"dropped":1}""");
        ShouldEqual(output, """{"after":1}""");
    }

    [Fact]
    public async Task ResultPath_creates_missing_objects_and_replaces_existing_fields()
    {
        var output = await _harness.OutputAsync(Single("""{"Type":"Pass","Result":"v","ResultPath":"$.a.b.c","End":true}"""), """{"a":{"x":1}}""");
        ShouldEqual(output, """{"a":{"x":1,"b":{"c":"v"}}}""");
    }

    [Fact]
    public async Task ResultPath_into_a_non_object_fails_with_ResultPathMatchFailure()
    {
        var result = await _harness.RunAsync(Single("""{"Type":"Pass","Result":1,"ResultPath":"$.a.b","End":true}"""), """{"a":"text"}""");
        result.Error.Should().Be(StatesErrors.ResultPathMatchFailure);
    }

    [Fact]
    public async Task A_Parameters_path_that_matches_nothing_fails_with_ParameterPathFailure()
    {
        var result = await _harness.RunAsync(Single("""{"Type":"Pass","Parameters":{"x.$":"$.missing"},"End":true}"""), "{}");
        result.Error.Should().Be(StatesErrors.ParameterPathFailure);
        result.Cause.Should().Contain("$.missing");
    }

    [Fact]
    public async Task An_InputPath_that_matches_nothing_fails_with_States_Runtime()
    {
        var result = await _harness.RunAsync(Single("""{"Type":"Pass","InputPath":"$.missing","End":true}"""), "{}");
        result.Error.Should().Be(StatesErrors.Runtime);
    }

    [Fact]
    public async Task Wildcard_and_filter_paths_select_arrays()
    {
        var output = await _harness.OutputAsync(Single("""
            {"Type":"Pass","Parameters":{"names.$":"$.items[*].name","big.$":"$.items[?(@.size > 1)].name"},"End":true}
            """), """{"items":[{"name":"a","size":1},{"name":"b","size":2}]}""");
        ShouldEqual(output, """{"names":["a","b"],"big":["b"]}""");
    }

    [Fact]
    public async Task Quoted_field_names_may_hold_path_characters()
    {
        var output = await _harness.OutputAsync(Single("""{"Type":"Pass","Parameters":{"v.$":"$['a:b*c']","w.$":"$['x,y']['z']"},"End":true}"""),
            """{"a:b*c":1,"x,y":{"z":2}}""");
        ShouldEqual(output, """{"v":1,"w":2}""");
    }

    [Fact]
    public async Task Timestamps_in_the_input_keep_their_text()
    {
        var output = await _harness.OutputAsync(Single("""{"Type":"Pass","End":true}"""), """{"at":"2016-03-14T01:59:00Z"}""");
        JsonText.Print(output).Should().Be("""{"at":"2016-03-14T01:59:00Z"}""");
    }

    [Fact]
    public async Task Succeed_applies_InputPath_and_OutputPath_and_ends_the_execution()
    {
        var output = await _harness.OutputAsync(Single("""{"Type":"Succeed","InputPath":"$.a","OutputPath":"$.b"}"""), """{"a":{"b":42}}""");
        ShouldEqual(output, "42");
    }

    [Fact]
    public async Task Fail_reports_its_error_and_cause_or_their_paths()
    {
        var result = await _harness.RunAsync(Single("""{"Type":"Fail","Error":"MyError","Cause":"because"}"""));
        (result.Status, result.Error, result.Cause).Should().Be(("FAILED", "MyError", "because"));

        var bare = await _harness.RunAsync(Single("""{"Type":"Fail"}"""));
        (bare.Status, bare.Error, bare.Cause).Should().Be(("FAILED", null, null));

        var fromPaths = await _harness.RunAsync(Single("""{"Type":"Fail","ErrorPath":"$.e","CausePath":"States.Format('code {}', $.c)"}"""), """{"e":"Oops","c":7}""");
        (fromPaths.Error, fromPaths.Cause).Should().Be(("Oops", "code 7"));
    }

    [Fact]
    public async Task Wait_passes_its_input_on()
    {
        var output = await _harness.OutputAsync("""
            {"StartAt":"W1","States":{
              "W1":{"Type":"Wait","Seconds":10,"Next":"W2"},
              "W2":{"Type":"Wait","SecondsPath":"$.s","Next":"W3"},
              "W3":{"Type":"Wait","Timestamp":"2016-03-14T01:59:00Z","Next":"W4"},
              "W4":{"Type":"Wait","TimestampPath":"$.t","End":true}}}
            """, """{"s":5,"t":"2000-01-01T00:00:00Z"}""");
        ShouldEqual(output, """{"s":5,"t":"2000-01-01T00:00:00Z"}""");
    }

    [Fact]
    public async Task Wait_with_a_negative_SecondsPath_fails()
    {
        var result = await _harness.RunAsync(Single("""{"Type":"Wait","SecondsPath":"$.s","End":true}"""), """{"s":-1}""");
        result.Error.Should().Be(StatesErrors.Runtime);
    }
}
