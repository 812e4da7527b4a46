using System.Text.Json.Nodes;
using CsCheck;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;

namespace PaletteServerless.Domain.Tests.Changes;

public class JsonMergePatchTests
{
    /// <summary>Every example of RFC 7396, appendix A: original, patch, result.</summary>
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"a":"foo"}""", "null", "null")]
    [InlineData("""{"a":"foo"}""", "\"bar\"", "\"bar\"")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void Rfc_7396_appendix_examples(string original, string patch, string expected)
    {
        var result = JsonMergePatch.Apply(JsonNode.Parse(original), JsonNode.Parse(patch));

        JsonNode.DeepEquals(result, JsonNode.Parse(expected)).Should().BeTrue($"{original} patched with {patch} is {expected}, not {result?.ToJsonString() ?? "null"}");
    }

    [Fact]
    public void Neither_the_target_nor_the_patch_is_changed()
    {
        var target = JsonNode.Parse("""{"a":{"b":1,"c":[1,2]},"d":"x"}""");
        var patch = JsonNode.Parse("""{"a":{"b":null,"c":[3],"e":{"f":1}},"d":null}""");
        var (targetText, patchText) = (target!.ToJsonString(), patch!.ToJsonString());

        var result = JsonMergePatch.Apply(target, patch);

        target.ToJsonString().Should().Be(targetText);
        patch.ToJsonString().Should().Be(patchText);
        result!.ToJsonString().Should().Be("""{"a":{"c":[3],"e":{"f":1}}}""");
        // The result shares no node with the patch: changing it leaves the patch alone.
        result["a"]!["e"]!["f"] = 2;
        patch.ToJsonString().Should().Be(patchText);
    }

    [Fact]
    public void A_patch_of_a_spec_merges_maps_deletes_with_null_and_replaces_arrays_whole()
    {
        var spec = ClusterSpecValidator.Validate(Specs.Valid() with { Tags = new() { ["team"] = "a", ["env"] = "dev" } });

        var patched = SpecJson.Patch(spec, """
            {"description":"day two","tags":{"env":null,"cost":"42"},
             "nodePools":[{"name":"control-plane","role":"control-plane","count":3,"instanceType":"m5.large","availabilityZones":["us-east-1a"]},
                          {"name":"workers","role":"worker","count":4,"instanceType":"m5.xlarge","availabilityZones":["us-east-1a","us-east-1b"]}]}
            """);

        patched.Description.Should().Be("day two");
        patched.Tags.Should().BeEquivalentTo(new Dictionary<string, string> { ["team"] = "a", ["cost"] = "42" });
        patched.NodePools!.Select(p => p.Count).Should().Equal(3, 4);
        // The array replaced the pools whole: what the old pools had and the patch did not say is gone, and the rules fill the defaults again.
        patched.NodePools![1].DiskSizeGiB.Should().BeNull();
        ClusterChanges.Validate(spec, patched).NodePools![1].DiskSizeGiB.Should().Be(ClusterSpecValidator.DefaultDiskSizeGiB);
    }

    [Fact]
    public void Deleting_a_defaulted_field_with_null_restores_its_default()
    {
        var spec = ClusterSpecValidator.Validate(Specs.Valid());

        var patched = ClusterChanges.Validate(spec, SpecJson.Patch(spec, """{"cloud":{"apiLoadBalancer":null,"vpcCidr":null}}"""));

        patched.Should().BeEquivalentTo(spec);
    }

    [Fact]
    public void Deleting_a_required_field_with_null_names_it()
    {
        var spec = ClusterSpecValidator.Validate(Specs.Valid());

        var errors = Specs.ErrorsOf(() => ClusterChanges.Validate(spec, SpecJson.Patch(spec, """{"profile":{"version":null}}""")));

        errors.Fields().Should().Equal("profile.version");
    }

    [Fact]
    public void A_patch_that_changes_an_immutable_field_is_refused_naming_it()
    {
        var spec = ClusterSpecValidator.Validate(Specs.Valid());

        var act = () => ClusterChanges.Validate(spec, SpecJson.Patch(spec, """{"cloud":{"region":"us-west-2"},"nodePools":null}"""));

        // nodePools: null deletes the pools (a required field); the region is immutable; zones no longer match the region.
        act.Should().Throw<ValidationFailedException>().Which.Errors.Fields().Should().Contain(["cloud.region", "nodePools"]);
    }

    // ---- properties over random JSON ----

    private static readonly string[] Keys = ["a", "b", "c"];

    /// <summary>Random JSON, nulls included, objects over a few shared keys so that patches meet targets.</summary>
    private static Gen<JsonNode?> Json(int depth)
    {
        var scalar = Gen.OneOf(
            Gen.Const((JsonNode?)null),
            Gen.Int[-2, 2].Select(i => (JsonNode?)JsonValue.Create(i)),
            Gen.OneOf("x", "y", "").Select(t => (JsonNode?)JsonValue.Create(t)),
            Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)));
        if (depth == 0)
            return scalar;
        var inner = Json(depth - 1);
        var array = inner.Array[0, 3].Select(items => (JsonNode?)new JsonArray([.. items.Select(i => i?.DeepClone())]));
        var obj = Gen.Select(Gen.Int[0, 7], inner.Array[3], (mask, values) =>
        {
            var o = new JsonObject();
            for (var i = 0; i < Keys.Length; i++)
            {
                if ((mask & (1 << i)) != 0)
                    o[Keys[i]] = values[i]?.DeepClone();
            }
            return (JsonNode?)o;
        });
        return Gen.Frequency((2, scalar), (1, array), (3, obj));
    }

    private static bool HasNullMember(JsonNode? node) => node switch
    {
        JsonObject o => o.Any(p => p.Value is null || HasNullMember(p.Value)),
        _ => false,
    };

    [Fact]
    public void Applying_a_patch_twice_is_applying_it_once()
    {
        Gen.Select(Json(3), Json(3)).Sample((target, patch) =>
        {
            var once = JsonMergePatch.Apply(target, patch);
            JsonNode.DeepEquals(JsonMergePatch.Apply(once, patch), once).Should().BeTrue($"{target?.ToJsonString()} + {patch?.ToJsonString()}");
        }, iter: 5000);
    }

    [Fact]
    public void A_patch_without_null_members_applied_to_nothing_is_the_patch()
    {
        Json(3).Where(p => !HasNullMember(p)).Sample(patch =>
        {
            JsonNode.DeepEquals(JsonMergePatch.Apply(new JsonObject(), patch), patch).Should().BeTrue(patch?.ToJsonString());
        }, iter: 3000);
    }

    [Fact]
    public void Every_patched_member_takes_the_patch_value_or_is_gone_and_the_rest_is_kept()
    {
        Gen.Select(Json(3).Where(t => t is JsonObject), Json(3).Where(p => p is JsonObject)).Sample((target, patch) =>
        {
            var result = JsonMergePatch.Apply(target, patch)!.AsObject();
            foreach (var (key, value) in patch!.AsObject())
            {
                if (value is null)
                    result.ContainsKey(key).Should().BeFalse();
                else if (value is not JsonObject)
                    JsonNode.DeepEquals(result[key], value).Should().BeTrue();
            }
            foreach (var (key, value) in target!.AsObject().Where(p => !patch.AsObject().ContainsKey(p.Key)))
                JsonNode.DeepEquals(result[key], value).Should().BeTrue();
        }, iter: 3000);
    }
}
