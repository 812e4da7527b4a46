using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Tests;

public class KubernetesRulesTests
{
    private static IEnumerable<string> LabelErrors(string key, string value)
    {
        var rules = new Rules();
        KubernetesRules.Labels(rules, "labels", new() { [key] = value });
        return rules.Errors.Select(e => e.Field);
    }

    private static IEnumerable<string> TaintErrors(params TaintSpec[] taints)
    {
        var rules = new Rules();
        KubernetesRules.Taints(rules, "taints", [.. taints]);
        return rules.Errors.Select(e => e.Field);
    }

    [Theory]
    [InlineData("app", "web")]
    [InlineData("node.kubernetes.io/pool", "gpu-a100")]
    [InlineData("example.com/Team_Name", "A.b-c_d")]
    [InlineData("tier", "")]
    public void Kubernetes_label_keys_and_values_are_accepted(string key, string value)
    {
        LabelErrors(key, value).Should().BeEmpty();
    }

    [Theory]
    [InlineData("bad key", "v")]
    [InlineData("/name", "v")]
    [InlineData("Example.com/name", "v")]
    [InlineData("example.com/", "v")]
    [InlineData("-app", "v")]
    [InlineData("app", "-web")]
    [InlineData("app", "web app")]
    public void Invalid_label_keys_or_values_are_refused(string key, string value)
    {
        LabelErrors(key, value).Should().Equal($"labels.{key}");
    }

    [Fact]
    public void Label_name_part_and_value_are_at_most_63_characters()
    {
        LabelErrors(new string('k', 63), new string('v', 63)).Should().BeEmpty();
        LabelErrors(new string('k', 64), "v").Should().Equal($"labels.{new string('k', 64)}");
        LabelErrors("k", new string('v', 64)).Should().Equal("labels.k");
        LabelErrors(new string('p', 253) + "/name", "v").Should().BeEmpty();
        LabelErrors(new string('p', 254) + "/name", "v").Should().ContainSingle();
    }

    [Fact]
    public void Null_label_value_is_refused()
    {
        var rules = new Rules();
        KubernetesRules.Labels(rules, "labels", new() { ["app"] = null! });
        rules.Errors.Select(e => e.Field).Should().Equal("labels.app");
    }

    [Theory]
    [InlineData("NoSchedule")]
    [InlineData("PreferNoSchedule")]
    [InlineData("NoExecute")]
    public void Taint_effects_of_kubernetes_are_accepted(string effect)
    {
        TaintErrors(new TaintSpec { Key = "dedicated", Value = "gpu", Effect = effect }).Should().BeEmpty();
    }

    [Theory]
    [InlineData("noschedule")]
    [InlineData("Never")]
    [InlineData("")]
    public void Other_taint_effects_are_refused(string effect)
    {
        TaintErrors(new TaintSpec { Key = "dedicated", Effect = effect }).Should().Equal("taints[0].effect");
    }

    [Fact]
    public void Taint_needs_key_and_effect_and_a_label_like_value()
    {
        TaintErrors(new TaintSpec { Effect = "NoSchedule" }).Should().Equal("taints[0].key");
        TaintErrors(new TaintSpec { Key = "bad key", Effect = "NoSchedule" }).Should().Equal("taints[0].key");
        TaintErrors(new TaintSpec { Key = "dedicated" }).Should().Equal("taints[0].effect");
        TaintErrors(new TaintSpec { Key = "dedicated", Value = "a b", Effect = "NoSchedule" }).Should().Equal("taints[0].value");
        TaintErrors(new TaintSpec { Key = "example.com/gpu", Effect = "NoExecute" }).Should().BeEmpty("the value is optional");
    }

    [Fact]
    public void Same_key_and_effect_twice_is_refused_but_another_effect_is_fine()
    {
        TaintErrors(
            new TaintSpec { Key = "gpu", Effect = "NoSchedule" },
            new TaintSpec { Key = "gpu", Effect = "NoExecute" },
            new TaintSpec { Key = "gpu", Value = "x", Effect = "NoSchedule" }).Should().Equal("taints[2]");
    }

    [Fact]
    public void Null_taint_is_named_by_index()
    {
        TaintErrors(new TaintSpec { Key = "gpu", Effect = "NoSchedule" }, null!).Should().Equal("taints[1]");
    }
}
