using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>Every intrinsic function, with the specification's examples, evaluated as "x.$" in Parameters.</summary>
public sealed class IntrinsicFunctionTests
{
    private static JToken Eval(string expression, string input = "{}") =>
        IntrinsicFunctions.Evaluate(expression, JsonText.Parse(input), new JObject());

    private static void ShouldBe(JToken actual, string expected) =>
        JToken.DeepEquals(actual, JsonText.Parse(expected)).Should().BeTrue($"expected {expected} but got {JsonText.Print(actual)}");

    [Fact]
    public void Format_fills_placeholders_with_strings_numbers_booleans_and_null() =>
        ShouldBe(Eval("States.Format('Hello, my name is {}. {} {} {}', $.name, 3, true, null)", """{"name":"Foo"}"""),
            "\"Hello, my name is Foo. 3 true null\"");

    [Fact]
    public void Format_escapes_quotes_braces_and_backslashes() =>
        ShouldBe(Eval(@"States.Format('She said \'hi\' \{\} {} \\', $.x)", """{"x":"ok"}"""), "\"She said 'hi' {} ok \\\\\"");

    [Fact]
    public void Format_with_a_wrong_number_of_values_is_an_intrinsic_failure() =>
        FluentActions.Invoking(() => Eval("States.Format('{} {}', 1)")).Should().Throw<StatesException>()
            .Which.Error.Should().Be(StatesErrors.IntrinsicFailure);

    [Fact]
    public void StringToJson_and_JsonToString_round_trip()
    {
        ShouldBe(Eval("States.StringToJson($.someString)", """{"someString":"{\"number\": 20}"}"""), """{"number":20}""");
        ShouldBe(Eval("States.JsonToString($.someJson)", """{"someJson":{"name":"Foo","year":2020}}"""), "\"{\\\"name\\\":\\\"Foo\\\",\\\"year\\\":2020}\"");
    }

    [Fact]
    public void Array_builds_an_array_of_its_arguments() =>
        ShouldBe(Eval("States.Array('Foo', 2020, $.someJson, null)", """{"someJson":{"random":"abcdefg"}}"""), """["Foo",2020,{"random":"abcdefg"},null]""");

    [Fact]
    public void ArrayPartition_chunks_an_array() =>
        ShouldBe(Eval("States.ArrayPartition($.a, 4)", """{"a":[1,2,3,4,5,6,7,8,9]}"""), "[[1,2,3,4],[5,6,7,8],[9]]");

    [Fact]
    public void ArrayContains_finds_a_value()
    {
        ShouldBe(Eval("States.ArrayContains($.a, 5)", """{"a":[1,2,3,4,5,6,7,8,9]}"""), "true");
        ShouldBe(Eval("States.ArrayContains($.a, $.v)", """{"a":[{"x":1}],"v":{"x":2}}"""), "false");
    }

    [Fact]
    public void ArrayRange_counts_from_start_to_end_by_step()
    {
        ShouldBe(Eval("States.ArrayRange(1, 9, 2)"), "[1,3,5,7,9]");
        ShouldBe(Eval("States.ArrayRange(5, 1, -2)"), "[5,3,1]");
        FluentActions.Invoking(() => Eval("States.ArrayRange(1, 2000, 1)")).Should().Throw<StatesException>();
    }

    [Fact]
    public void ArrayGetItem_ArrayLength_ArrayUnique()
    {
        const string input = """{"a":[1,2,3,4,5,6,7,8,9],"d":[1,2,3,3,3,3,3,3,4]}""";
        ShouldBe(Eval("States.ArrayGetItem($.a, 5)", input), "6");
        ShouldBe(Eval("States.ArrayLength($.a)", input), "9");
        ShouldBe(Eval("States.ArrayUnique($.d)", input), "[1,2,3,4]");
        FluentActions.Invoking(() => Eval("States.ArrayGetItem($.a, 9)", input)).Should().Throw<StatesException>();
    }

    [Fact]
    public void Base64Encode_and_Base64Decode()
    {
        ShouldBe(Eval("States.Base64Encode($.input)", """{"input":"Data to encode"}"""), "\"RGF0YSB0byBlbmNvZGU=\"");
        ShouldBe(Eval("States.Base64Decode($.base64)", """{"base64":"RGVjb2RlZCBkYXRh"}"""), "\"Decoded data\"");
    }

    [Theory]
    [InlineData("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7")]
    [InlineData("MD5", "812f45842bc6d66ee14572ce20db8e86")]
    [InlineData("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3")]
    public void Hash_computes_the_named_digest(string algorithm, string expected) =>
        ShouldBe(Eval($"States.Hash($.Data, '{algorithm}')", """{"Data":"input data"}"""), $"\"{expected}\"");

    [Fact]
    public void JsonMerge_is_shallow_and_refuses_deep_mode()
    {
        const string input = """{"json1":{"a":{"a1":1,"a2":2},"b":2},"json2":{"a":{"a3":1,"a4":2},"c":3}}""";
        ShouldBe(Eval("States.JsonMerge($.json1, $.json2, false)", input), """{"a":{"a3":1,"a4":2},"b":2,"c":3}""");
        FluentActions.Invoking(() => Eval("States.JsonMerge($.json1, $.json2, true)", input)).Should().Throw<StatesException>();
    }

    [Fact]
    public void MathRandom_stays_in_range_and_is_repeatable_with_a_seed()
    {
        for (var i = 0; i < 50; i++)
            ((long)Eval("States.MathRandom(1, 999)")).Should().BeInRange(1, 998);
        Eval("States.MathRandom(1, 999, 1234)").Should().BeEquivalentTo(Eval("States.MathRandom(1, 999, 1234)"));
    }

    [Fact]
    public void MathAdd_adds_integers() => ShouldBe(Eval("States.MathAdd($.value1, $.step)", """{"value1":111,"step":-1}"""), "110");

    [Fact]
    public void StringSplit_splits_on_every_delimiter_character()
    {
        ShouldBe(Eval("States.StringSplit($.inputString, $.splitter)", """{"inputString":"1,2,3,4,5","splitter":","}"""), """["1","2","3","4","5"]""");
        ShouldBe(Eval("States.StringSplit($.inputString, $.splitter)", """{"inputString":"This.is+a,test=string","splitter":".+,="}"""), """["This","is","a","test","string"]""");
    }

    [Fact]
    public void UUID_is_a_version_4_guid() =>
        ((string)Eval("States.UUID()")!).Should().MatchRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

    [Fact]
    public void Functions_nest() =>
        ShouldBe(Eval("States.Format('{}.{}', States.ArrayGetItem(States.StringSplit($.arn, '/'), 1), States.MathAdd(1, 2))", """{"arn":"a/b/c"}"""), "\"b.3\"");

    [Theory]
    [InlineData("States.Nope(1)")]
    [InlineData("States.Format('unterminated")]
    [InlineData("States.Format('a' 1)")]
    [InlineData("States.Array(1))")]
    public void Malformed_calls_are_rejected_at_definition_time(string expression) =>
        FluentActions.Invoking(() => IntrinsicFunctions.Validate(expression)).Should().Throw<InvalidDefinitionException>();

    [Fact]
    public void Wrong_argument_types_are_intrinsic_failures() =>
        FluentActions.Invoking(() => Eval("States.ArrayLength('text')")).Should().Throw<StatesException>()
            .Which.Error.Should().Be(StatesErrors.IntrinsicFailure);
}
