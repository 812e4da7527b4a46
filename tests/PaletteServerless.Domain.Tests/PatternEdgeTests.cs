using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Validation;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests;

/// <summary>
/// .NET's '$' also matches before a final newline and '\d' matches every Unicode digit: a value with a
/// trailing newline or Arabic-Indic digits must not pass a pattern meant for AWS or Kubernetes.
/// </summary>
public class PatternEdgeTests
{
    public static TheoryData<string, Func<ClusterSpec>> SpecsWithATrailingNewline => new()
    {
        { "name", () => Valid() with { Name = "demo\n" } },
        { "cloud.region", () => WithCloud(c => c with { Region = "us-east-1\n" }) },
        { "nodePools[1].name", () => WithWorker(w => w with { Name = "workers\n" }) },
        { "nodePools[1].instanceType", () => WithWorker(w => w with { InstanceType = "m5.large\n" }) },
        { "nodePools[1].availabilityZones[0]", () => WithWorker(w => w with { AvailabilityZones = ["us-east-1a\n"] }) },
        { "nodePools[1].labels.app\n", () => WithWorker(w => w with { Labels = new() { ["app\n"] = "web" } }) },
        { "nodePools[1].labels.app", () => WithWorker(w => w with { Labels = new() { ["app"] = "web\n" } }) },
        { "profile.version", () => Valid() with { Profile = Valid().Profile! with { Version = "1.0.0\n" } } },
        { "cloud.placement.vpcId", () => WithCloud(c => c.Static() with { Placement = c.Static().Placement! with { VpcId = "vpc-0a1b2c3d\n" } }) with
            { NodePools = [ControlPlane() with { AvailabilityZones = null }, Worker() with { AvailabilityZones = null }] } },
    };

    [Theory]
    [MemberData(nameof(SpecsWithATrailingNewline))]
    public void A_trailing_newline_is_refused(string field, Func<ClusterSpec> spec)
    {
        ErrorsOf(spec()).Fields().Should().Contain(field);
    }

    [Fact]
    public void Unicode_digits_are_not_digits_for_aws()
    {
        ErrorsOf(WithCloud(c => c with { Region = "us-east-\u0661" })).Fields().Should().Contain("cloud.region");
        ErrorsOf(() => CloudAccountValidator.Validate(new CloudAccount { Name = "prod", RoleArn = "arn:aws:iam::\u0661\u0662\u0663456789012:role/r" }))
            .Fields().Should().Equal("roleArn");
        ErrorsOf(() => CloudAccountValidator.Validate(new CloudAccount { Name = "prod", RoleArn = "arn:aws:iam::123456789012:role/r\u00e9" }))
            .Fields().Should().Equal("roleArn");
        ErrorsOf(() => CloudAccountValidator.Validate(new CloudAccount { Name = "prod", RoleArn = "arn:aws:iam::123456789012:role/r", ExternalId = "ext\u00e9" }))
            .Fields().Should().Equal("externalId");
        KubernetesVersion.IsValid("1.\u0663\u0660.4").Should().BeFalse();
    }

    [Fact]
    public void Cloud_account_and_profile_patterns_refuse_a_trailing_newline()
    {
        ErrorsOf(() => CloudAccountValidator.Validate(new CloudAccount { Name = "prod", RoleArn = "arn:aws:iam::123456789012:role/r\n" }))
            .Fields().Should().Equal("roleArn");
        ErrorsOf(() => CloudAccountValidator.Validate(new CloudAccount { Name = "prod", RoleArn = "arn:aws:iam::123456789012:role/r", ExternalId = "ext-id\n" }))
            .Fields().Should().Equal("externalId");
        ErrorsOf(() => CloudAccountValidator.Validate(new CloudAccount { Name = "prod\n" })).Fields().Should().Equal("name");
        KubernetesVersion.IsValid("1.30.4\n").Should().BeFalse();

        var rules = new Rules();
        rules.SemVer("version", "1.2.3\n");
        rules.DnsLabel("name", "web\n", 1, 63);
        rules.Errors.Select(e => e.Field).Should().Equal("version", "name");
    }
}
