using System.Security.Cryptography;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// The reads behind the console's dropdowns, as the EC2 model bounds them: ED25519 key pairs keep
/// their type and OpenSSH fingerprint, DescribeInstanceTypes takes at most 100 names and 100 results
/// a page, and every paged read is complete when NextToken is followed.
/// </summary>
public sealed class Ec2ConsoleReadTests : Ec2TestBase
{
    [Fact]
    public async Task An_imported_ed25519_key_is_described_with_its_type_and_base64_sha256_fingerprint()
    {
        var blob = PaletteServerless.Testing.SshKeys.Ed25519Blob(RandomNumberGenerator.GetBytes(32));
        var publicKey = "ssh-ed25519 " + Convert.ToBase64String(blob) + " user@host";

        var imported = await Ec2.ImportKeyPairAsync(new ImportKeyPairRequest { KeyName = "edkey", PublicKeyMaterial = publicKey });

        imported.KeyFingerprint.Should().Be(Convert.ToBase64String(SHA256.HashData(blob)));
        var described = (await Ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { Filters = [new Filter("key-type", ["ed25519"])] })).KeyPairs;
        described.Should().ContainSingle().Which.KeyType.Should().Be(KeyType.Ed25519);
        await FailsWith("InvalidKey.Format", () => Ec2.ImportKeyPairAsync(new ImportKeyPairRequest
        {
            KeyName = "ecdsa",
            PublicKeyMaterial = "ssh-ecdsa " + Convert.ToBase64String(blob),
        }));
    }

    [Fact]
    public async Task Describe_instance_types_takes_at_most_100_names_and_100_results_a_page()
    {
        // A variable, not a literal: the SDK's analyzer refuses 101 at compile time, and the local must refuse it on the wire.
        var overTheModel = 101;
        await FailsWith("InvalidParameterValue", () => Ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { MaxResults = overTheModel }));
        await FailsWith("InvalidParameterValue", () => Ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest
        {
            InstanceTypes = [.. Enumerable.Repeat("m5.large", 101)],
        }));
        (await Ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { MaxResults = 100 })).InstanceTypes.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Paged_reads_are_complete_when_next_token_is_followed()
    {
        var all = (await Ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest())).InstanceTypes.Select(t => t.InstanceType.Value).ToList();
        var paged = new List<string>();
        await foreach (var type in Ec2.Paginators.DescribeInstanceTypes(new DescribeInstanceTypesRequest { MaxResults = 5 }).InstanceTypes)
            paged.Add(type.InstanceType.Value);
        paged.Should().Equal(all).And.HaveCountGreaterThan(5);

        var offered = new List<string>();
        await foreach (var offering in Ec2.Paginators.DescribeInstanceTypeOfferings(new DescribeInstanceTypeOfferingsRequest
        {
            LocationType = LocationType.AvailabilityZone,
            Filters = [new Filter("location", ["us-east-1e"])],
            MaxResults = 5,
        }).InstanceTypeOfferings)
        {
            offering.Location.Should().Be("us-east-1e");
            offered.Add(offering.InstanceType.Value);
        }
        offered.Should().OnlyHaveUniqueItems().And.Contain("m5.large").And.NotContain("g4dn.xlarge", "us-east-1e offers only some families");

        // Five VPCs a region (the default quota) never fill more than one page of five: the subnets do.
        var vpcs = new List<string> { await CreateVpcAsync("10.0.0.0/16"), await CreateVpcAsync("10.1.0.0/16") };
        await CreateSubnetAsync(vpcs[1], "10.1.0.0/24");
        var subnets = new List<string>();
        for (var i = 0; i < 11; i++)
            subnets.Add(await CreateSubnetAsync(vpcs[0], $"10.0.{i}.0/24", zone: $"us-east-1{(char)('a' + i % 6)}"));
        var pagedVpcs = new List<string>();
        await foreach (var vpc in Ec2.Paginators.DescribeVpcs(new DescribeVpcsRequest { MaxResults = 5 }).Vpcs)
            pagedVpcs.Add(vpc.VpcId);
        pagedVpcs.Should().BeEquivalentTo(vpcs);
        var pagedSubnets = new List<string>();
        await foreach (var subnet in Ec2.Paginators.DescribeSubnets(new DescribeSubnetsRequest { Filters = [new Filter("vpc-id", [vpcs[0]])], MaxResults = 5 }).Subnets)
            pagedSubnets.Add(subnet.SubnetId);
        pagedSubnets.Should().BeEquivalentTo(subnets);
    }

    [Fact]
    public async Task Zones_filtered_to_availability_zones_are_the_regions_zones_with_their_ids()
    {
        var zones = (await Ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest
        {
            Filters = [new Filter("zone-type", ["availability-zone"])],
        })).AvailabilityZones;

        zones.Select(z => z.ZoneName).Should().Equal("us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f");
        zones.Should().OnlyContain(z => z.ZoneType == "availability-zone" && z.OptInStatus == AvailabilityZoneOptInStatus.OptInNotRequired
            && z.ZoneId.StartsWith("use1-az", StringComparison.Ordinal));
    }
}
