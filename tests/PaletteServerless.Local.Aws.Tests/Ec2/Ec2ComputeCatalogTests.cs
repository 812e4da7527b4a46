using Amazon.EC2.Model;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Adapters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Tests.Elbv2;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>The product's catalog adapter (<see cref="Ec2ComputeCatalog"/>) through the real EC2 SDK and our Service Quotas client on the local AWS, with pages of five.</summary>
public sealed class Ec2ComputeCatalogTests : Ec2TestBase
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    protected override LocalAwsOptions Options => new() { OnDemandVcpuQuota = 24 };

    private Ec2ComputeCatalog Catalog => new(Ec2, new ServiceQuotasClient(OurClients.Options(Host)), pageSize: 5);

    [Fact]
    public async Task Key_pairs_are_found_by_name_and_a_missing_name_finds_none()
    {
        await Ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "ops" });

        (await Catalog.KeyPairsAsync("ops", Ct)).Should().ContainSingle().Which.Should().BeEquivalentTo(new { Name = "ops", KeyType = "rsa" });
        (await Catalog.KeyPairsAsync("nope", Ct)).Should().BeEmpty();
        (await Catalog.KeyPairsAsync(null, Ct)).Select(k => k.Name).Should().Contain("ops");
    }

    [Fact]
    public async Task Zones_offerings_and_instance_types_are_complete_across_pages_and_an_unknown_type_is_the_clouds_error()
    {
        var zones = await Catalog.AvailabilityZonesAsync(Ct);
        var inZone = await Catalog.OfferingsAsync(null, "us-east-1a", Ct);
        var ofTwo = await Catalog.OfferingsAsync(["m5.large", "m6g.large"], null, Ct);
        var types = await Catalog.InstanceTypesAsync([.. inZone.Select(o => o.InstanceType)], Ct);

        zones.Select(z => z.Name).Should().Contain(["us-east-1a", "us-east-1b"]).And.OnlyContain(z => z.StartsWith("us-east-1", StringComparison.Ordinal));
        inZone.Should().HaveCountGreaterThan(5, "more than one page of five").And.OnlyContain(o => o.Zone == "us-east-1a");
        ofTwo.Should().Contain(new TypeOffering("m5.large", "us-east-1a")).And.Contain(new TypeOffering("m6g.large", "us-east-1a"))
            .And.OnlyContain(o => o.InstanceType == "m5.large" || o.InstanceType == "m6g.large");
        types.Select(t => t.Name).Should().BeEquivalentTo(inZone.Select(o => o.InstanceType).Distinct());
        types.Single(t => t.Name == "m6g.large").Should().BeEquivalentTo(new InstanceTypeDetails("m6g.large", 2, 8192, ["arm64"]));
        (await Catalog.OfferingsAsync([], null, Ct)).Should().BeEmpty();
        var unknown = await FluentActions.Awaiting(() => Catalog.InstanceTypesAsync(["m5.large", "zz9.huge"], Ct)).Should().ThrowAsync<CloudServiceException>();
        unknown.Which.Code.Should().Be("InvalidInstanceType");
    }

    [Fact]
    public async Task The_os_packs_images_are_found_per_architecture_and_the_newest_is_chosen()
    {
        var image = PackCatalog.Packs.Select(p => p.Install).OfType<MachineImageInstall>().First();

        var amd = await Catalog.ImagesAsync(image.OwnerId, MachineImages.NameFilter(image, "x86_64"), "x86_64", Ct);
        var arm = await Catalog.ImagesAsync(image.OwnerId, MachineImages.NameFilter(image, "arm64"), "arm64", Ct);

        amd.Should().NotBeEmpty().And.OnlyContain(i => i.Name.Contains("-amd64-server-", StringComparison.Ordinal) && i.Created != null);
        arm.Should().NotBeEmpty().And.OnlyContain(i => i.Name.Contains("-arm64-server-", StringComparison.Ordinal));
        (await MachineImages.FindAsync(Catalog, image, "x86_64", Ct)).Should().Be(amd.MaxBy(i => i.Created)!.Id);
        (await Catalog.ImagesAsync("000000000000", MachineImages.NameFilter(image, "x86_64"), "x86_64", Ct)).Should().BeEmpty("another owner's");
        (await MachineImages.ArchitecturesAsync(Catalog, ["m5.large", "m6g.large"], Ct)).Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["m5.large"] = "x86_64", ["m6g.large"] = "arm64",
        });
    }

    [Fact]
    public async Task A_vpc_its_subnets_across_pages_and_its_route_tables_are_read_and_what_does_not_exist_is_left_out()
    {
        var vpcId = await CreateVpcAsync();
        var otherVpc = await CreateVpcAsync("10.1.0.0/16");
        var subnets = new List<string>();
        for (var i = 0; i < 7; i++)
            subnets.Add(await CreateSubnetAsync(vpcId, $"10.0.{i}.0/24", i % 2 == 0 ? "us-east-1a" : "us-east-1b"));
        var elsewhere = await CreateSubnetAsync(otherVpc, "10.1.0.0/24");
        await Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [subnets[0]], Tags = [new Tag("kubernetes.io/role/elb", "1")] });
        var gateway = await AttachNewGatewayAsync(vpcId);
        var table = (await Ec2.CreateRouteTableAsync(new CreateRouteTableRequest { VpcId = vpcId })).RouteTable.RouteTableId;
        await Ec2.CreateRouteAsync(new CreateRouteRequest { RouteTableId = table, DestinationCidrBlock = "0.0.0.0/0", GatewayId = gateway });
        var association = (await Ec2.AssociateRouteTableAsync(new AssociateRouteTableRequest { RouteTableId = table, SubnetId = subnets[0] })).AssociationId;

        (await Catalog.VpcAsync(vpcId, Ct)).Should().BeEquivalentTo(new { VpcId = vpcId, CidrBlock = "10.0.0.0/16", IsDefault = false });
        (await Catalog.VpcAsync("vpc-0123456789abcdef0", Ct)).Should().BeNull();
        (await Catalog.VpcsAsync(Ct)).Select(v => v.VpcId).Should().Contain([vpcId, otherVpc]);
        var ofVpc = await Catalog.SubnetsOfVpcAsync(vpcId, Ct);
        ofVpc.Select(s => s.SubnetId).Should().BeEquivalentTo(subnets);
        ofVpc.Single(s => s.SubnetId == subnets[0]).Should().BeEquivalentTo(new { VpcId = vpcId, AvailabilityZone = "us-east-1a", CidrBlock = "10.0.0.0/24" });
        ofVpc.Single(s => s.SubnetId == subnets[0]).Tags.Should().Contain("kubernetes.io/role/elb", "1");
        (await Catalog.SubnetsAsync([subnets[1], elsewhere, "subnet-0123456789abcdef0"], Ct)).Select(s => (s.SubnetId, s.VpcId))
            .Should().BeEquivalentTo([(subnets[1], vpcId), (elsewhere, otherVpc)]);
        (await Catalog.SubnetsAsync([], Ct)).Should().BeEmpty();
        var tables = await Catalog.RouteTablesAsync(vpcId, Ct);
        tables.Should().HaveCount(2).And.ContainSingle(t => t.Associations.Any(a => a.Main));
        var custom = tables.Single(t => t.Id == table);
        custom.Routes.Should().Contain(new NetworkRoute("0.0.0.0/0", gateway, false));
        custom.Associations.Should().Equal(new RouteAssociation(association, subnets[0], false));
    }

    [Fact]
    public async Task Network_usage_counts_the_regions_vpcs_addresses_gateways_and_the_zones_of_live_nat_gateways()
    {
        var before = await Catalog.NetworkUsageAsync(Ct);
        var vpcId = await CreateVpcAsync();
        var subnetB = await CreateSubnetAsync(vpcId, "10.0.2.0/24", "us-east-1b");
        await AttachNewGatewayAsync(vpcId);
        await CreateNatAsync(subnetB, await AllocateAsync());
        await AllocateAsync();

        var after = await Catalog.NetworkUsageAsync(Ct);

        (after.Vpcs - before.Vpcs, after.ElasticIps - before.ElasticIps, after.InternetGateways - before.InternetGateways).Should().Be((1, 2, 1));
        after.LiveNatGatewayZones.Should().BeEquivalentTo(before.LiveNatGatewayZones.Append("us-east-1b"));
    }

    [Fact]
    public async Task Running_on_demand_types_and_the_applied_vcpu_quota_are_read_and_a_quota_without_a_value_is_null()
    {
        var network = await Elbv2Network.CreateAsync(Ec2);
        await network.RunInstanceAsync(Ec2);
        await network.RunInstanceAsync(Ec2);

        (await Catalog.RunningOnDemandTypesAsync(Ct)).Should().Equal("t3.medium", "t3.medium");
        (await Catalog.AppliedQuotaAsync(OnDemandVcpuQuota.ServiceCode, OnDemandVcpuQuota.QuotaCode, Ct)).Should().Be(24);
        (await Catalog.AppliedQuotaAsync("ec2", "L-34B43A08", Ct)).Should().BeNull();
        var malformed = await FluentActions.Awaiting(() => Catalog.AppliedQuotaAsync("ec2", "L_1216C47A", Ct)).Should().ThrowAsync<CloudServiceException>();
        malformed.Which.Code.Should().Be("IllegalArgumentException");
    }
}
