using System.Diagnostics;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests;

/// <summary>
/// Pack values are plain YAML: anchors, aliases and merge keys are refused on the field that holds them
/// (a cluster's profile.packValues.&lt;pack&gt;, a profile's packs[i].values), an alias bomb among them,
/// at once and before anything expands it.
/// </summary>
public class PackValuesYamlTests
{
    /// <summary>Ten levels of ten aliases each: 10^10 strings to whatever expands it.</summary>
    public static readonly string AliasBomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" +
        string.Concat(Enumerable.Range(1, 9).Select(i =>
            $"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(',', Enumerable.Repeat($"*{(char)('a' + i - 1)}", 10))}]\n"));

    private static ClusterSpec WithCalicoValues(string values) => Valid() with
    {
        Profile = Valid().Profile! with { PackValues = new() { ["calico"] = values } },
    };

    private static ClusterProfile ProfileWithCsiValues(string values) => new()
    {
        Name = "ubuntu-k8s",
        Version = "1.0.0",
        Packs =
        [
            new Pack { Layer = "os", Name = "ubuntu", Version = "22.04" },
            new Pack { Layer = "k8s", Name = "kubernetes", Version = "1.30.4" },
            new Pack { Layer = "cni", Name = "calico", Version = "3.27.0" },
            new Pack { Layer = "csi", Name = "aws-ebs-csi", Version = "1.30.0", Values = values },
        ],
    };

    [Theory]
    [InlineData("base: &defaults\n  mtu: 1400\n", "anchor &defaults (line 1)")]
    [InlineData("mtu: 1400\nother: *defaults\n", "alias *defaults (line 2)")]
    [InlineData("list:\n  - &x 1\n  - 2\n", "anchor &x (line 2)")]
    [InlineData("a: {b: &c [1]}\n", "anchor &c")]
    [InlineData("merged:\n  <<: {mtu: 1400}\n", "merge key << (line 2)")]
    [InlineData("merged: {\"<<\": {mtu: 1400}}\n", "merge key <<")]
    [InlineData("merged:\n  !!merge x: {mtu: 1400}\n", "merge key <<")]
    [InlineData("- {<<: [{a: 1}]}\n", "merge key <<")]
    public void Anchors_aliases_and_merge_keys_in_a_cluster_s_pack_values_are_refused_naming_the_pack_s_field(string values, string said)
    {
        var error = ErrorsOf(WithCalicoValues(values)).Should().ContainSingle().Subject;
        error.Field.Should().Be("profile.packValues.calico");
        error.Message.Should().Contain(said).And.Contain("anchors, aliases and merge keys are not accepted");
    }

    [Theory]
    [InlineData("base: &defaults\n  a: 1\nb: *defaults\n")]
    [InlineData("storageClass:\n  <<: {default: true}\n")]
    public void The_same_in_a_profile_s_own_values_is_refused_on_that_pack_s_values(string values)
    {
        ErrorsOf(() => ClusterProfileValidator.Validate(ProfileWithCsiValues(values))).Should().ContainSingle()
            .Which.Field.Should().Be("packs[3].values");
    }

    [Theory]
    [InlineData("password: '*not-an-alias'\nnote: \"&not-an-anchor\"\n")]
    [InlineData("arrow: <<\n")]
    [InlineData("shift: a << b\n")]
    [InlineData("list: [\"<<\", x]\n")]
    [InlineData("glob: foo*bar\namp: a&b\n")]
    public void The_same_characters_as_text_are_fine(string values)
    {
        ErrorsOf(WithCalicoValues(values)).Should().BeEmpty();
        ErrorsOf(() => ClusterProfileValidator.Validate(ProfileWithCsiValues(values))).Should().BeEmpty();
    }

    [Fact]
    public void An_alias_bomb_is_refused_at_once_on_its_first_anchor()
    {
        var watch = Stopwatch.StartNew();
        var error = ErrorsOf(WithCalicoValues(AliasBomb)).Should().ContainSingle().Subject;
        var profileError = ErrorsOf(() => ClusterProfileValidator.Validate(ProfileWithCsiValues(AliasBomb))).Should().ContainSingle().Subject;
        watch.Stop();

        error.Field.Should().Be("profile.packValues.calico");
        error.Message.Should().Contain("anchor &a (line 1)");
        profileError.Field.Should().Be("packs[3].values");
        // Expanded, it would be 10^10 strings: no reader would come back within the hour. The bound is wide because
        // a loaded machine slows the first parse (JIT) many times over; it still tells refusal from expansion.
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData("a: !foo bar\n", "tag !foo (line 1)")]
    [InlineData("a: !!binary aGVsbG8=\n", "tag tag:yaml.org,2002:binary")]
    [InlineData("a: !!python/object:os.system x\n", "tag tag:yaml.org,2002:python/object:os.system")]
    [InlineData("a: !!int not-a-number\n", "tag tag:yaml.org,2002:int")]
    [InlineData("mtu: 1400\n---\nmtu: 1500\n", "more than one YAML document (line 2)")]
    [InlineData("? \n: a\n", "not valid YAML")]
    public void Tags_further_documents_and_null_keys_which_the_values_reader_fails_on_are_refused_not_left_for_the_launch(string values, string said)
    {
        // Each of these made the user data's reader throw after validation passed: a 500 on create instead of a 400.
        var error = ErrorsOf(WithCalicoValues(values)).Should().ContainSingle().Subject;
        error.Field.Should().Be("profile.packValues.calico");
        error.Message.Should().Contain(said);
        ErrorsOf(() => ClusterProfileValidator.Validate(ProfileWithCsiValues(values))).Should().ContainSingle()
            .Which.Field.Should().Be("packs[3].values");
    }

    [Fact]
    public void Plain_values_still_pass_and_broken_ones_still_name_the_syntax_error()
    {
        ErrorsOf(WithCalicoValues("mtu: 1400\nipam:\n  type: calico-ipam\n")).Should().BeEmpty();
        ErrorsOf(WithCalicoValues("mtu: [1400\n")).Should().ContainSingle().Which.Message.Should().Contain("not valid YAML");
    }
}
