using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>Every Choice comparison operator, its Path variant, the type tests, And/Or/Not and Default.</summary>
public sealed class ChoiceTests : IAsyncLifetime
{
    private readonly EngineHarness _harness = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static bool Matches(string rule, string input)
    {
        var withNext = (JObject)JsonText.Parse(rule);
        withNext["Next"] = "Yes";
        var definition = "{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Choice\",\"Choices\":[" + JsonText.Print(withNext) + "],\"Default\":\"No\"},"
            + "\"Yes\":{\"Type\":\"Succeed\"},\"No\":{\"Type\":\"Succeed\"}}}";
        var parsed = StateMachineDefinition.Parse(definition);
        var choice = (ChoiceState)parsed.States["C"];
        return choice.Choices[0].Matches(JsonText.Parse(input), new JObject());
    }

    private const string Input = """
        {"s":"abc","n":5,"f":2.5,"b":true,"t":"2020-01-01T00:00:00Z","nil":null,
         "other":{"s":"abd","n":5,"b":true,"t":"2021-01-01T00:00:00Z"}}
        """;

    [Theory]
    [InlineData("""{"Variable":"$.s","StringEquals":"abc"}""", true)]
    [InlineData("""{"Variable":"$.s","StringEquals":"abd"}""", false)]
    [InlineData("""{"Variable":"$.s","StringLessThan":"abd"}""", true)]
    [InlineData("""{"Variable":"$.s","StringGreaterThan":"abb"}""", true)]
    [InlineData("""{"Variable":"$.s","StringLessThanEquals":"abc"}""", true)]
    [InlineData("""{"Variable":"$.s","StringGreaterThanEquals":"abd"}""", false)]
    [InlineData("""{"Variable":"$.s","StringEqualsPath":"$.other.s"}""", false)]
    [InlineData("""{"Variable":"$.s","StringLessThanPath":"$.other.s"}""", true)]
    [InlineData("""{"Variable":"$.s","StringGreaterThanPath":"$.other.s"}""", false)]
    [InlineData("""{"Variable":"$.s","StringLessThanEqualsPath":"$.other.s"}""", true)]
    [InlineData("""{"Variable":"$.s","StringGreaterThanEqualsPath":"$.other.s"}""", false)]
    [InlineData("""{"Variable":"$.n","NumericEquals":5}""", true)]
    [InlineData("""{"Variable":"$.f","NumericEquals":2.5}""", true)]
    [InlineData("""{"Variable":"$.n","NumericLessThan":5}""", false)]
    [InlineData("""{"Variable":"$.n","NumericGreaterThan":4.5}""", true)]
    [InlineData("""{"Variable":"$.n","NumericLessThanEquals":5}""", true)]
    [InlineData("""{"Variable":"$.n","NumericGreaterThanEquals":6}""", false)]
    [InlineData("""{"Variable":"$.n","NumericEqualsPath":"$.other.n"}""", true)]
    [InlineData("""{"Variable":"$.f","NumericLessThanPath":"$.other.n"}""", true)]
    [InlineData("""{"Variable":"$.f","NumericGreaterThanPath":"$.other.n"}""", false)]
    [InlineData("""{"Variable":"$.n","NumericLessThanEqualsPath":"$.other.n"}""", true)]
    [InlineData("""{"Variable":"$.n","NumericGreaterThanEqualsPath":"$.other.n"}""", true)]
    [InlineData("""{"Variable":"$.b","BooleanEquals":true}""", true)]
    [InlineData("""{"Variable":"$.b","BooleanEqualsPath":"$.other.b"}""", true)]
    [InlineData("""{"Variable":"$.t","TimestampEquals":"2020-01-01T00:00:00Z"}""", true)]
    [InlineData("""{"Variable":"$.t","TimestampEquals":"2020-01-01T01:00:00+01:00"}""", true)]
    [InlineData("""{"Variable":"$.t","TimestampLessThan":"2020-01-01T00:00:01Z"}""", true)]
    [InlineData("""{"Variable":"$.t","TimestampGreaterThan":"2020-01-01T00:00:01Z"}""", false)]
    [InlineData("""{"Variable":"$.t","TimestampLessThanEquals":"2020-01-01T00:00:00Z"}""", true)]
    [InlineData("""{"Variable":"$.t","TimestampGreaterThanEquals":"2020-01-01T00:00:00Z"}""", true)]
    [InlineData("""{"Variable":"$.t","TimestampEqualsPath":"$.other.t"}""", false)]
    [InlineData("""{"Variable":"$.t","TimestampLessThanPath":"$.other.t"}""", true)]
    [InlineData("""{"Variable":"$.t","TimestampGreaterThanPath":"$.other.t"}""", false)]
    [InlineData("""{"Variable":"$.t","TimestampLessThanEqualsPath":"$.other.t"}""", true)]
    [InlineData("""{"Variable":"$.t","TimestampGreaterThanEqualsPath":"$.other.t"}""", false)]
    [InlineData("""{"Variable":"$.s","StringMatches":"a*"}""", true)]
    [InlineData("""{"Variable":"$.s","StringMatches":"*c"}""", true)]
    [InlineData("""{"Variable":"$.s","StringMatches":"b*"}""", false)]
    [InlineData("""{"Variable":"$.missing","IsPresent":false}""", true)]
    [InlineData("""{"Variable":"$.s","IsPresent":true}""", true)]
    [InlineData("""{"Variable":"$.nil","IsNull":true}""", true)]
    [InlineData("""{"Variable":"$.s","IsNull":true}""", false)]
    [InlineData("""{"Variable":"$.f","IsNumeric":true}""", true)]
    [InlineData("""{"Variable":"$.s","IsNumeric":false}""", true)]
    [InlineData("""{"Variable":"$.s","IsString":true}""", true)]
    [InlineData("""{"Variable":"$.b","IsBoolean":true}""", true)]
    [InlineData("""{"Variable":"$.t","IsTimestamp":true}""", true)]
    [InlineData("""{"Variable":"$.s","IsTimestamp":true}""", false)]
    [InlineData("""{"And":[{"Variable":"$.n","NumericGreaterThan":1},{"Variable":"$.s","StringEquals":"abc"}]}""", true)]
    [InlineData("""{"And":[{"Variable":"$.n","NumericGreaterThan":1},{"Variable":"$.s","StringEquals":"x"}]}""", false)]
    [InlineData("""{"Or":[{"Variable":"$.n","NumericGreaterThan":10},{"Variable":"$.s","StringEquals":"abc"}]}""", true)]
    [InlineData("""{"Not":{"Variable":"$.s","StringEquals":"abc"}}""", false)]
    // A type mismatch is false, not an error.
    [InlineData("""{"Variable":"$.s","NumericEquals":5}""", false)]
    [InlineData("""{"Variable":"$.n","StringEquals":"5"}""", false)]
    [InlineData("""{"Variable":"$.s","TimestampEquals":"2020-01-01T00:00:00Z"}""", false)]
    public void Rule_evaluates_as_the_specification_says(string rule, bool expected) =>
        Matches(rule, Input).Should().Be(expected);

    [Theory]
    [InlineData("foo*.log", "foo23.log", true)]
    [InlineData("*.log", "zebra.log", true)]
    [InlineData("foo*.*", "foobar.zebra", true)]
    [InlineData(@"a\*b", "a*b", true)]
    [InlineData(@"a\*b", "axb", false)]
    [InlineData(@"a\\b", @"a\b", true)]
    public void StringMatches_wildcards_spec_examples(string pattern, string text, bool expected) =>
        ComparisonRule.WildcardMatches(text, pattern).Should().Be(expected);

    [Fact]
    public async Task Choice_routes_to_the_first_matching_rule_then_Default_and_keeps_its_input()
    {
        const string definition = """
            {"StartAt":"C","States":{
              "C":{"Type":"Choice","Choices":[
                  {"Not":{"Variable":"$.type","StringEquals":"Private"},"Next":"Public"},
                  {"Variable":"$.value","NumericEquals":0,"Next":"ValueIsZero"},
                  {"And":[{"Variable":"$.value","NumericGreaterThanEquals":20},{"Variable":"$.value","NumericLessThan":30}],"Next":"ValueInTwenties"}],
                "Default":"DefaultState"},
              "Public":{"Type":"Pass","Result":"Public","End":true},
              "ValueIsZero":{"Type":"Pass","Result":"Zero","End":true},
              "ValueInTwenties":{"Type":"Pass","Result":"Twenties","End":true},
              "DefaultState":{"Type":"Fail","Error":"DefaultStateError","Cause":"No Matches!"}}}
            """;
        (await _harness.OutputAsync(definition, """{"type":"Public","value":0}""")).ToString().Should().Be("Public");
        (await _harness.OutputAsync(definition, """{"type":"Private","value":0}""")).ToString().Should().Be("Zero");
        (await _harness.OutputAsync(definition, """{"type":"Private","value":25}""")).ToString().Should().Be("Twenties");
        (await _harness.RunAsync(definition, """{"type":"Private","value":99}""")).Error.Should().Be("DefaultStateError");
    }

    [Fact]
    public async Task No_match_without_Default_fails_with_NoChoiceMatched()
    {
        var result = await _harness.RunAsync("""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"E"}]},"E":{"Type":"Succeed"}}}
            """);
        result.Error.Should().Be(StatesErrors.NoChoiceMatched);
    }

    [Fact]
    public async Task A_missing_Variable_is_a_runtime_error()
    {
        var result = await _harness.RunAsync("""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","StringEquals":"a","Next":"E"}],"Default":"E"},"E":{"Type":"Succeed"}}}
            """);
        result.Error.Should().Be(StatesErrors.Runtime);
    }
}
