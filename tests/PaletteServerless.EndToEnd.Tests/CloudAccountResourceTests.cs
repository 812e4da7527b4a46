using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// The console's dropdowns on the local stack: the API assumes the cloud account's role (STS of the
/// local AWS) and lists what that account has in the region, over the real EC2 wire protocol.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class CloudAccountResourceTests(LocalStackFixture stack)
{
    private const string Account = "444455556666";
    private const string Region = "eu-west-1";

    [Fact]
    public async Task A_viewer_lists_the_key_pairs_zones_instance_types_vpcs_and_subnets_of_the_accounts_region_through_its_role()
    {
        var scenario = await Scenario.StartAsync(stack, "dropdowns", Region, $"arn:aws:iam::{Account}:role/palette-serverless/PaletteServerlessClusterBuilder", Account);
        using var ec2 = stack.Ec2(Account, Region);
        var blob = PaletteServerless.Testing.SshKeys.Ed25519Blob(RandomNumberGenerator.GetBytes(32));
        await ec2.ImportKeyPairAsync(new ImportKeyPairRequest { KeyName = "laptop", PublicKeyMaterial = "ssh-ed25519 " + Convert.ToBase64String(blob) });
        var vpcId = (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.30.0.0/16", TagSpecifications = Named(ResourceType.Vpc, "shared-net", ("team", "platform")) })).Vpc.VpcId;
        var publicSubnet = (await ec2.CreateSubnetAsync(new CreateSubnetRequest
        {
            VpcId = vpcId, CidrBlock = "10.30.1.0/24", AvailabilityZone = "eu-west-1b", TagSpecifications = Named(ResourceType.Subnet, "public-b", ("kubernetes.io/role/elb", "1")),
        })).Subnet.SubnetId;
        await ec2.ModifySubnetAttributeAsync(new ModifySubnetAttributeRequest { SubnetId = publicSubnet, MapPublicIpOnLaunch = true });
        var privateSubnet = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpcId, CidrBlock = "10.30.2.0/24", AvailabilityZone = "eu-west-1a" })).Subnet.SubnetId;
        var viewer = stack.Api("dropdowns", "project-viewer");
        var at = $"/v1/projects/dropdowns/cloudaccounts/main/regions/{Region}";

        var keys = (await GetOkAsync(viewer, $"{at}/keypairs"))["items"]!.AsArray();
        keys.Select(k => k!["name"]!.GetValue<string>()).Should().Equal("e2e-key", "laptop");
        keys.Select(k => k!["keyType"]!.GetValue<string>()).Should().Equal("rsa", "ed25519");
        keys[1]!["fingerprint"]!.GetValue<string>().Should().Be(Convert.ToBase64String(SHA256.HashData(blob)));
        keys.Should().OnlyContain(k => k!["keyPairId"]!.GetValue<string>().StartsWith("key-", StringComparison.Ordinal));

        var zones = (await GetOkAsync(viewer, $"{at}/availabilityzones"))["items"]!.AsArray();
        zones.Select(z => z!["name"]!.GetValue<string>()).Should().Equal("eu-west-1a", "eu-west-1b", "eu-west-1c");
        zones.Should().OnlyContain(z => z!["state"]!.GetValue<string>() == "available" && z["zoneId"]!.GetValue<string>().Length > 0);

        var types = (await GetOkAsync(viewer, $"{at}/instancetypes?zone=eu-west-1a"))["items"]!.AsArray();
        var names = types.Select(t => t!["instanceType"]!.GetValue<string>()).ToList();
        names.Should().BeInAscendingOrder(StringComparer.Ordinal).And.BeEquivalentTo(await OfferedAsync(ec2, "eu-west-1a"));
        types.Single(t => t!["instanceType"]!.GetValue<string>() == "m5.large")!.ToJsonString()
            .Should().Be("""{"instanceType":"m5.large","vcpus":2,"memoryMiB":8192,"architecture":"x86_64","onDemandHourlyUsd":0.096}""");
        types.Single(t => t!["instanceType"]!.GetValue<string>() == "m6g.large")!["architecture"]!.GetValue<string>().Should().Be("arm64");

        var vpc = (await GetOkAsync(viewer, $"{at}/vpcs"))["items"]!.AsArray().Single(v => v!["vpcId"]!.GetValue<string>() == vpcId)!;
        vpc.ToJsonString().Should().Be($$$"""{"vpcId":"{{{vpcId}}}","cidrBlock":"10.30.0.0/16","isDefault":false,"name":"shared-net","tags":{"Name":"shared-net","team":"platform"}}""");

        var subnets = (await GetOkAsync(viewer, $"{at}/vpcs/{vpcId}/subnets"))["items"]!.AsArray();
        subnets.Select(s => s!["subnetId"]!.GetValue<string>()).Should().Equal(privateSubnet, publicSubnet);
        subnets[0]!["name"].Should().BeNull();
        subnets[0]!["mapPublicIpOnLaunch"]!.GetValue<bool>().Should().BeFalse();
        subnets[1]!["name"]!.GetValue<string>().Should().Be("public-b");
        subnets[1]!["mapPublicIpOnLaunch"]!.GetValue<bool>().Should().BeTrue();
        subnets[1]!["availableIpAddressCount"]!.GetValue<int>().Should().Be(251, "a /24 less AWS's five reserved addresses");
        subnets[1]!["tags"]!["kubernetes.io/role/elb"]!.GetValue<string>().Should().Be("1");
    }

    [Fact]
    public async Task A_missing_vpc_is_404_an_unknown_zone_is_400_and_a_role_that_refuses_the_product_is_502()
    {
        var scenario = await Scenario.StartAsync(stack, "dropdown-errors", Region, $"arn:aws:iam::{Account}:role/palette-serverless/PaletteServerlessClusterBuilder", Account);
        var at = $"/v1/projects/dropdown-errors/cloudaccounts/main/regions/{Region}";

        var missing = await scenario.Api.GetAsync($"{at}/vpcs/vpc-0123456789abcdef0/subnets");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound, await missing.Content.ReadAsStringAsync());
        var zone = await scenario.Api.GetAsync($"{at}/instancetypes?zone=eu-west-1f");
        zone.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Problem(zone))["errors"]![0]!["field"]!.GetValue<string>().Should().Be("zone");

        // A second registration of the same role gets an external id of its own, which the account's stack (deployed
        // with the first) does not trust: the confused deputy's case, refused by the role.
        var wrongId = $$"""{"name":"wrong-id","roleArn":"arn:aws:iam::{{Account}}:role/palette-serverless/PaletteServerlessClusterBuilder"}""";
        (await scenario.Api.PostAsync("/v1/projects/dropdown-errors/cloudaccounts", LocalStackFixture.Json(wrongId))).StatusCode.Should().Be(HttpStatusCode.Created);
        var refused = await scenario.Api.GetAsync($"/v1/projects/dropdown-errors/cloudaccounts/wrong-id/regions/{Region}/keypairs");
        refused.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await Problem(refused))["detail"]!.GetValue<string>().Should().Contain("cloud account 'wrong-id' cannot be assumed").And.Contain("AccessDenied");
        // The target role's trust policy refused the API's session: IAM's denial, provoked on purpose.
        stack.Stack.LocalAws.Iam!.TakeDenials(d => d.Principal == "api" && d.Action == "sts:AssumeRole").Should().NotBeEmpty();
    }

    private static async Task<JsonObject> GetOkAsync(HttpClient api, string path)
    {
        var response = await api.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, $"{path}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task<JsonObject> Problem(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    private static async Task<List<string>> OfferedAsync(IAmazonEC2 ec2, string zone)
    {
        var offered = new List<string>();
        await foreach (var offering in ec2.Paginators.DescribeInstanceTypeOfferings(new DescribeInstanceTypeOfferingsRequest
        {
            LocationType = LocationType.AvailabilityZone,
            Filters = [new Filter("location", [zone])],
        }).InstanceTypeOfferings)
            offered.Add(offering.InstanceType.Value);
        return offered;
    }

    private static List<TagSpecification> Named(ResourceType type, string name, params (string Key, string Value)[] more) =>
        [new TagSpecification { ResourceType = type, Tags = [new Tag("Name", name), .. more.Select(t => new Tag(t.Key, t.Value))] }];
}
