using Amazon.EC2;
using Amazon.EC2.Model;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// Instance metadata options as the EC2 service model defines them: RunInstances' MetadataOptions
/// (with EC2's defaults), DescribeInstances' metadataOptions and ModifyInstanceMetadataOptions.
/// </summary>
public sealed class Ec2MetadataOptionsTests : Ec2TestBase
{
    private const string UbuntuJammy = "ami-0c7217cdde317cfec";
    private const string AmazonLinux2023 = "ami-0440d3b780d96b29d";

    private static (string State, string Tokens, int? HopLimit, string Endpoint, string Ipv6, string Tags) Shape(InstanceMetadataOptionsResponse options) =>
        (options.State.Value, options.HttpTokens.Value, options.HttpPutResponseHopLimit, options.HttpEndpoint.Value, options.HttpProtocolIpv6.Value, options.InstanceMetadataTags.Value);

    [Fact]
    public async Task A_launch_without_options_gets_ec2s_defaults_for_its_image_pending_then_applied()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());

        var ubuntu = (await RunAsync(subnetId)).Single();
        var amazonLinux = (await RunAsync(subnetId, configure: r => r.ImageId = AmazonLinux2023)).Single();

        Shape(ubuntu.MetadataOptions).Should().Be(("pending", "optional", 1, "enabled", "disabled", "disabled"));
        // Amazon Linux 2023 images are registered with ImdsSupport v2.0: tokens required, hop limit 2.
        Shape(amazonLinux.MetadataOptions).Should().Be(("pending", "required", 2, "enabled", "disabled", "disabled"));
        Advance(TimeSpan.FromSeconds(5));
        Shape((await DescribeInstanceAsync(ubuntu.InstanceId)).MetadataOptions).Should().Be(("applied", "optional", 1, "enabled", "disabled", "disabled"));
    }

    [Fact]
    public async Task Options_given_at_launch_are_kept_described_and_filtered_on()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var open = (await RunAsync(subnetId)).Single();

        var strict = (await RunAsync(subnetId, configure: r => r.MetadataOptions = new InstanceMetadataOptionsRequest
        {
            HttpTokens = HttpTokensState.Required,
            HttpPutResponseHopLimit = 2,
            InstanceMetadataTags = InstanceMetadataTagsState.Enabled,
        })).Single();
        Advance(TimeSpan.FromSeconds(5));

        Shape((await DescribeInstanceAsync(strict.InstanceId)).MetadataOptions).Should().Be(("applied", "required", 2, "enabled", "disabled", "enabled"));
        async Task<List<string>> Matching(string filter, string value) =>
            [.. ((await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter(filter, [value])] })).Reservations ?? [])
                .SelectMany(r => r.Instances).Select(i => i.InstanceId)];
        (await Matching("metadata-options.http-tokens", "required")).Should().Equal(strict.InstanceId);
        (await Matching("metadata-options.http-tokens", "optional")).Should().Equal(open.InstanceId);
        (await Matching("metadata-options.http-put-response-hop-limit", "2")).Should().Equal(strict.InstanceId);
    }

    [Theory]
    [InlineData("required", 0, "enabled")]
    [InlineData("required", 65, "enabled")]
    [InlineData("mandatory", 1, "enabled")]
    [InlineData("required", 1, "on")]
    public async Task A_launch_with_options_outside_the_model_is_refused_and_starts_nothing(string tokens, int hopLimit, string endpoint)
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());

        var error = await FailsWith("InvalidParameterValue", () => RunAsync(subnetId, configure: r => r.MetadataOptions = new InstanceMetadataOptionsRequest
        {
            HttpTokens = tokens, HttpPutResponseHopLimit = hopLimit, HttpEndpoint = endpoint,
        }));

        error.Message.Should().ContainAny("HttpTokens", "HttpPutResponseHopLimit", "HttpEndpoint");
        (await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest())).Reservations.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task Modifying_changes_only_the_named_options_pending_until_applied()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instance = (await RunAsync(subnetId, configure: r => r.MetadataOptions = new InstanceMetadataOptionsRequest { InstanceMetadataTags = InstanceMetadataTagsState.Enabled })).Single();
        Advance(TimeSpan.FromMinutes(1));

        var modified = await Ec2.ModifyInstanceMetadataOptionsAsync(new ModifyInstanceMetadataOptionsRequest
        {
            InstanceId = instance.InstanceId, HttpTokens = HttpTokensState.Required, HttpPutResponseHopLimit = 2,
        });

        modified.InstanceId.Should().Be(instance.InstanceId);
        Shape(modified.InstanceMetadataOptions).Should().Be(("pending", "required", 2, "enabled", "disabled", "enabled"));
        Shape((await DescribeInstanceAsync(instance.InstanceId)).MetadataOptions).Should().Be(("pending", "required", 2, "enabled", "disabled", "enabled"));
        Advance(TimeSpan.FromSeconds(5));
        Shape((await DescribeInstanceAsync(instance.InstanceId)).MetadataOptions).Should().Be(("applied", "required", 2, "enabled", "disabled", "enabled"));
    }

    [Fact]
    public async Task Modifying_with_bad_or_no_options_or_a_gone_instance_gets_ec2_errors_and_changes_nothing()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instance = (await RunAsync(subnetId)).Single();
        Advance(TimeSpan.FromMinutes(1));

        await FailsWith("InvalidParameterValue", () => Ec2.ModifyInstanceMetadataOptionsAsync(new ModifyInstanceMetadataOptionsRequest
        {
            InstanceId = instance.InstanceId, HttpTokens = HttpTokensState.Required, HttpPutResponseHopLimit = 65,
        }));
        await FailsWith("MissingParameter", () => Ec2.ModifyInstanceMetadataOptionsAsync(new ModifyInstanceMetadataOptionsRequest { InstanceId = instance.InstanceId }));
        await FailsWith("InvalidInstanceID.NotFound", () => Ec2.ModifyInstanceMetadataOptionsAsync(new ModifyInstanceMetadataOptionsRequest
        {
            InstanceId = "i-0123456789abcdef0", HttpTokens = HttpTokensState.Required,
        }));
        Shape((await DescribeInstanceAsync(instance.InstanceId)).MetadataOptions).Should().Be(("applied", "optional", 1, "enabled", "disabled", "disabled"));

        await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instance.InstanceId] });
        await FailsWith("IncorrectInstanceState", () => Ec2.ModifyInstanceMetadataOptionsAsync(new ModifyInstanceMetadataOptionsRequest
        {
            InstanceId = instance.InstanceId, HttpTokens = HttpTokensState.Required,
        }));
    }
}
