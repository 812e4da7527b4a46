using System.Security.Cryptography;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

public sealed class Ec2CatalogAndTagTests : Ec2TestBase
{
    [Fact]
    public async Task Regions_and_zones_carry_their_real_names()
    {
        var regions = (await Ec2.DescribeRegionsAsync(new DescribeRegionsRequest())).Regions.Select(r => r.RegionName);
        regions.Should().Contain(["us-east-1", "us-west-2", "eu-west-1"]);

        using var oregon = Host.Ec2(region: "us-west-2");
        var zones = (await oregon.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest())).AvailabilityZones;
        zones.Select(z => z.ZoneName).Should().Equal("us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d");
        zones.Should().OnlyContain(z => z.State == AvailabilityZoneState.Available && z.RegionName == "us-west-2");
        (await Ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest())).AvailabilityZones.Should().HaveCount(6);
        await FailsWith("InvalidParameterValue", () => Ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest { ZoneNames = ["us-east-1z"] }));
    }

    [Fact]
    public async Task Account_attributes_report_no_default_vpc_and_the_address_quota()
    {
        var attributes = (await Ec2.DescribeAccountAttributesAsync(new DescribeAccountAttributesRequest())).AccountAttributes;

        attributes.Single(a => a.AttributeName == "default-vpc").AttributeValues.Single().AttributeValue.Should().Be("none");
        attributes.Single(a => a.AttributeName == "vpc-max-elastic-ips").AttributeValues.Single().AttributeValue.Should().Be("5");
    }

    [Fact]
    public async Task Instance_types_have_vcpus_and_memory_and_offerings_have_gaps()
    {
        var types = (await Ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = ["m5.xlarge", "g4dn.xlarge"] })).InstanceTypes;
        var m5 = types.Single(t => t.InstanceType == "m5.xlarge");
        m5.VCpuInfo.DefaultVCpus.Should().Be(4);
        m5.MemoryInfo.SizeInMiB.Should().Be(16384);
        types.Single(t => t.InstanceType == "g4dn.xlarge").GpuInfo.Gpus.Single().Count.Should().Be(1);
        await FailsWith("InvalidInstanceType", () => Ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = ["x9.huge"] }));

        var offerings = (await Ec2.DescribeInstanceTypeOfferingsAsync(new DescribeInstanceTypeOfferingsRequest
        {
            LocationType = LocationType.AvailabilityZone,
            Filters = [new Filter("instance-type", ["g4dn.xlarge"])],
        })).InstanceTypeOfferings;
        offerings.Select(o => o.Location).Should().BeEquivalentTo(["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]);
        var oldZone = (await Ec2.DescribeInstanceTypeOfferingsAsync(new DescribeInstanceTypeOfferingsRequest
        {
            LocationType = LocationType.AvailabilityZone,
            Filters = [new Filter("location", ["us-east-1e"])],
        })).InstanceTypeOfferings;
        oldZone.Should().OnlyContain(o => o.InstanceType.Value.StartsWith("t3.") || o.InstanceType.Value.StartsWith("m5.") || o.InstanceType.Value.StartsWith("c5."));
    }

    [Fact]
    public async Task Images_are_found_by_owner_and_name_pattern()
    {
        var images = (await Ec2.DescribeImagesAsync(new DescribeImagesRequest
        {
            Owners = ["099720109477"],
            Filters = [new Filter("name", ["ubuntu/images/hvm-ssd/ubuntu-*-22.04-amd64-server-*"]), new Filter("architecture", ["x86_64"])],
        })).Images;

        images.Should().ContainSingle().Which.ImageId.Should().Be("ami-0c7217cdde317cfec");
        await FailsWith("InvalidAMIID.NotFound", () => Ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = ["ami-00000000000000000"] }));
    }

    [Fact]
    public async Task Key_pairs_are_created_imported_described_and_deleted()
    {
        var created = (await Ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "c1", TagSpecifications = Tagged(ResourceType.KeyPair, "c1") })).KeyPair;
        created.KeyMaterial.Should().StartWith("-----BEGIN RSA PRIVATE KEY-----");
        created.KeyFingerprint.Split(':').Should().HaveCount(20);
        await FailsWith("InvalidKeyPair.Duplicate", () => Ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "c1" }));

        using var rsa = RSA.Create(2048);
        var publicKey = "ssh-rsa " + Convert.ToBase64String(SshRsaBlob(rsa)) + " user@host";
        var imported = await Ec2.ImportKeyPairAsync(new ImportKeyPairRequest { KeyName = "imported", PublicKeyMaterial = publicKey });
        imported.KeyFingerprint.Should().Be(string.Join(':', MD5.HashData(SshRsaBlob(rsa)).Select(b => b.ToString("x2"))));
        await FailsWith("InvalidKey.Format", () => Ec2.ImportKeyPairAsync(new ImportKeyPairRequest { KeyName = "bad", PublicKeyMaterial = "not a key" }));

        var described = (await Ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { KeyNames = ["c1"] })).KeyPairs.Single();
        described.KeyPairId.Should().Be(created.KeyPairId);
        described.Tags.Single().Value.Should().Be("c1");
        await Ec2.DeleteKeyPairAsync(new DeleteKeyPairRequest { KeyName = "c1" });
        await FailsWith("InvalidKeyPair.NotFound", () => Ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { KeyNames = ["c1"] }));
        (await Ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest())).KeyPairs.Select(k => k.KeyName).Should().Equal("imported");
    }

    [Fact]
    public async Task Tags_are_created_deleted_and_described_across_resources()
    {
        var vpcId = await CreateVpcAsync();
        var subnetId = await CreateSubnetAsync(vpcId);

        await Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [vpcId, subnetId], Tags = [new Tag("kubernetes.io/cluster/c1", "owned"), new Tag("env", "test")] });
        await Ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [subnetId], Tags = [new Tag { Key = "env" }] });
        await Ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [vpcId], Tags = [new Tag("env", "other-value")] });

        var tags = (await Ec2.DescribeTagsAsync(new DescribeTagsRequest { Filters = [new Filter("key", ["kubernetes.io/cluster/c1", "env"])] })).Tags;
        tags.Select(t => (t.ResourceId, t.ResourceType.Value, t.Key)).Should().BeEquivalentTo(
        [
            (vpcId, "vpc", "kubernetes.io/cluster/c1"),
            (vpcId, "vpc", "env"),
            (subnetId, "subnet", "kubernetes.io/cluster/c1"),
        ]);
        (await Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("tag-key", ["kubernetes.io/cluster/c1"])] })).Subnets.Should().ContainSingle();
        await FailsWith("InvalidVpcID.NotFound", () => Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = ["vpc-0123456789abcdef0"], Tags = [new Tag("a", "b")] }));
    }

    // The OpenSSH wire form of an RSA public key: string "ssh-rsa", mpint e, mpint n.
    private static byte[] SshRsaBlob(RSA rsa)
    {
        var parameters = rsa.ExportParameters(false);
        using var blob = new MemoryStream();
        void Write(byte[] bytes)
        {
            var length = BitConverter.GetBytes(bytes.Length);
            if (BitConverter.IsLittleEndian)
                Array.Reverse(length);
            blob.Write(length);
            blob.Write(bytes);
        }
        static byte[] Mpint(byte[] value) => value[0] >= 0x80 ? [0, .. value] : value;
        Write(Encoding.ASCII.GetBytes("ssh-rsa"));
        Write(Mpint(parameters.Exponent!));
        Write(Mpint(parameters.Modulus!));
        return blob.ToArray();
    }
}
