using System.Text.Json.Nodes;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace PaletteServerless.Cli.Tests;

/// <summary>`psctl cloudaccounts keypairs|zones|instancetypes|vpcs|subnets`: the account's choices in a region, as tables or JSON.</summary>
[Collection(PsctlStackCollection.Name)]
public sealed class CloudAccountReadTests(PsctlStack stack)
{
    // A region no other psctl test builds in: its VPCs are only this test's.
    private const string Region = "ap-southeast-1";

    [Fact]
    public async Task The_account_s_key_pairs_zones_priced_instance_types_vpcs_and_subnets_are_listed()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "choices");
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("000000000000", "cli"),
            new AmazonEC2Config { ServiceURL = stack.Endpoint.ToString(), AuthenticationRegion = Region });
        await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "cli-choices" });
        var vpcId = (await ec2.CreateVpcAsync(new CreateVpcRequest
        {
            CidrBlock = "10.40.0.0/16",
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Vpc, Tags = [new Tag("Name", "cli-net")] }],
        })).Vpc.VpcId;
        var subnetId = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpcId, CidrBlock = "10.40.3.0/24", AvailabilityZone = "ap-southeast-1c" })).Subnet.SubnetId;

        (await user.RunAsync("cloudaccounts", "keypairs", "main", "--region", Region)).Out.Should().MatchRegex(@"cli-choices\s+rsa\s+key-");
        (await user.RunAsync("cloudaccounts", "zones", "main", "-r", Region)).Out.Should().Contain("ap-southeast-1a").And.Contain("ap-southeast-1c");
        var types = await user.RunAsync("cloudaccounts", "instancetypes", "main", "-r", Region, "--zone", "ap-southeast-1a");
        types.ExitCode.Should().Be(0, types.ToString());
        types.Out.Should().MatchRegex(@"m5\.large\s+2\s+8192\s+x86_64\s+\$0\.096");
        (await user.RunAsync("cloudaccounts", "vpcs", "main", "-r", Region)).Out.Should().MatchRegex($@"{vpcId}\s+10\.40\.0\.0/16\s+no\s+cli-net");
        var subnets = await user.RunAsync("cloudaccounts", "subnets", "main", "-r", Region, "--vpc", vpcId, "-o", "json");
        JsonNode.Parse(subnets.Out)!.AsArray().Select(s => s!["subnetId"]!.GetValue<string>()).Should().Equal(subnetId);
    }

    [Fact]
    public async Task A_missing_zone_is_a_usage_error_and_a_missing_vpc_the_APIs_404()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "choices-errors");

        var noZone = await user.RunAsync("cloudaccounts", "instancetypes", "main", "-r", Region);
        noZone.ExitCode.Should().NotBe(0);
        noZone.Error.Should().Contain("--zone");
        var noVpc = await user.RunAsync("cloudaccounts", "subnets", "main", "-r", Region, "--vpc", "vpc-0123456789abcdef0");
        noVpc.ExitCode.Should().Be(1, noVpc.ToString());
        noVpc.Error.Should().Contain("404").And.Contain("vpc-0123456789abcdef0");
    }
}
