using PaletteServerless.Domain.Profiles;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests;

public class ClusterProfileValidatorTests
{
    private static ClusterProfile Valid() => new()
    {
        Name = "ubuntu-k8s",
        Version = "1.0.0",
        Packs =
        [
            new Pack { Layer = "os", Name = "ubuntu", Version = "22.04", Values = "" },
            new Pack { Layer = "k8s", Name = "kubernetes", Version = "1.30.4", Values = "apiServer:\n  extraArgs: {}\n" },
            new Pack { Layer = "cni", Name = "cilium", Version = "1.15.3" },
            new Pack { Layer = "csi", Name = "aws-ebs-csi", Version = "1.28.0", Values = "storageClass:\n  default: true\n" },
        ],
    };

    private static ClusterProfile WithPack(int index, Func<Pack, Pack> change)
    {
        var profile = Valid();
        var packs = profile.Packs!.ToList();
        packs[index] = change(packs[index]);
        return profile with { Packs = packs };
    }

    private static IReadOnlyList<Validation.ValidationError> Errors(ClusterProfile profile) =>
        ErrorsOf(() => ClusterProfileValidator.Validate(profile));

    [Fact]
    public void The_reference_profile_is_valid()
    {
        Errors(Valid()).Should().BeEmpty();
    }

    [Fact]
    public void Addon_packs_may_be_added()
    {
        var profile = Valid() with { Packs = [.. Valid().Packs!, new Pack { Layer = "addon", Name = "nginx", Version = "4.10.0" }] };
        Errors(profile).Should().BeEmpty();
    }

    [Theory]
    [InlineData("os")]
    [InlineData("k8s")]
    [InlineData("cni")]
    [InlineData("csi")]
    public void Exactly_one_pack_of_each_core_layer_is_required(string layer)
    {
        var missing = Valid() with { Packs = Valid().Packs!.Where(p => p.Layer != layer).ToList() };
        Errors(missing).Should().ContainSingle().Which.Should().Match<Validation.ValidationError>(
            e => e.Field == "packs" && e.Message.Contains($"'{layer}'") && e.Message.Contains("found 0"));

        // A second pack of the layer under another name: the catalog names it too (packs[4].name).
        var extra = Valid() with { Packs = [.. Valid().Packs!, Valid().Packs!.Single(p => p.Layer == layer) with { Name = "second" }] };
        Errors(extra).Where(e => e.Field == "packs").Should().ContainSingle().Which.Message.Should().Contain($"'{layer}'").And.Contain("found 2");
    }

    [Fact]
    public void Packs_are_required()
    {
        Errors(Valid() with { Packs = null }).Fields().Should().OnlyContain(f => f == "packs").And.HaveCount(4);
    }

    [Fact]
    public void Layer_must_be_known()
    {
        Errors(WithPack(2, p => p with { Layer = "network" })).Fields().Should().Contain("packs[2].layer");
        Errors(WithPack(2, p => p with { Layer = null })).Fields().Should().Contain("packs[2].layer");
    }

    [Fact]
    public void Pack_values_that_are_not_yaml_are_refused_naming_the_pack()
    {
        var error = Errors(WithPack(3, p => p with { Values = "storageClass: [unclosed\n" })).Should().ContainSingle().Subject;
        error.Field.Should().Be("packs[3].values");
        error.Message.Should().Contain("aws-ebs-csi").And.Contain("not valid YAML").And.Contain("line");
    }

    [Theory]
    [InlineData("key: value\n  bad indent: x")]
    [InlineData("a: 'unterminated")]
    [InlineData("- a\nb: c")]
    [InlineData("a: 1\na: 2")]
    [InlineData("- :")]
    [InlineData("? {\n`")]
    [InlineData("- [\nb[")]
    public void Broken_yaml_documents_are_refused(string yaml)
    {
        Errors(WithPack(0, p => p with { Values = yaml })).Fields().Should().Equal("packs[0].values");
    }

    [Fact]
    public void Yaml_nesting_is_bounded_so_deep_text_cannot_overflow_the_stack()
    {
        static string Nested(int depth) => new string('[', depth) + new string(']', depth);
        var rules = new Validation.Rules();

        rules.Yaml("ok", Nested(Validation.Rules.MaxYamlDepth), "ok");
        rules.Yaml("flow", Nested(Validation.Rules.MaxYamlDepth + 1), "flow");
        rules.Yaml("block", string.Concat(Enumerable.Range(0, 100).Select(i => new string(' ', i) + "k:\n")), "block");
        // Unclosed and far deeper than any stack allows for the document model: refused, the process survives.
        rules.Yaml("huge", new string('[', 60_000), "huge");

        rules.Errors.Select(e => e.Field).Should().Equal("flow", "block", "huge");
        rules.Errors[0].Message.Should().Contain("deeper than 64");
    }

    [Fact]
    public void Pack_values_are_at_most_32_kib()
    {
        var big = "k: " + new string('v', 32 * 1024);
        Errors(WithPack(0, p => p with { Values = big })).Fields().Should().Equal("packs[0].values");
        var fits = "k: " + new string('v', 32 * 1024 - 3);
        Errors(WithPack(0, p => p with { Values = fits })).Should().BeEmpty();
    }

    [Fact]
    public void Pack_names_are_unique_dns_labels()
    {
        Errors(WithPack(2, p => p with { Name = "ubuntu" })).Fields().Should().Equal("packs[2].name");
        Errors(WithPack(2, p => p with { Name = "Cilium" })).Fields().Should().Equal("packs[2].name");
        Errors(WithPack(2, p => p with { Name = null })).Fields().Should().Equal("packs[2].name");
    }

    [Fact]
    public void Pack_version_is_required_and_at_most_64_characters()
    {
        Errors(WithPack(2, p => p with { Version = null })).Fields().Should().Equal("packs[2].version");
        // 64 characters pass the length rule and meet the catalog's; 65 meet the length rule only.
        Errors(WithPack(2, p => p with { Version = new string('1', 64) })).Should().ContainSingle()
            .Which.Message.Should().Contain("no version");
        Errors(WithPack(2, p => p with { Version = new string('1', 65) })).Should().ContainSingle()
            .Which.Message.Should().Contain("64");
    }

    [Theory]
    [InlineData("1.30.4", true)]
    [InlineData("v1.31.2", true)]
    [InlineData("1.30", false)]
    [InlineData("2.0.0", false)]
    [InlineData("latest", false)]
    public void Kubernetes_pack_version_is_a_kubernetes_release(string version, bool valid)
    {
        var errors = Errors(WithPack(1, p => p with { Version = version }));
        if (valid)
            errors.Should().BeEmpty();
        else
            errors.Fields().Should().Equal("packs[1].version");
    }

    [Theory]
    [InlineData("0.0.0")]
    [InlineData("1.2.3")]
    [InlineData("10.20.30")]
    [InlineData("1.0.0-alpha.1")]
    [InlineData("1.0.0+build.5")]
    [InlineData("1.0.0-rc.1+sha.abc")]
    public void Profile_version_in_semver_is_accepted(string version)
    {
        Errors(Valid() with { Version = version }).Should().BeEmpty();
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("v1.0.0")]
    [InlineData("01.0.0")]
    [InlineData("1.0.0-")]
    [InlineData("1.0.0.0")]
    [InlineData("")]
    public void Profile_version_not_in_semver_is_refused(string version)
    {
        Errors(Valid() with { Version = version }).Fields().Should().Equal("version");
    }

    [Fact]
    public void Profile_name_is_a_dns_label_and_description_at_most_1024()
    {
        Errors(Valid() with { Name = "Bad Name" }).Fields().Should().Equal("name");
        Errors(Valid() with { Name = new string('p', 64) }).Fields().Should().Equal("name");
        Errors(Valid() with { Description = new string('d', 1024) }).Should().BeEmpty();
        Errors(Valid() with { Description = new string('d', 1025) }).Fields().Should().Equal("description");
    }

    [Fact]
    public void At_most_50_packs()
    {
        // The catalog has fewer addons than that, so the extra packs are also named as unknown ones.
        var addons = Enumerable.Range(0, 47).Select(i => new Pack { Layer = "addon", Name = $"addon-{i}", Version = "1.0.0" });
        Errors(Valid() with { Packs = [.. Valid().Packs!, .. addons.Take(46)] }).Fields().Should().NotContain("packs");
        Errors(Valid() with { Packs = [.. Valid().Packs!, .. addons] }).Where(e => e.Field == "packs").Should().ContainSingle()
            .Which.Message.Should().Contain("at most 50");
    }

    [Fact]
    public void A_null_pack_is_named_by_index()
    {
        Errors(Valid() with { Packs = [.. Valid().Packs!, null!] }).Fields().Should().Equal("packs[4]");
    }

    [Theory]
    [InlineData("1.30.4")]
    [InlineData("v1.31.12")]
    [InlineData("1.34.1")]
    public void Any_patch_of_a_catalog_kubernetes_minor_is_accepted(string version)
    {
        Errors(WithPack(1, p => p with { Version = version })).Should().BeEmpty();
    }

    [Fact]
    public void A_kubernetes_minor_the_catalog_does_not_have_names_the_field_and_the_supported_versions()
    {
        var error = Errors(WithPack(1, p => p with { Version = "1.28.9" })).Should().ContainSingle().Subject;
        error.Field.Should().Be("packs[1].version");
        error.Message.Should().Contain("'1.28.9'").And.Contain("1.30.x, 1.31.x, 1.32.x, 1.33.x, 1.34.x");
    }

    [Fact]
    public void A_version_the_catalog_does_not_have_names_the_field_and_the_supported_versions()
    {
        var error = Errors(WithPack(2, p => p with { Version = "1.15.4" })).Should().ContainSingle().Subject;
        error.Field.Should().Be("packs[2].version");
        error.Message.Should().Contain("cilium").And.Contain("'1.15.4'").And.Contain("1.15.3").And.Contain("1.16.0");
        Errors(WithPack(0, p => p with { Version = "20.04" })).Should().ContainSingle()
            .Which.Message.Should().Contain("22.04, 24.04");
    }

    [Fact]
    public void An_unknown_pack_names_the_field_and_the_packs_of_its_layer()
    {
        var error = Errors(WithPack(2, p => p with { Name = "flannel" })).Should().ContainSingle().Subject;
        error.Field.Should().Be("packs[2].name");
        error.Message.Should().Contain("'flannel'").And.Contain("calico, cilium");
    }

    [Fact]
    public void A_catalog_pack_in_the_wrong_layer_names_the_layer_it_belongs_to()
    {
        var error = Errors(WithPack(3, p => p with { Layer = "cni" })).Where(e => e.Field.StartsWith("packs[", StringComparison.Ordinal)).Should().ContainSingle().Subject;
        error.Field.Should().Be("packs[3].layer");
        error.Message.Should().Be("pack 'aws-ebs-csi' is of layer 'csi'");
    }

    [Fact]
    public void The_profiles_of_the_readme_the_demo_and_the_tests_are_in_the_catalog()
    {
        var used = new[]
        {
            ("ubuntu", "22.04"), ("ubuntu", "24.04"), ("kubernetes", "1.30.4"), ("kubernetes", "v1.31.2"), ("calico", "3.27.0"),
            ("cilium", "1.15.3"), ("aws-ebs-csi", "1.30.0"), ("aws-ebs-csi", "1.28.0"), ("nginx", "4.10.0"),
        };
        foreach (var (name, version) in used)
            PackCatalog.Find(name, version).Should().NotBeNull($"{name} {version} is used by the README, the demo or a test");
        PackCatalog.Find("kubernetes", "1.30").Should().BeNull("a Kubernetes version names its patch");
        PackCatalog.Find("calico", "v3.27.0").Should().BeNull("only Kubernetes versions take a leading v");
    }

    [Fact]
    public void Every_catalog_pack_has_an_install_and_default_values_that_are_yaml()
    {
        PackCatalog.Packs.Select(p => (p.Name, p.Version)).Should().OnlyHaveUniqueItems();
        foreach (var pack in PackCatalog.Packs)
        {
            PackLayers.All.Append(PackLayers.Cloud).Should().Contain(pack.Layer);
            var rules = new Validation.Rules();
            rules.Yaml("values", pack.DefaultValues, pack.Name);
            rules.Errors.Should().BeEmpty();
            switch (pack.Install)
            {
                case ManifestInstall manifest:
                    manifest.Url.Should().StartWith("https://").And.Contain(pack.Version);
                    break;
                case HelmChartInstall chart:
                    chart.Repository.Should().StartWith("https://");
                    chart.ChartVersion.Should().NotBeNullOrEmpty();
                    break;
                case PackageRepositoryInstall repository:
                    repository.AptRepository.Should().Contain($"/v{pack.Version}/");
                    repository.PauseImage.Should().StartWith("registry.k8s.io/pause:");
                    break;
                case MachineImageInstall image:
                    image.NamePattern.Should().Contain(pack.Version).And.Contain("{arch}");
                    break;
                default:
                    throw new InvalidOperationException($"{pack.Name} {pack.Version} has no install");
            }
        }
    }
}
