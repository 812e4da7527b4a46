using PaletteServerless.Domain.Clusters;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests;

/// <summary>The cluster spec's rules: name, tags, references, cloud (node pools and defaults in the other part).</summary>
public partial class ClusterSpecValidatorTests
{
    [Fact]
    public void The_reference_spec_is_valid()
    {
        ErrorsOf(Valid()).Should().BeEmpty();
    }

    // ---- name ----

    [Theory]
    [InlineData(3)]
    [InlineData(63)]
    public void Name_of_3_to_63_characters_is_accepted(int length)
    {
        ErrorsOf(Valid() with { Name = new string('a', length) }).Should().BeEmpty();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(64)]
    public void Name_shorter_than_3_or_longer_than_63_is_refused(int length)
    {
        ErrorsOf(Valid() with { Name = new string('a', length) }).Fields().Should().Equal("name");
    }

    [Theory]
    [InlineData("Demo")]
    [InlineData("-demo")]
    [InlineData("demo-")]
    [InlineData("de_mo")]
    [InlineData("de.mo")]
    [InlineData("démo")]
    public void Name_must_be_a_dns_label(string name)
    {
        ErrorsOf(Valid() with { Name = name }).Fields().Should().Equal("name");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Name_is_required(string? name)
    {
        var errors = ErrorsOf(Valid() with { Name = name });
        errors.Should().ContainSingle().Which.Should().Be(new Validation.ValidationError("name", "is required"));
    }

    [Fact]
    public void Description_is_at_most_1024_characters()
    {
        ErrorsOf(Valid() with { Description = new string('d', 1024) }).Should().BeEmpty();
        ErrorsOf(Valid() with { Description = new string('d', 1025) }).Fields().Should().Equal("description");
    }

    // ---- tags ----

    private static Dictionary<string, string> Tags(int count) =>
        Enumerable.Range(0, count).ToDictionary(i => $"key{i}", i => $"value{i}");

    [Fact]
    public void Fifty_tags_are_accepted_and_fifty_one_refused()
    {
        ErrorsOf(Valid() with { Tags = Tags(50) }).Should().BeEmpty();
        ErrorsOf(Valid() with { Tags = Tags(51) }).Fields().Should().Equal("tags");
    }

    [Fact]
    public void Tag_key_of_128_characters_is_accepted_and_129_refused()
    {
        var ok = new string('k', 128);
        var tooLong = new string('k', 129);
        ErrorsOf(Valid() with { Tags = new() { [ok] = "v" } }).Should().BeEmpty();
        ErrorsOf(Valid() with { Tags = new() { [tooLong] = "v" } }).Fields().Should().Equal($"tags.{tooLong}");
    }

    [Fact]
    public void Empty_tag_key_is_refused()
    {
        ErrorsOf(Valid() with { Tags = new() { [""] = "v" } }).Fields().Should().Equal("tags.");
    }

    [Fact]
    public void Tag_value_of_0_to_256_characters_is_accepted_and_257_refused()
    {
        ErrorsOf(Valid() with { Tags = new() { ["team"] = "" } }).Should().BeEmpty();
        ErrorsOf(Valid() with { Tags = new() { ["team"] = new string('v', 256) } }).Should().BeEmpty();
        ErrorsOf(Valid() with { Tags = new() { ["team"] = new string('v', 257) } }).Fields().Should().Equal("tags.team");
    }

    [Fact]
    public void Null_tag_value_is_refused()
    {
        ErrorsOf(Valid() with { Tags = new() { ["team"] = null! } }).Fields().Should().Equal("tags.team");
    }

    [Theory]
    [InlineData("aws:cost-center")]
    [InlineData("AWS:cost-center")]
    [InlineData("Aws:x")]
    public void Tag_keys_starting_with_aws_prefix_are_refused(string key)
    {
        ErrorsOf(Valid() with { Tags = new() { [key] = "v" } }).Fields().Should().Equal($"tags.{key}");
    }

    [Fact]
    public void Aws_inside_a_tag_key_is_fine()
    {
        ErrorsOf(Valid() with { Tags = new() { ["my-aws:key"] = "v", ["aws"] = "v" } }).Should().BeEmpty();
    }

    [Theory]
    [InlineData("palette.serverless/cluster-uid", "palette.serverless/")]
    [InlineData("palette.serverless/tenant", "palette.serverless/")]
    [InlineData("Palette.Serverless/project", "palette.serverless/")]
    [InlineData("kubernetes.io/cluster/other-cluster", "kubernetes.io/")]
    [InlineData("kubernetes.io/role/elb", "kubernetes.io/")]
    [InlineData("Kubernetes.IO/role/internal-elb", "kubernetes.io/")]
    [InlineData("sigs.k8s.io/cluster-api-provider-aws/cluster/other", "sigs.k8s.io/")]
    [InlineData("sigs.k8s.io/cluster-api-provider-aws/role", "sigs.k8s.io/")]
    public void Tag_keys_with_a_prefix_the_product_Kubernetes_or_Cluster_API_reads_are_refused_naming_the_tag_and_the_prefix(string key, string prefix)
    {
        var error = ErrorsOf(Valid() with { Tags = new() { [key] = "owned", ["team"] = "platform" } }).Should().ContainSingle().Subject;
        error.Field.Should().Be($"tags.{key}");
        error.Message.Should().Contain($"must not start with '{prefix}'");
    }

    [Fact]
    public void Tag_keys_that_only_resemble_a_reserved_prefix_are_fine()
    {
        ErrorsOf(Valid() with
        {
            Tags = new()
            {
                ["example.com/kubernetes.io/x"] = "v", ["kubernetes.io"] = "v", ["my.kubernetes.io/x"] = "v",
                ["palette.serverless"] = "v", ["palette.serverless-team"] = "v", ["k8s.io/x"] = "v",
            },
        }).Should().BeEmpty();
    }

    [Fact]
    public void A_day_2_change_that_adds_a_reserved_tag_is_refused_the_same_way()
    {
        var current = ClusterSpecValidator.Validate(Valid());
        var refused = FluentActions.Invoking(() => PaletteServerless.Domain.Changes.ClusterChanges.Validate(current,
            current with { Tags = new() { ["kubernetes.io/cluster/victim"] = "owned" } })).Should().Throw<Errors.ValidationFailedException>().Which;
        refused.Errors.Should().ContainSingle().Which.Field.Should().Be("tags.kubernetes.io/cluster/victim");
    }

    // ---- references ----

    [Fact]
    public void Cloud_account_is_required_and_at_most_63_characters()
    {
        ErrorsOf(Valid() with { CloudAccount = null }).Fields().Should().Equal("cloudAccount");
        ErrorsOf(Valid() with { CloudAccount = new string('a', 63) }).Should().BeEmpty();
        ErrorsOf(Valid() with { CloudAccount = new string('a', 64) }).Fields().Should().Equal("cloudAccount");
    }

    [Fact]
    public void Profile_reference_needs_a_name_and_a_semantic_version()
    {
        ErrorsOf(Valid() with { Profile = null }).Fields().Should().Equal("profile");
        ErrorsOf(Valid() with { Profile = new ProfileReference { Version = "1.0.0" } }).Fields().Should().Equal("profile.name");
        ErrorsOf(Valid() with { Profile = new ProfileReference { Name = "p1" } }).Fields().Should().Equal("profile.version");
        ErrorsOf(Valid() with { Profile = new ProfileReference { Name = "p1", Version = "1.0" } }).Fields().Should().Equal("profile.version");
        ErrorsOf(Valid() with { Profile = new ProfileReference { Name = "P1", Version = "1.0.0" } }).Fields().Should().Equal("profile.name");
    }

    [Fact]
    public void Pack_values_must_be_yaml_that_parses_naming_the_pack()
    {
        var good = Valid() with { Profile = Valid().Profile! with { PackValues = new() { ["cilium"] = "ipam:\n  mode: kubernetes\n" } } };
        ErrorsOf(good).Should().BeEmpty();

        var bad = Valid() with { Profile = Valid().Profile! with { PackValues = new() { ["cilium"] = "ipam: [unclosed" } } };
        var error = ErrorsOf(bad).Should().ContainSingle().Subject;
        error.Field.Should().Be("profile.packValues.cilium");
        error.Message.Should().Contain("cilium").And.Contain("YAML");
    }

    // ---- cloud ----

    [Fact]
    public void Cloud_is_required_and_needs_region_and_ssh_key()
    {
        ErrorsOf(Valid() with { Cloud = null }).Fields().Should().Contain("cloud");
        ErrorsOf(WithCloud(c => c with { Region = null })).Fields().Should().Equal("cloud.region");
        ErrorsOf(WithCloud(c => c with { SshKeyName = null })).Fields().Should().Equal("cloud.sshKeyName");
        ErrorsOf(WithCloud(c => c with { SshKeyName = new string('k', 255) })).Should().BeEmpty();
        ErrorsOf(WithCloud(c => c with { SshKeyName = new string('k', 256) })).Fields().Should().Equal("cloud.sshKeyName");
    }

    [Theory]
    [InlineData("useast1")]
    [InlineData("US-EAST-1")]
    [InlineData("us-east-1a")]
    [InlineData("us-east")]
    public void Region_must_be_an_aws_region_name(string region)
    {
        // The pools' zones then no longer match the region either; the region is what is named first.
        ErrorsOf(WithCloud(c => c with { Region = region })).Fields().Should().Contain("cloud.region");
    }

    [Fact]
    public void Gov_cloud_regions_are_accepted()
    {
        var spec = WithCloud(c => c with { Region = "us-gov-west-1" }) with
        {
            NodePools = [ControlPlane() with { AvailabilityZones = ["us-gov-west-1a"] }, Worker() with { AvailabilityZones = ["us-gov-west-1b"] }],
        };
        ErrorsOf(spec).Should().BeEmpty();
    }

    [Theory]
    [InlineData("internet-facing")]
    [InlineData("internal")]
    public void Api_load_balancer_scheme_is_internet_facing_or_internal(string scheme)
    {
        ErrorsOf(WithCloud(c => c with { ApiLoadBalancer = scheme })).Should().BeEmpty();
    }

    [Fact]
    public void Other_api_load_balancer_schemes_are_refused()
    {
        ErrorsOf(WithCloud(c => c with { ApiLoadBalancer = "public" })).Fields().Should().Equal("cloud.apiLoadBalancer");
    }

    [Theory]
    [InlineData("10.0.0.0/16")]
    [InlineData("10.0.0.0/24")]
    [InlineData("192.168.0.0/20")]
    [InlineData("172.16.4.0/22")]
    public void Vpc_cidr_from_16_to_24_is_accepted(string cidr)
    {
        ErrorsOf(WithCloud(c => c with { VpcCidr = cidr })).Should().BeEmpty();
    }

    [Theory]
    [InlineData("10.0.0.0/15")]
    [InlineData("10.0.0.0/25")]
    [InlineData("10.0.0.0/8")]
    [InlineData("10.0.0.0/32")]
    public void Vpc_cidr_outside_16_to_24_is_refused(string cidr)
    {
        ErrorsOf(WithCloud(c => c with { VpcCidr = cidr })).Should().ContainSingle()
            .Which.Message.Should().Contain("/16 to /24");
    }

    [Theory]
    [InlineData("10.0.0.1/16")]
    [InlineData("10.0.1.0/16")]
    [InlineData("10.0.0.128/24")]
    public void Vpc_cidr_with_host_bits_set_is_refused(string cidr)
    {
        ErrorsOf(WithCloud(c => c with { VpcCidr = cidr })).Should().ContainSingle()
            .Which.Message.Should().Contain("host bits");
    }

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0/16")]
    [InlineData("10.0.0.0/abc")]
    [InlineData("10.0.0.0/+16")]
    [InlineData("300.0.0.0/16")]
    [InlineData("::1/16")]
    [InlineData("10.0.0.0/16/1")]
    [InlineData("010.0.0.0/16")]
    [InlineData("0x0a.0.0.0/16")]
    [InlineData("10.0.0.0/016")]
    [InlineData(" 10.0.0.0/16")]
    [InlineData("")]
    public void Vpc_cidr_that_is_not_an_ipv4_block_is_refused(string cidr)
    {
        ErrorsOf(WithCloud(c => c with { VpcCidr = cidr })).Fields().Should().Equal("cloud.vpcCidr");
    }

    [Fact]
    public void Dynamic_placement_refuses_the_static_fields()
    {
        var errors = ErrorsOf(WithCloud(c => c with
        {
            Placement = new PlacementSpec
            {
                Mode = PlacementModes.Dynamic,
                VpcId = "vpc-0a1b2c3d",
                ControlPlaneSubnetIds = ["subnet-0a1b2c3d"],
                WorkerSubnetIds = ["subnet-0a1b2c3d"],
            },
        }));
        errors.Fields().Should().BeEquivalentTo(
            "cloud.placement.vpcId", "cloud.placement.controlPlaneSubnetIds", "cloud.placement.workerSubnetIds");
    }

    [Fact]
    public void Static_placement_is_accepted_with_vpc_and_subnets_and_needs_no_zones()
    {
        var spec = WithCloud(c => c.Static()) with
        {
            NodePools = [ControlPlane() with { AvailabilityZones = null }, Worker() with { AvailabilityZones = null }],
        };
        ErrorsOf(spec).Should().BeEmpty();
    }

    [Fact]
    public void Static_placement_refuses_a_vpc_cidr()
    {
        ErrorsOf(WithCloud(c => c.Static() with { VpcCidr = "10.0.0.0/16" })).Fields().Should().Equal("cloud.vpcCidr");
    }

    [Fact]
    public void Static_placement_needs_a_vpc_id_and_subnet_ids_of_the_right_shape()
    {
        ErrorsOf(WithCloud(c => c.Static() with { Placement = c.Static().Placement! with { VpcId = null } }))
            .Fields().Should().Equal("cloud.placement.vpcId");
        ErrorsOf(WithCloud(c => c.Static() with { Placement = c.Static().Placement! with { VpcId = "vpc-xyz" } }))
            .Fields().Should().Equal("cloud.placement.vpcId");
        ErrorsOf(WithCloud(c => c.Static() with { Placement = c.Static().Placement! with { VpcId = "vpc-0123456789abcdef0" } }))
            .Should().BeEmpty();
        ErrorsOf(WithCloud(c => c.Static() with { Placement = c.Static().Placement! with { ControlPlaneSubnetIds = [] } }))
            .Fields().Should().Equal("cloud.placement.controlPlaneSubnetIds");
        ErrorsOf(WithCloud(c => c.Static() with { Placement = c.Static().Placement! with { WorkerSubnetIds = null } }))
            .Fields().Should().Equal("cloud.placement.workerSubnetIds");
        ErrorsOf(WithCloud(c => c.Static() with { Placement = c.Static().Placement! with { WorkerSubnetIds = ["subnet-1a1b2c3d", "sn-1"] } }))
            .Fields().Should().Equal("cloud.placement.workerSubnetIds[1]");
        ErrorsOf(WithCloud(c => c.Static() with { Placement = c.Static().Placement! with { WorkerSubnetIds = ["subnet-1a1b2c3d", null!] } }))
            .Fields().Should().Equal("cloud.placement.workerSubnetIds[1]");
        ErrorsOf(WithCloud(c => c.Static() with { Placement = c.Static().Placement! with { WorkerSubnetIds = ["subnet-1a1b2c3d", "subnet-1a1b2c3d"] } }))
            .Fields().Should().Equal("cloud.placement.workerSubnetIds");
    }

    [Fact]
    public void Placement_mode_must_be_dynamic_or_static()
    {
        ErrorsOf(WithCloud(c => c with { Placement = new PlacementSpec { Mode = "hybrid" } }))
            .Fields().Should().Contain("cloud.placement.mode");
    }
}
