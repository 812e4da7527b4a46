using System.Text.Json.Nodes;
using PaletteServerless.Cli.Specs;
using YamlDotNet.Core;

namespace PaletteServerless.Cli.Tests;

public sealed class YamlJsonTests
{
    [Fact]
    public void Plain_scalars_are_typed_and_quoted_or_block_scalars_stay_strings()
    {
        var json = YamlJson.ToJson("""
            count: 3
            price: 0.05
            negative: -2
            parallel: true
            off: False
            nothing: ~
            empty:
            quoted: "3"
            version: 1.0.0
            single: 'true'
            values: |
              mtu: 1400
              podCIDR: 192.168.0.0/16
            zones: [us-east-1a, us-east-1b]
            """)!;
        json.ToJsonString().Should().Be("""
            {"count":3,"price":0.05,"negative":-2,"parallel":true,"off":false,"nothing":null,"empty":null,"quoted":"3","version":"1.0.0","single":"true","values":"mtu: 1400\npodCIDR: 192.168.0.0/16\n","zones":["us-east-1a","us-east-1b"]}
            """);
    }

    [Fact]
    public void Json_written_as_yaml_reads_back_as_the_same_json()
    {
        var original = JsonNode.Parse("""
            {"name":"a","count":3,"ratio":0.25,"flag":false,"none":null,"numberText":"42","boolText":"true","nullText":"null",
             "emptyText":"","multi":"a: 1\nb: [2]\n","nested":{"list":[{"k":"v"},[],{}],"colon":"x: y","hash":"# not a comment"}}
            """);
        var yaml = YamlJson.FromJson(original);
        JsonNode.DeepEquals(YamlJson.ToJson(yaml), original).Should().BeTrue(yaml);
        yaml.Should().NotContain("...", "no document end marker on the terminal");
    }

    [Fact]
    public void Duplicate_keys_and_several_documents_are_refused()
    {
        FluentActions.Invoking(() => YamlJson.ToJson("name: a\nname: b\n")).Should().Throw<YamlException>().WithMessage("*uplicate key*name*");
        FluentActions.Invoking(() => YamlJson.ToJson("name: a\n---\nname: b\n")).Should().Throw<YamlException>().WithMessage("*one document per file*");
    }
}
