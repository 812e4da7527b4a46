using PaletteServerless.Local.StepFunctions.Language;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>CreateStateMachine's InvalidDefinition: each rule of the specification the parser enforces.</summary>
public sealed class DefinitionValidationTests
{
    private static string Reason(string definition) =>
        FluentActions.Invoking(() => StateMachineDefinition.Parse(definition)).Should().Throw<InvalidDefinitionException>().Which.Message;

    [Theory]
    [InlineData("""{"States":{"A":{"Type":"Succeed"}}}""", "StartAt")]
    [InlineData("""{"StartAt":"A"}""", "States")]
    [InlineData("""{"StartAt":"B","States":{"A":{"Type":"Succeed"}}}""", "Missing 'Next' target: B")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}""", "Missing 'Next' target: Nowhere")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Succeed"},"B":{"Type":"Succeed"}}}""", "\"B\" is not reachable")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Sleep","End":true}}}""", "not a valid state type")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Pass"}}}""", "Next")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Next":"A"}}}""", "Next")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1,"Timestamp":"2020-01-01T00:00:00Z","End":true}}}""", "exactly one")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Wait","End":true}}}""", "exactly one")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"a.b","End":true}}}""", "InputPath")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$.a[*]","End":true}}}""", "ResultPath")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"nope"},"End":true}}}""", "x.$")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.Nope()"},"End":true}}}""", "unknown function")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Pass","Colour":"red","End":true}}}""", "Colour")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}}""", "Resource")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","TimeoutSeconds":5,"HeartbeatSeconds":5,"End":true}}}""", "HeartbeatSeconds")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}],"End":true}}}""", "States.ALL")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":[{"ErrorEquals":["States.ALL","X"]}],"End":true}}}""", "States.ALL")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":[{"ErrorEquals":["X"],"BackoffRate":0.5}],"End":true}}}""", "BackoffRate")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":[{"ErrorEquals":["X"],"JitterStrategy":"SOME"}],"End":true}}}""", "JitterStrategy")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Catch":[{"ErrorEquals":["X"]}],"End":true}}}""", "Next")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[]}}}""", "Choices")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.a","StringEquals":1,"Next":"A"}]}}}""", "StringEquals")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.a","Bogus":1,"Next":"A"}]}}}""", "Bogus")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.a","IsNull":true,"Next":"A"},"Next":"A"}]}}}""", "Nested")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","Next":"Y"}}}],"End":true}}}""", "Missing 'Next' target: Y")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Map","End":true}}}""", "ItemProcessor")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Map","ToleratedFailurePercentage":101,"ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Succeed"}}},"End":true}}}""", "ToleratedFailurePercentage")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Fail","Error":"E","ErrorPath":"$.e"}}}""", "ErrorPath")]
    [InlineData("not json", "INVALID_JSON_DESCRIPTION")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Succeed"}},"Extra":1}""", "Extra")]
    [InlineData("""{"StartAt":"A","QueryLanguage":"JSONata","States":{"A":{"Type":"Succeed"}}}""", "JSONPath")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"X","States":{"X":{"Type":"Succeed"}}},"End":true}}}""", "INLINE")]
    public void Invalid_definitions_are_rejected_with_a_reason(string definition, string reasonContains) =>
        Reason(definition).Should().Contain(reasonContains).And.StartWith("Invalid State Machine Definition:");

    [Fact]
    public void State_names_longer_than_80_characters_are_rejected()
    {
        var name = new string('s', 81);
        Reason("{\"StartAt\":\"" + name + "\",\"States\":{\"" + name + "\":{\"Type\":\"Succeed\"}}}").Should().Contain("80");
    }

    [Fact]
    public void A_full_definition_with_every_state_type_is_accepted()
    {
        var definition = StateMachineDefinition.Parse("""
            {"Comment":"all","StartAt":"P","TimeoutSeconds":60,"States":{
              "P":{"Type":"Pass","Next":"T"},
              "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},
                   "Retry":[{"ErrorEquals":["A"],"MaxDelaySeconds":5,"JitterStrategy":"FULL"},{"ErrorEquals":["States.ALL"]}],
                   "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"F"}],"Next":"C"},
              "C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"W"}],"Default":"Par"},
              "W":{"Type":"Wait","Seconds":1,"Next":"Par"},
              "Par":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}],"Next":"M"},
              "M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"ItemSelector":{"v.$":"$$.Map.Item.Value"},
                   "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"Next":"S"},
              "S":{"Type":"Succeed"},
              "F":{"Type":"Fail","Error":"E"}}}
            """);
        definition.States.Should().HaveCount(8);
        definition.TimeoutSeconds.Should().Be(60);
    }
}
